/** The one upstream walk over a flat plan: the compiler, the model and the views all use it. */
import type { Mode } from '../graph/nodeApi';
import type { CompiledNode } from './plan';

/**
 * Flat ids upstream of `start` (inclusive). With a mode, only the inputs a
 * node reads in that mode are followed (a sampler ignores its encoder when
 * generating); without one, every input is. The walk never enters `stopAt`.
 */
export function upstreamOf(
  byId: Record<string, CompiledNode>,
  start: readonly string[],
  mode?: Mode,
  stopAt: readonly string[] = [],
): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || stopAt.includes(id)) continue;
    seen.add(id);
    const n = byId[id];
    if (!n) continue;
    for (const port of inputsRead(n, mode)) stack.push(n.inputs[port].node);
  }
  return seen;
}

/** The connected inputs `node` reads in `mode` (every connected input without a mode). */
export function inputsRead(node: CompiledNode, mode?: Mode): string[] {
  const used = mode ? (node.def.inputsUsedIn?.(mode) ?? 'all') : 'all';
  return Object.keys(node.inputs).filter((port) => used === 'all' || used.includes(port));
}
