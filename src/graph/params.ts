/**
 * Parameter declarations: one declaration per parameter drives its inspector
 * widget, its default and its validation.
 */
export interface IntParam {
  kind: 'int';
  default: number;
  min: number;
  max: number;
  doc?: string;
}
/** The parameter matters only while another (a choice) has one of these values: Adam's β1 only for Adam. */
export interface UsedWhen {
  param: string;
  is: readonly string[];
}
export interface FloatParam {
  kind: 'float';
  default: number;
  min?: number;
  max?: number;
  /** min is exclusive (e.g. a learning rate must be > 0) */
  exclusiveMin?: boolean;
  logScale?: boolean;
  doc?: string;
  usedWhen?: UsedWhen;
}
/** `T` keeps the literal options ('same' | 'valid'), so switches over the value are exhaustive. */
export interface ChoiceParam<T extends string = string> {
  kind: 'choice';
  options: readonly T[];
  default: T;
  doc?: string;
}
export interface BoolParam {
  kind: 'bool';
  default: boolean;
  doc?: string;
}
export interface IntListParam {
  kind: 'intList';
  default: number[];
  min: number;
  max: number;
  minLength: number;
  maxLength: number;
  doc?: string;
}
/** References to other nodes by id (e.g. the networks an optimizer trains). */
export interface NodeRefsParam {
  kind: 'nodeRefs';
  default: string[];
  doc?: string;
}
export interface TextParam {
  kind: 'text';
  default: string;
  maxLength: number;
  doc?: string;
}

export type ParamDecl = IntParam | FloatParam | ChoiceParam | BoolParam | IntListParam | NodeRefsParam | TextParam;
export type ParamDecls = Record<string, ParamDecl>;

type ValueOf<D extends ParamDecl> = D extends IntParam | FloatParam
  ? number
  : D extends ChoiceParam<infer T>
    ? T
    : D extends BoolParam
      ? boolean
      : D extends IntListParam
        ? number[]
        : D extends NodeRefsParam
          ? string[]
          : D extends TextParam
            ? string
            : never;
export type ParamValues<D extends ParamDecls> = { [K in keyof D]: ValueOf<D[K]> };
/** Any one parameter's value; a node of unknown type has parameters of this type. */
export type ParamValue = ValueOf<ParamDecl>;
/** Checked parameters of a node whose declaration is not known statically (the compiler's view). */
export type AnyParamValues = Record<string, ParamValue>;

/** Whether `decl` takes part with these values: one whose choice says otherwise is not shown, so no field claims to act when it does not. */
export function paramInUse(decl: ParamDecl, values: Record<string, unknown>, decls: ParamDecls): boolean {
  if (decl.kind !== 'float' || !decl.usedWhen) return true;
  const { param, is } = decl.usedWhen;
  const value = Object.hasOwn(values, param) ? values[param] : decls[param]?.default;
  return is.includes(value as string);
}

export const int = (o: Omit<IntParam, 'kind'>): IntParam => ({ kind: 'int', ...o });
export const float = (o: Omit<FloatParam, 'kind'>): FloatParam => ({ kind: 'float', ...o });
export function choice<const T extends readonly string[]>(options: T, def: T[number], doc?: string): ChoiceParam<T[number]> {
  return { kind: 'choice', options, default: def, doc };
}
export const bool = (def: boolean, doc?: string): BoolParam => ({ kind: 'bool', default: def, doc });
export const intList = (o: Omit<IntListParam, 'kind'>): IntListParam => ({ kind: 'intList', ...o });
export const nodeRefs = (doc?: string): NodeRefsParam => ({ kind: 'nodeRefs', default: [], doc });
export const text = (def: string, maxLength = 200, doc?: string): TextParam => ({ kind: 'text', default: def, maxLength, doc });

export interface ParamProblem {
  param: string;
  message: string;
  hint?: string;
}

/** Checks one value against its declaration; returns a problem or null. */
export function checkParam(name: string, decl: ParamDecl, value: unknown): ParamProblem | null {
  const bad = (message: string, hint?: string): ParamProblem => ({ param: name, message, hint });
  switch (decl.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad(`${name} must be a whole number, got ${show(value)}`);
      if (value < decl.min || value > decl.max)
        return bad(`${name} = ${value} is out of range`, `use a value from ${decl.min} to ${decl.max}`);
      return null;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(`${name} must be a finite number, got ${show(value)}`);
      if (decl.min !== undefined && (decl.exclusiveMin ? value <= decl.min : value < decl.min))
        return bad(`${name} = ${value} is too small`, `use a value ${decl.exclusiveMin ? '>' : '≥'} ${decl.min}`);
      if (decl.max !== undefined && value > decl.max) return bad(`${name} = ${value} is too large`, `use a value ≤ ${decl.max}`);
      return null;
    case 'choice':
      if (typeof value !== 'string' || !decl.options.includes(value))
        return bad(`${name} must be one of ${decl.options.join(', ')}, got ${show(value)}`);
      return null;
    case 'bool':
      return typeof value === 'boolean' ? null : bad(`${name} must be true or false, got ${show(value)}`);
    case 'intList':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isInteger(v)))
        return bad(`${name} must be a list of whole numbers, got ${show(value)}`, 'e.g. 512, 256');
      if (value.length < decl.minLength || value.length > decl.maxLength)
        return bad(`${name} needs ${decl.minLength}–${decl.maxLength} entries, got ${value.length}`);
      for (const v of value)
        if (v < decl.min || v > decl.max) return bad(`${name} entry ${v} is out of range`, `use values from ${decl.min} to ${decl.max}`);
      return null;
    case 'nodeRefs':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? null : bad(`${name} must be a list of node ids`);
    case 'text':
      if (typeof value !== 'string') return bad(`${name} must be text`);
      return value.length > decl.maxLength ? bad(`${name} is longer than ${decl.maxLength} characters`) : null;
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/** Fills defaults for missing params and collects problems for invalid ones. Unknown keys are reported. */
export function resolveParams(decls: ParamDecls, given: Record<string, unknown>): { values: AnyParamValues; problems: ParamProblem[] } {
  const values: AnyParamValues = {};
  const problems: ParamProblem[] = [];
  for (const [name, decl] of Object.entries(decls)) {
    const raw = Object.hasOwn(given, name) ? given[name] : decl.default;
    const problem = checkParam(name, decl, raw);
    if (problem) problems.push(problem);
    // checkParam accepted raw, so it has the declared value type.
    values[name] = problem ? decl.default : (raw as ParamValue);
  }
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(decls, name))
      problems.push({ param: name, message: `unknown parameter ${name}`, hint: 'remove it from the document' });
  }
  return { values, problems };
}

export function defaultParams(decls: ParamDecls): AnyParamValues {
  return Object.fromEntries(Object.entries(decls).map(([k, d]) => [k, structuredClone(d.default)]));
}

/** A checked number parameter named by a capability (ParamKeyOf keeps node files honest at compile time). */
export function numberParam(values: AnyParamValues, key: string): number {
  const v = values[key];
  if (typeof v !== 'number') throw new Error(`parameter ${key} is not a number`);
  return v;
}

/** A checked list-of-ids parameter named by a capability. */
export function idListParam(values: AnyParamValues, key: string): string[] {
  const v = values[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`parameter ${key} is not a list of ids`);
  return v as string[];
}
