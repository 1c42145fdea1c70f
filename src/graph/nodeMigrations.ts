/**
 * Per-node-type parameter migrations. A node type owns its parameters'
 * history (as each tldraw shape owns its migrations): when its `version`
 * grows, its `migrate` turns parameters saved at version v into v + 1. The
 * load path upgrades every node step by step; a node saved by a newer
 * Latent Lab is refused, never half-loaded.
 */
import type { GraphDocument } from './document';
import type { LoadError } from './load';

/** What the load path needs of each node type (the registry satisfies it). */
export type NodeTypeVersions = Record<
  string,
  { version?: number; migrate?(params: Record<string, unknown>, fromVersion: number): Record<string, unknown> }
>;

export function migrateNodeParams(
  doc: GraphDocument,
  nodeTypes: NodeTypeVersions,
): { ok: true; doc: GraphDocument } | { ok: false; error: Omit<LoadError, 'source'> } {
  const nodes = [];
  for (const [i, node] of doc.nodes.entries()) {
    const def = nodeTypes[node.type];
    // Unknown types are the compiler's to report, with the node named.
    const current = def?.version ?? 1;
    const saved = node.version ?? 1;
    if (!def || saved === current) {
      nodes.push(node);
      continue;
    }
    const path = `nodes[${i}].version`;
    if (saved > current)
      return {
        ok: false,
        error: {
          code: 'too-new',
          path,
          message: `node "${node.id}" (${node.type}) was saved with parameters version ${saved}, newer than this Latent Lab's ${current}`,
          hint: 'update Latent Lab to open it',
        },
      };
    let params = node.params;
    for (let v = saved; v < current; v++) {
      try {
        if (!def.migrate) throw new Error(`the ${node.type} node has no migration from version ${v}`);
        params = def.migrate(params, v);
      } catch (e) {
        return {
          ok: false,
          error: {
            code: 'migration',
            path,
            message: `node "${node.id}": upgrading its parameters from version ${v} failed: ${(e as Error).message}`,
          },
        };
      }
    }
    nodes.push({ ...node, params, version: current });
  }
  return { ok: true, doc: { ...doc, nodes } };
}
