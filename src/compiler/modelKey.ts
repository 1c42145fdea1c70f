/** A key that changes exactly when the model does: checkpoints are stored under it. */
import type { GraphDocument } from '../graph/document';

/** Hashes what of a document affects the model (not positions, labels, notes or the title). */
export function modelKeyOf(doc: GraphDocument): string {
  const nodes = [...doc.nodes].sort((a, b) => a.id.localeCompare(b.id)).map((n) => [n.id, n.type, n.params, n.sharesWeightsWith ?? null]);
  const edges = doc.edges.map((e) => `${e.source}.${e.sourcePort}>${e.target}.${e.targetPort}`).sort();
  const text = JSON.stringify([doc.meta.seed, nodes, edges]);
  // Two 32-bit FNV-style hashes: 64 bits make an accidental collision between a user's graphs negligible.
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}
