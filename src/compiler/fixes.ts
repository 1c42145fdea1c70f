/**
 * Shape errors placed on the edge that carries the bad shape, with the shape
 * the input wanted and, where one exists, a repair. Repairs are found by
 * trying them through the nodes' own shape inference, so no node writes them:
 * a parameterless layer put on the edge (Flatten), or an integer parameter of
 * the layer that made the shape (units, filters) set to the wanted size.
 */
import type { GraphDocument, GraphEdge } from '../graph/document';
import { isFailure, type AnyNodeDef, type InferContext, type LayerNodeDef } from '../graph/nodeApi';
import { resolveParams, type AnyParamValues } from '../graph/params';
import { sameShape, type Shape } from '../graph/shape';
import type { GraphError, GraphFix } from './errors';

export interface FixContext {
  doc: GraphDocument;
  registry: Record<string, AnyNodeDef>;
  params: Record<string, AnyParamValues>;
  shapes: Record<string, { inputs: Record<string, Shape>; outputs: Record<string, Shape> }>;
  infer: InferContext;
}

export function placeShapeError(e: GraphError, c: FixContext): GraphError {
  if (e.code !== 'shape' || !e.nodeId || !e.port || e.edgeId) return e;
  const edge = c.doc.edges.find((d) => d.target === e.nodeId && d.targetPort === e.port);
  const node = c.doc.nodes.find((n) => n.id === e.nodeId);
  const def = node && c.registry[node.type];
  const inputs = c.shapes[e.nodeId]?.inputs;
  const actual = inputs?.[e.port];
  if (!edge || !def || !inputs || !actual) return e;
  const placed: GraphError = { ...e, edgeId: edge.id, expected: def.inputs[e.port]?.doc };
  if (def.kind !== 'layer') return placed;
  const port = e.port;
  const accepts = (shape: Shape) => inferred(def, { ...inputs, [port]: shape }, c.params[e.nodeId!], c.infer) !== null;
  const candidates = [
    // A node that needs two inputs alike (μ and log σ²) wants this one like its sibling.
    ...Object.entries(inputs)
      .filter(([p, s]) => p !== port && !sameShape(s, actual))
      .map(([, s]) => s),
    ...(actual.length > 2 ? [[actual[0], actual.slice(1).reduce((a, b) => a * b, 1)]] : []),
  ].filter(accepts);
  if (!candidates.length) return placed;
  const fix = candidates.map((want) => insertFix(edge, actual, want, c) ?? paramFix(edge, want, c)).find((f) => f !== null);
  return { ...placed, expected: candidates[0], ...(fix ? { fix } : {}) };
}

/** The layer's output shapes for these inputs, or null where it refuses them. */
function inferred(
  def: LayerNodeDef,
  inputs: Record<string, Shape>,
  params: AnyParamValues | undefined,
  ctx: InferContext,
): Record<string, Shape> | null {
  if (!params) return null;
  try {
    const r = def.inferShapes(inputs, params, ctx);
    return isFailure(r) ? null : r;
  } catch {
    return null;
  }
}

/** A layer with no parameters and one port each way that turns `actual` into `want`. */
function insertFix(edge: GraphEdge, actual: Shape, want: Shape, c: FixContext): GraphFix | null {
  for (const [type, def] of Object.entries(c.registry)) {
    if (def.kind !== 'layer' || Object.keys(def.params).length || def.trainable !== false) continue;
    const [inPort, ...moreIn] = Object.keys(def.inputs);
    const [outPort, ...moreOut] = Object.keys(def.outputs);
    if (!inPort || !outPort || moreIn.length || moreOut.length) continue;
    const out = inferred(def, { [inPort]: actual }, resolveParams(def.params, {}).values, c.infer)?.[outPort];
    if (out && sameShape(out, want)) return { kind: 'insertNode', type, edgeId: edge.id, label: `insert ${def.title}` };
  }
  return null;
}

/** An integer parameter of the edge's source layer that, set to the wanted last size, makes exactly the wanted shape. */
function paramFix(edge: GraphEdge, want: Shape, c: FixContext): GraphFix | null {
  const source = c.doc.nodes.find((n) => n.id === edge.source);
  // A node sharing weights runs with its owner's parameters: the owner is the one to change.
  const owner = source?.sharesWeightsWith ? c.doc.nodes.find((n) => n.id === source.sharesWeightsWith) : source;
  const def = owner && c.registry[owner.type];
  const params = owner && c.params[owner.id];
  const inputs = source && c.shapes[source.id]?.inputs;
  const size = want[want.length - 1];
  if (!owner || !def || def.kind !== 'layer' || !params || !inputs || want.length < 2) return null;
  for (const [name, decl] of Object.entries(def.params)) {
    if (decl.kind !== 'int' || params[name] === size || size < decl.min || size > decl.max) continue;
    const out = inferred(def, inputs, { ...params, [name]: size }, c.infer)?.[edge.sourcePort];
    if (out && sameShape(out, want))
      return { kind: 'setParam', nodeId: owner.id, param: name, value: size, label: `set ${owner.label || owner.id}'s ${name} to ${size}` };
  }
  return null;
}
