/** Kahn's algorithm; nodes left over sit on or behind a cycle. */
export function topoOrder(ids: string[], deps: Map<string, string[]>): { order: string[]; stuck: string[] } {
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const ds = (deps.get(id) ?? []).filter((d) => deps.has(d));
    pending.set(id, ds.length);
    for (const d of ds) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(id);
  }
  const ready = ids.filter((id) => pending.get(id) === 0);
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = pending.get(next)! - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const done = new Set(order);
  return { order, stuck: ids.filter((id) => !done.has(id)) };
}

/** One cycle among `stuck` nodes, in data-flow order, for the error message. */
export function findCycle(stuck: string[], deps: Map<string, string[]>): string[] {
  const inStuck = new Set(stuck);
  // Walking dependencies backwards from any stuck node must revisit a node: that loop is a cycle.
  let id = stuck[0];
  const seenAt = new Map<string, number>();
  const path: string[] = [];
  while (!seenAt.has(id)) {
    seenAt.set(id, path.length);
    path.push(id);
    const next = (deps.get(id) ?? []).find((d) => inStuck.has(d));
    if (next === undefined) break;
    id = next;
  }
  return path.slice(seenAt.get(id) ?? 0).reverse();
}
