/**
 * Which declared ports a node has with its parameters (the node contract's
 * `activePorts`), and why a port is missing: one answer for the canvas, the
 * inspector and the compiler.
 */
import type { AnyNodeDef } from './nodeApi';
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
