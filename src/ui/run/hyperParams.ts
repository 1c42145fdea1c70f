/**
 * The run panel's learning-rate and batch fields edit the document, not the
 * worker: the optimizer's and the dataset's parameters, named by their
 * capabilities. The inspector, exports, share links and the worker then see
 * one value (the worker follows the document it is sent).
 */
import type { GraphDocument } from '../../graph/document';
import type { AnyNodeDef } from '../../graph/nodeApi';
import type { FloatParam, IntParam } from '../../graph/params';

export interface HyperField {
  nodeId: string;
  param: string;
  value: number;
  min: number;
  max: number;
  integer: boolean;
}

function field(doc: GraphDocument, registry: Record<string, AnyNodeDef>, nodeId: string, param: string): HyperField | null {
  const node = doc.nodes.find((n) => n.id === nodeId);
  const decl = node && (registry[node.type]?.params[param] as FloatParam | IntParam | undefined);
  if (!node || !decl || (decl.kind !== 'float' && decl.kind !== 'int')) return null;
  const raw = node.params[param];
  const value = typeof raw === 'number' ? raw : decl.default;
  // An exclusive minimum (a learning rate > 0) becomes the smallest value the field offers.
  const min = decl.min === undefined ? -Infinity : decl.kind === 'float' && decl.exclusiveMin ? Math.max(decl.min, 1e-12) : decl.min;
  return { nodeId, param, value, min, max: decl.max ?? Infinity, integer: decl.kind === 'int' };
}

/** The learning-rate field of each optimizer node. */
export function learningRateField(doc: GraphDocument, registry: Record<string, AnyNodeDef>, optimizerId: string): HyperField | null {
  const node = doc.nodes.find((n) => n.id === optimizerId);
  const key = node && registry[node.type]?.optimizer?.learningRate;
  return key ? field(doc, registry, optimizerId, key) : null;
}

/** The batch-size field of the graph's dataset node. */
export function batchSizeField(doc: GraphDocument, registry: Record<string, AnyNodeDef>): HyperField | null {
  for (const node of doc.nodes) {
    const key = registry[node.type]?.dataset?.batchSize;
    if (key) return field(doc, registry, node.id, key);
  }
  return null;
}
