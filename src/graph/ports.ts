/**
 * Which declared ports a node has with its parameters (the node contract's
 * `activePorts`), and why a port is missing: one answer for the canvas, the
 * inspector and the compiler.
 */
import type { AnyNodeDef, PortDecl } from './nodeApi';
import { resolveParams } from './params';

export type PortSide = 'inputs' | 'outputs';

/** The ports of each side these document parameters give the node (defaults fill the rest), in declaration order. */
export function activePortsOf(def: AnyNodeDef, params: Record<string, unknown>): Record<PortSide, string[]> {
  const inputs = Object.keys(def.inputs);
  const outputs = Object.keys(def.outputs);
  if (!def.activePorts) return { inputs, outputs };
  const active = def.activePorts(resolveParams(def.params, params).values);
  return {
    inputs: active.inputs ? inputs.filter((p) => active.inputs!.includes(p)) : inputs,
    outputs: active.outputs ? outputs.filter((p) => active.outputs!.includes(p)) : outputs,
  };
}

/**
 * Null when the port exists with these parameters; otherwise what to tell the
 * user. The cause and the fix are found by trying the other options of each
 * choice parameter, so no node has to write this text.
 */
export function inactivePortProblem(
  def: AnyNodeDef,
  params: Record<string, unknown>,
  side: PortSide,
  port: string,
): { message: string; hint: string } | null {
  const active = activePortsOf(def, params)[side];
  const decl = def[side][port];
  if (!decl || active.includes(port)) return null;
  const what = side === 'inputs' ? 'input' : 'output';
  const values = resolveParams(def.params, params).values;
  // An edge from an output can move to a sibling of the same type; an input the node ignores has no stand-in.
  const instead = side === 'outputs' ? active.filter((p) => def.outputs[p].type === decl.type) : [];
  const first = instead.length ? `use ${instead.join(' or ')}` : 'delete this edge';
  for (const [name, param] of Object.entries(def.params)) {
    if (param.kind !== 'choice') continue;
    const option = param.options.find((o) => o !== values[name] && activePortsOf(def, { ...values, [name]: o })[side].includes(port));
    if (option)
      return {
        message: `this ${def.title}'s ${name} is ${String(values[name])}: it has no ${port} ${what}`,
        hint: `${first}, or set ${name} to ${option}`,
      };
  }
  return { message: `this ${def.title} has no ${port} ${what} with these parameters`, hint: first };
}

/**
 * What a port's tensor means, beyond its shape: told apart on the canvas by a
 * handle's glyph and colour, and checked when an edge is drawn. A port that
 * declares no kind is a plain `tensor` (a `loss` port is `loss`), which fits
 * any kind of tensor, so documents made before kinds existed load unchanged.
 */
export type PortKind = 'tensor' | 'image' | 'vector' | 'latent' | 'mean' | 'logVar' | 'label' | 'timestep' | 'schedule' | 'logDet' | 'loss';

declare module './nodeApi' {
  interface PortDecl {
    /** What the tensor means (see PortKind); absent: a plain tensor. */
    kind?: PortKind;
  }
}

export const PORT_KINDS: readonly PortKind[] = [
  'tensor',
  'image',
  'vector',
  'latent',
  'mean',
  'logVar',
  'label',
  'timestep',
  'schedule',
  'logDet',
  'loss',
];

/** How the kind is named to a learner ("x takes an image"). */
export const KIND_NAME: Record<PortKind, string> = {
  tensor: 'tensor',
  image: 'image (B×H×W×C)',
  vector: 'vector (B×features)',
  latent: 'latent code z',
  mean: 'mean μ',
  logVar: 'log-variance log σ²',
  label: 'one-hot label',
  timestep: 'timestep t',
  schedule: 'noise schedule ᾱ',
  logDet: 'log-determinant',
  loss: 'loss (a scalar)',
};

export function portKind(decl: PortDecl): PortKind {
  return decl.kind ?? (decl.type === 'loss' ? 'loss' : 'tensor');
}

/**
 * The output kinds each input kind takes besides its own and a plain tensor.
 * A vector is any B×n code, so it fits the vector-like kinds both ways; a
 * latent input takes μ (decoding the mean is how reconstructions are shown),
 * but μ and log σ² never stand in for each other or for a drawn z.
 */
const ALSO_TAKES: Partial<Record<PortKind, PortKind[]>> = {
  vector: ['latent', 'mean', 'logVar', 'label'],
  latent: ['vector', 'mean'],
  mean: ['vector'],
  logVar: ['vector'],
  label: ['vector'],
};

/** Null when an output of this declaration may feed that input; otherwise why not, naming both ports. */
export function portMismatch(out: PortDecl, outName: string, inp: PortDecl, inName: string): string | null {
  const from = portKind(out);
  const to = portKind(inp);
  const ok =
    from === to ||
    ((from === 'tensor' || to === 'tensor') && from !== 'loss' && to !== 'loss') ||
    (ALSO_TAKES[to]?.includes(from) ?? false);
  return ok ? null : `${inName} takes ${aKind(to)}, but ${outName} gives ${aKind(from)}`;
}

/** "an image", "a one-hot label". */
export function aKind(kind: PortKind): string {
  return `${kind === 'image' ? 'an' : 'a'} ${KIND_NAME[kind]}`;
}

/** What to do instead of a refused edge into an input of this kind. */
export function kindHint(inp: PortDecl): string {
  const to = portKind(inp);
  if (to === 'loss') return 'connect a loss output here (a loss node, or a Weighted sum of losses)';
  const takes = [to, ...(ALSO_TAKES[to] ?? []), ...(to === 'tensor' ? [] : ['tensor' as const])];
  return `connect an output that gives ${takes.map(aKind).join(' or ')}`;
}

/**
 * Two inputs of one node that mean different things (μ and log σ²) cannot be
 * fed by the same output: null when this new edge keeps them apart, else why not.
 */
export function sharedSourceProblem(def: AnyNodeDef, inName: string, fedBy: Record<string, string>, source: string): string | null {
  const kind = def.inputs[inName] && portKind(def.inputs[inName]);
  if (!kind || kind === 'tensor') return null;
  for (const [other, from] of Object.entries(fedBy)) {
    const decl = def.inputs[other];
    if (other === inName || from !== source || !decl) continue;
    const otherKind = portKind(decl);
    if (otherKind !== kind && otherKind !== 'tensor')
      return `${source} already feeds ${other} (${aKind(otherKind)}); ${inName} needs ${aKind(kind)} of its own, from a second head`;
  }
  return null;
}
