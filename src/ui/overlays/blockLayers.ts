/**
 * What a block stands for, layer by layer, with the shape each layer outputs
 * for the block's current inputs. The same expansion the compiler inlines
 * (src/compiler/blocks.ts), but it keeps going past a failure so the user
 * sees where the shapes stop working.
 */
import { expansionOf } from '../../compiler/blocks';
import type { GraphDocument, GraphNode } from '../../graph/document';
import type { AnyNodeDef, DataInfo, LayerNodeDef } from '../../graph/nodeApi';
import { isFailure } from '../../graph/nodeApi';
import { resolveParams } from '../../graph/params';
import type { Shape } from '../../graph/shape';

export interface LayerRow {
  id: string;
  type: string;
  title: string;
  params: Record<string, unknown>;
  inputs: string[];
  outputs: Record<string, Shape>;
  problem?: string;
}

/** A layer's inner network (an affine coupling's net), each step reading the one before. */
function innerNetworkRows(
  def: LayerNodeDef,
  params: Record<string, unknown>,
  inputShapes: Record<string, Shape>,
): { rows: LayerRow[]; error?: string } {
  if (!def.innerNetwork) return { rows: [] };
  try {
    const steps = def.innerNetwork(inputShapes, resolveParams(def.params, params).values);
    return {
      rows: steps.map((step) => ({
        id: step.id,
        type: step.title,
        title: step.title,
        params: step.params,
        inputs: step.reads,
        outputs: { out: step.output },
      })),
    };
  } catch (e) {
    return { rows: [], error: `cannot list the network for the current inputs: ${(e as Error).message}` };
  }
}

/**
 * `node`'s layers as the compiler inlines them (its block definition, or what
 * its parameters generate); `outputs` names the layer port behind each of the
 * block's outputs ("layer.port").
 */
export function blockLayers(
  def: AnyNodeDef,
  node: GraphNode,
  doc: GraphDocument,
  inputShapes: Record<string, Shape>,
  registry: Record<string, AnyNodeDef>,
  data: DataInfo | null,
): { rows: LayerRow[]; error?: string; outputs?: Record<string, string> } {
  if (def.kind !== 'block') return innerNetworkRows(def, node.params, inputShapes);
  const { values } = resolveParams(def.params, node.params);
  let expansion;
  try {
    expansion = expansionOf(doc, node, def, values, inputShapes);
  } catch (e) {
    return { rows: [], error: `cannot expand with the current inputs: ${(e as Error).message}` };
  }
  const produced = new Map<string, Shape>();
  const sources = new Map<string, Record<string, string>>();
  for (const [port, targets] of Object.entries(expansion.inputs))
    for (const t of targets) {
      (sources.get(t.node) ?? sources.set(t.node, {}).get(t.node)!)[t.port] = `block.${port}`;
      if (inputShapes[port]) produced.set(`block.${port}`, inputShapes[port]);
    }
  for (const e of expansion.edges)
    (sources.get(e.target) ?? sources.set(e.target, {}).get(e.target)!)[e.targetPort] = `${e.source}.${e.sourcePort}`;
  const rows = expansion.nodes.map((inner) => {
    const innerDef = registry[inner.type];
    const row: LayerRow = {
      id: inner.id,
      type: inner.type,
      title: innerDef?.title ?? inner.type,
      params: inner.params,
      inputs: Object.values(sources.get(inner.id) ?? {}),
      outputs: {},
    };
    if (!innerDef || innerDef.kind !== 'layer') return { ...row, problem: `unknown layer type "${inner.type}"` };
    const shapes: Record<string, Shape> = {};
    for (const [port, from] of Object.entries(sources.get(inner.id) ?? {})) {
      const s = produced.get(from);
      if (!s) return { ...row, problem: 'waiting for its inputs' };
      shapes[port] = s;
    }
    const resolved = resolveParams(innerDef.params, inner.params);
    try {
      const result = innerDef.inferShapes(shapes, resolved.values, { data });
      if (isFailure(result)) return { ...row, problem: result.failure.message };
      for (const [port, s] of Object.entries(result)) produced.set(`${inner.id}.${port}`, s);
      return { ...row, outputs: result };
    } catch (e) {
      return { ...row, problem: (e as Error).message };
    }
  });
  const outputs = Object.fromEntries(Object.entries(expansion.outputs).map(([port, r]) => [port, `${r.node}.${r.port}`]));
  return { rows, outputs };
}
