/**
 * What a block node stands for, as layers: the document's block definition it
 * refers to (edited layer by layer in the block editor) or, without one, the
 * expansion its parameters generate. The compiler inlines exactly this, and
 * the block editor lists and edits exactly this, so the two cannot disagree.
 */
import type { BlockDefinition, GraphDocument, GraphNode } from '../graph/document';
import type { BlockNodeDef, Expansion } from '../graph/nodeApi';
import type { AnyParamValues } from '../graph/params';
import type { Shape } from '../graph/shape';

/** The definition a block node's layers come from: the weight owner's, so a shared block is one definition. */
export function definitionOf(doc: GraphDocument, node: GraphNode): BlockDefinition | undefined {
  const owner = (node.sharesWeightsWith && doc.nodes.find((n) => n.id === node.sharesWeightsWith)) || node;
  return owner.block === undefined ? undefined : doc.blocks?.find((b) => b.id === owner.block);
}

/**
 * The block's layers for these input shapes. Throws an Error whose message
 * says what is wrong and how to fix it (a missing definition, a layer that
 * reads one listed after it).
 */
export function expansionOf(
  doc: GraphDocument,
  node: GraphNode,
  def: BlockNodeDef,
  params: AnyParamValues,
  inputs: Record<string, Shape>,
): Expansion {
  const owner = (node.sharesWeightsWith && doc.nodes.find((n) => n.id === node.sharesWeightsWith)) || node;
  if (owner.block === undefined) return def.expand(params, inputs);
  const definition = definitionOf(doc, node);
  if (!definition)
    throw new Error(`its layers are the block definition "${owner.block}", which the document does not have; open the block and reset it`);
  checkOrder(definition);
  for (const [port, refs] of Object.entries(definition.inputs))
    if (refs.length && !inputs[port])
      throw new Error(`its layers read its input ${port}, which is not connected; connect ${port} or remove the layers that read it`);
  return definition;
}

/** Layers must come in data-flow order and every reference must name a layer of the definition. */
function checkOrder(d: BlockDefinition) {
  const index = new Map(d.nodes.map((n, i) => [n.id, i]));
  if (index.size !== d.nodes.length) throw new Error('two of its layers have the same id; give each layer its own id');
  for (const e of d.edges) {
    const from = index.get(e.source);
    const to = index.get(e.target);
    if (from === undefined || to === undefined)
      throw new Error(`a connection inside reads "${from === undefined ? e.source : e.target}", which is not one of its layers`);
    if (from >= to) throw new Error(`layer ${e.target} reads ${e.source}, which comes after it; list the layers in data-flow order`);
  }
  for (const refs of Object.values(d.inputs))
    for (const r of refs) if (!index.has(r.node)) throw new Error(`an input feeds "${r.node}", which is not one of its layers`);
  for (const [port, r] of Object.entries(d.outputs))
    if (!index.has(r.node)) throw new Error(`its output ${port} comes from "${r.node}", which is not one of its layers`);
}
