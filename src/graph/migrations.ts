/**
 * Sequential migrations: migrations[v] turns a version-v document into v+1.
 * Each takes and returns plain JSON, so a document is upgraded one step at a
 * time from whatever version it was saved in.
 */
export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * Version 0 was the pre-release format: `version` instead of `schemaVersion`,
 * node parameters under `data`, and edges with `from`/`to` as "node.port".
 */
export const migrations: Record<number, Migration> = {
  0: (doc) => {
    const splitEnd = (end: unknown) => {
      const s = String(end ?? '');
      const dot = s.indexOf('.');
      return dot < 0 ? [s, ''] : [s.slice(0, dot), s.slice(dot + 1)];
    };
    const nodes = Array.isArray(doc.nodes) ? doc.nodes : [];
    const edges = Array.isArray(doc.edges) ? doc.edges : [];
    const { version: _version, ...rest } = doc;
    return {
      ...rest,
      schemaVersion: 1,
      nodes: nodes.map((n: Record<string, unknown>) => {
        const { data, ...node } = n ?? {};
        return { ...node, params: node.params ?? data ?? {} };
      }),
      edges: edges.map((e: Record<string, unknown>, i: number) => {
        if (!e || !('from' in e)) return e;
        const [source, sourcePort] = splitEnd(e.from);
        const [target, targetPort] = splitEnd(e.to);
        return { id: e.id ?? `e${i}`, source, sourcePort, target, targetPort };
      }),
    };
  },
  // Version 2 added only optional fields (locks, sticky notes, groups, an exercise): a version-1 document is already valid.
  1: (doc) => ({ ...doc, schemaVersion: 2 }),
};

/** The version a raw document says it is: `schemaVersion`, or the old `version` field. */
export function versionOf(doc: Record<string, unknown>): number | null {
  const v = doc.schemaVersion ?? doc.version;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}
