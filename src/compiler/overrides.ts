/**
 * Settings that come from outside the document (the CLI's --batch, --lr,
 * --data) written into it through the nodes' capabilities, so the run, the
 * saved graph.json and every view agree on one value.
 */
import type { GraphDocument } from '../graph/document';
import type { Registry } from './compile';

export interface DocOverrides {
  /** Every Dataset's batch size. */
  batchSize?: number;
  /** Every optimizer's learning rate. */
  learningRate?: number;
  /** Read the examples from these files instead. */
  files?: { source: 'idx' | 'pngdir'; path: string };
  seed?: number;
}

export function applyDocOverrides(doc: GraphDocument, registry: Registry, o: DocOverrides): GraphDocument {
  const out = structuredClone(doc);
  if (o.seed !== undefined) out.meta.seed = o.seed;
  for (const node of out.nodes) {
    const def = registry[node.type];
    if (!def) continue;
    if (def.dataset) {
      if (o.batchSize !== undefined) node.params[def.dataset.batchSize] = o.batchSize;
      // withFiles keeps the node's other parameters; the compiler checks them all afterwards.
      if (o.files) node.params = def.dataset.withFiles(node.params, o.files);
    }
    if (def.optimizer && o.learningRate !== undefined) node.params[def.optimizer.learningRate] = o.learningRate;
  }
  return out;
}
