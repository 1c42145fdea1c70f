/**
 * Editing a block as layers, and making a block from layers. A block's layers
 * live in the document as a block definition (the very expansion the compiler
 * inlines, see src/compiler/blocks.ts); the first edit of a block that still
 * generates its layers from its parameters writes that expansion down as its
 * definition, in the same undo step. Edits go to the weight owner's
 * definition, so a block applied twice is edited in one place.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { BlockDefinition, GraphDocument, GraphEdge, GraphNode } from '../graph/document';
import type { AnyNodeDef } from '../graph/nodeApi';
import { defaultParams, resolveParams, type ParamDecls } from '../graph/params';
import { definitionOf } from '../compiler/blocks';
import blockNode, { blockPorts } from '../../nodes/block';
import { compileDocument } from './compiled';
import { edgeId, freshId, type Registry } from './docOps';
import type { EditorState } from './editorStore';

/** Where a layer reads from: one of the block's inputs, or a layer's output port. */
export type Ref = { input: string } | { node: string; port: string };
export type Verdict = { ok: true } | { ok: false; reason: string };
type Target = { node: string; port: string };

const same = (a: Ref, b: Ref) =>
  'input' in a ? 'input' in b && a.input === b.input : !('input' in b) && a.node === b.node && a.port === b.port;

/** The node whose definition an edit of `nodeId` changes: the one that owns the weights. */
function ownerOf(doc: GraphDocument, nodeId: string): GraphNode | undefined {
  const node = doc.nodes.find((n) => n.id === nodeId);
  return (node?.sharesWeightsWith && doc.nodes.find((n) => n.id === node.sharesWeightsWith)) || node;
}

/** A Block of the learner's own (collapsed or built), whose parameters only count its ports: it has no generated layers to go back to. */
export const isOwnBlock = (def: AnyNodeDef | undefined) => def?.type === blockNode.type;

/** Layer types that sit in a chain: one input, one output (Dense, Dropout, Activation, Conv2D, Flatten, …). */
export function chainLayerTypes(registry: Registry): AnyNodeDef[] {
  return Object.values(registry).filter(
    (d) => d.kind === 'layer' && d.category === 'layers' && Object.keys(d.inputs).length === 1 && Object.keys(d.outputs).length === 1,
  );
}

const onlyPort = (ports: Record<string, unknown>) => Object.keys(ports)[0];

/** The block's layers as a definition: its own, or the expansion its parameters give for its current inputs, written down. */
export function materialize(
  doc: GraphDocument,
  registry: Registry,
  nodeId: string,
): { doc: GraphDocument; definition: BlockDefinition } | { reason: string } {
  const owner = ownerOf(doc, nodeId);
  const def = owner && registry[owner.type];
  if (!owner || !def || def.kind !== 'block') return { reason: 'only blocks have layers to edit' };
  const existing = definitionOf(doc, owner);
  if (existing) return { doc, definition: existing };
  const { values, problems } = resolveParams(def.params as ParamDecls, owner.params);
  if (problems.length) return { reason: `fix its parameters first: ${problems[0].message}` };
  let expansion;
  try {
    expansion = def.expand(values, compileDocument(doc, registry).shapes[owner.id]?.inputs ?? {});
  } catch (e) {
    return { reason: `connect its inputs first: its layers depend on the shapes it receives (${(e as Error).message})` };
  }
  const id = freshId(`${owner.id}_layers`, new Set((doc.blocks ?? []).map((b) => b.id)));
  const definition: BlockDefinition = { id, title: owner.label || def.title, ...structuredClone(expansion) };
  const nodes = doc.nodes.map((n) => (n.id === owner.id || n.sharesWeightsWith === owner.id ? { ...n, block: id } : n));
  return { doc: { ...doc, nodes, blocks: [...(doc.blocks ?? []), definition] }, definition };
}

/** Applies `edit` to the block's definition (written down first if need be); a string from `edit` is a refusal. */
export function editDefinition(
  doc: GraphDocument,
  registry: Registry,
  nodeId: string,
  edit: (d: BlockDefinition) => BlockDefinition | string,
): { ok: true; doc: GraphDocument } | { ok: false; reason: string } {
  const m = materialize(doc, registry, nodeId);
  if ('reason' in m) return { ok: false, reason: m.reason };
  const next = edit(structuredClone(m.definition));
  if (typeof next === 'string') return { ok: false, reason: next };
  return { ok: true, doc: { ...m.doc, blocks: m.doc.blocks!.map((b) => (b.id === next.id ? next : b)) } };
}

/** Who reads `ref` inside the definition. */
function readersOf(d: BlockDefinition, ref: Ref): Target[] {
  if ('input' in ref) return [...(d.inputs[ref.input] ?? [])];
  return d.edges.filter((e) => e.source === ref.node && e.sourcePort === ref.port).map((e) => ({ node: e.target, port: e.targetPort }));
}

/** What feeds a layer's input port, if anything. */
function feedOf(d: BlockDefinition, t: Target): Ref | undefined {
  const e = d.edges.find((x) => x.target === t.node && x.targetPort === t.port);
  if (e) return { node: e.source, port: e.sourcePort };
  const input = Object.entries(d.inputs).find(([, ts]) => ts.some((x) => x.node === t.node && x.port === t.port));
  return input && { input: input[0] };
}

function detach(d: BlockDefinition, t: Target) {
  d.edges = d.edges.filter((e) => !(e.target === t.node && e.targetPort === t.port));
  for (const port of Object.keys(d.inputs)) d.inputs[port] = d.inputs[port].filter((x) => !(x.node === t.node && x.port === t.port));
}

function attach(d: BlockDefinition, ref: Ref, t: Target) {
  if ('input' in ref) (d.inputs[ref.input] ??= []).push(t);
  else d.edges.push({ source: ref.node, sourcePort: ref.port, target: t.node, targetPort: t.port });
}

/**
 * Everything that read `from` (or just `only`) reads `to`; a refusal when a
 * block output would come straight from an input.
 */
function redirect(d: BlockDefinition, from: Ref, to: Ref, only?: Target): string | null {
  for (const t of only ? [only] : readersOf(d, from)) {
    detach(d, t);
    attach(d, to, t);
  }
  if (only) return null;
  for (const [port, r] of Object.entries(d.outputs)) {
    if (!same(r, from)) continue;
    if ('input' in to) return `its output ${port} would come straight from its input ${to.input}; a block output must come from a layer`;
    d.outputs[port] = to;
  }
  return null;
}

function layerPorts(registry: Registry, d: BlockDefinition, layerId: string) {
  const layer = d.nodes.find((n) => n.id === layerId);
  const def = layer && registry[layer.type];
  if (!layer || !def) return null;
  const ins = Object.keys(def.inputs);
  const outs = Object.keys(def.outputs);
  return ins.length === 1 && outs.length === 1 ? { layer, input: ins[0], output: outs[0] } : { layer, input: null, output: null };
}

export function setLayerParam(d: BlockDefinition, layerId: string, name: string, value: unknown): BlockDefinition | string {
  const layer = d.nodes.find((n) => n.id === layerId);
  if (!layer) return `the block has no layer ${layerId}`;
  layer.params = { ...layer.params, [name]: value };
  return d;
}

/** A new layer of `type` (or `keep`, moved) reading `at`; what read `at` (or just `only`) reads the new layer. */
export function insertLayer(
  registry: Registry,
  d: BlockDefinition,
  at: Ref,
  type: string,
  keep?: BlockDefinition['nodes'][number],
  only?: Target,
): BlockDefinition | string {
  const def = registry[type];
  if (!def || !chainLayerTypes(registry).includes(def)) return `a ${type} cannot be inserted into a chain of layers`;
  const id = keep?.id ?? freshId(type, new Set(d.nodes.map((n) => n.id)));
  const layer = keep ?? { id, type, params: defaultParams(def.params) };
  const output = { node: id, port: onlyPort(def.outputs) };
  const refused = redirect(d, at, output, only);
  if (refused) return refused;
  attach(d, at, { node: id, port: onlyPort(def.inputs) });
  // Right after what it reads, so every reader still comes after it.
  const after = 'input' in at ? -1 : d.nodes.findIndex((n) => n.id === at.node);
  d.nodes.splice(after + 1, 0, layer);
  return d;
}

/** Takes a one-input, one-output layer out; what read it reads what it read. */
export function removeLayer(registry: Registry, d: BlockDefinition, layerId: string): BlockDefinition | string {
  const p = layerPorts(registry, d, layerId);
  if (!p) return `the block has no layer ${layerId}`;
  if (!p.input || !p.output)
    return `${layerId} joins or splits several tensors; only a layer with one input and one output can be taken out`;
  const source = feedOf(d, { node: layerId, port: p.input });
  if (!source) return `${layerId} reads nothing, so nothing could take its place`;
  if (d.nodes.length === 1) return 'a block needs at least one layer';
  detach(d, { node: layerId, port: p.input });
  const refused = redirect(d, { node: layerId, port: p.output }, source);
  if (refused) return refused;
  d.nodes = d.nodes.filter((n) => n.id !== layerId);
  return d;
}

/** Swaps a layer with the one before it (-1) or after it (+1) in a chain, keeping both layers' parameters. */
export function moveLayer(registry: Registry, d: BlockDefinition, layerId: string, dir: -1 | 1): BlockDefinition | string {
  if (dir === 1) {
    const p = layerPorts(registry, d, layerId);
    const readers = p?.output ? readersOf(d, { node: layerId, port: p.output }) : [];
    if (readers.length !== 1 || Object.values(d.outputs).some((r) => r.node === layerId))
      return `${layerId} is the last layer of its chain, or more than one layer reads it`;
    return moveLayer(registry, d, readers[0].node, -1);
  }
  const p = layerPorts(registry, d, layerId);
  if (!p?.input) return `${layerId} has several inputs, so it has no single layer before it`;
  const before = feedOf(d, { node: layerId, port: p.input });
  if (!before || 'input' in before) return `${layerId} is the first layer of its chain`;
  const q = layerPorts(registry, d, before.node);
  const beforeSource = q?.input ? feedOf(d, { node: before.node, port: q.input }) : undefined;
  if (!q?.output || !beforeSource || readersOf(d, before).length !== 1 || Object.values(d.outputs).some((r) => same(r, before)))
    return `${before.node}, before ${layerId}, also feeds other layers; only a simple chain can be reordered`;
  const taken = removeLayer(registry, d, layerId);
  if (typeof taken === 'string') return taken;
  return insertLayer(registry, taken, beforeSource, p.layer.type, p.layer, { node: before.node, port: q.input! });
}

export function renamePort(d: BlockDefinition, port: string, name: string): BlockDefinition {
  const trimmed = name.trim().slice(0, 60);
  const portNames = { ...d.portNames };
  if (trimmed && trimmed !== port) portNames[port] = trimmed;
  else delete portNames[port];
  return { ...d, portNames };
}

/** The block generates its layers from its parameters again; a definition no node uses any more goes. */
export function resetBlock(doc: GraphDocument, nodeId: string): GraphDocument {
  const owner = ownerOf(doc, nodeId);
  if (!owner?.block) return doc;
  const nodes = doc.nodes.map((n) => {
    if (n.id !== owner.id && n.sharesWeightsWith !== owner.id) return n;
    const plain = { ...n };
    delete plain.block;
    return plain;
  });
  const used = new Set(nodes.map((n) => n.block));
  const blocks = (doc.blocks ?? []).filter((b) => used.has(b.id));
  const next: GraphDocument = { ...doc, nodes };
  if (blocks.length) next.blocks = blocks;
  else delete next.blocks;
  return next;
}

/** Layer ids in data-flow order within the selection. */
function orderWithin(ids: Set<string>, edges: GraphEdge[]): string[] | null {
  const inner = edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  const indegree = new Map([...ids].map((id) => [id, inner.filter((e) => e.target === id).length]));
  const order: string[] = [];
  const ready = [...ids].filter((id) => indegree.get(id) === 0);
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const e of inner.filter((x) => x.source === id)) {
      indegree.set(e.target, indegree.get(e.target)! - 1);
      if (indegree.get(e.target) === 0) ready.push(e.target);
    }
  }
  return order.length === ids.size ? order : null;
}

/** Whether some node outside the selection lies on a path from it back into it (the block would feed itself). */
function passesOutside(ids: Set<string>, edges: GraphEdge[]): string | null {
  const seen = new Set<string>();
  const stack = edges.filter((e) => ids.has(e.source) && !ids.has(e.target)).map((e) => e.target);
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of edges.filter((x) => x.source === id)) {
      if (ids.has(e.target)) return id;
      stack.push(e.target);
    }
  }
  return null;
}

export type Collapsed = { ok: true; doc: GraphDocument; id: string } | { ok: false; reason: string };

/**
 * Replaces the selected layers by one Block node whose definition is those
 * layers and the edges between them. Every distinct outside tensor they read
 * becomes an input (x, x2, x3) and every tensor read outside an output (y, y2,
 * y3), named after the node it comes from (renamed in the block editor); an optimizer that trained one of the
 * layers trains the block.
 */
export function collapseLayers(doc: GraphDocument, registry: Registry, nodeIds: string[], title = 'Block'): Collapsed {
  const ids = new Set(nodeIds);
  const chosen = doc.nodes.filter((n) => ids.has(n.id));
  if (chosen.length < 1) return { ok: false, reason: 'select the layers to collapse first' };
  for (const n of chosen) {
    const def = registry[n.type];
    if (!def || def.kind !== 'layer' || def.category !== 'layers')
      return { ok: false, reason: `“${n.label || n.id}” is not a layer; only nodes from the palette’s Layers group can go into a block` };
    if (n.sharesWeightsWith || doc.nodes.some((m) => m.sharesWeightsWith === n.id))
      return { ok: false, reason: `“${n.label || n.id}” shares weights with another node; stop the sharing first` };
    if (n.locked) return { ok: false, reason: `“${n.label || n.id}” is locked by the exercise` };
  }
  const order = orderWithin(ids, doc.edges);
  if (!order) return { ok: false, reason: 'the selected layers form a cycle' };
  const between = passesOutside(ids, doc.edges);
  if (between)
    return { ok: false, reason: `“${between}” lies between selected layers outside the selection; select it too, or fewer layers` };
  const incoming = doc.edges.filter((e) => !ids.has(e.source) && ids.has(e.target));
  const outgoing = doc.edges.filter((e) => ids.has(e.source) && !ids.has(e.target));
  const key = (e: GraphEdge) => `${e.source}.${e.sourcePort}`;
  const inKeys = [...new Set(incoming.map(key))];
  const outKeys = [...new Set(outgoing.map(key))];
  if (inKeys.length < 1) return { ok: false, reason: 'the selected layers read nothing from outside; a block needs an input' };
  if (outKeys.length < 1) return { ok: false, reason: 'nothing outside reads the selected layers; a block needs an output' };
  const ports = blockPorts(inKeys.length, outKeys.length);
  if (ports.inputs.length < inKeys.length || ports.outputs.length < outKeys.length)
    return {
      ok: false,
      reason: `a block has at most ${blockPorts(9, 9).inputs.length} inputs and outputs; these layers have ${inKeys.length} and ${outKeys.length}`,
    };
  for (const n of chosen)
    for (const port of Object.keys(registry[n.type]!.inputs))
      if (!doc.edges.some((e) => e.target === n.id && e.targetPort === port) && !registry[n.type]!.inputs[port].optional)
        return { ok: false, reason: `input ${port} of “${n.label || n.id}” is not connected; connect it first` };

  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const nameOf = (k: string) => {
    const [node, port] = [k.slice(0, k.lastIndexOf('.')), k.slice(k.lastIndexOf('.') + 1)];
    const n = byId.get(node)!;
    return `${n.id}${Object.keys(registry[n.type]?.outputs ?? {}).length > 1 ? `.${port}` : ''}`.slice(0, 60);
  };
  const defId = freshId('block_layers', new Set((doc.blocks ?? []).map((b) => b.id)));
  const definition: BlockDefinition = {
    id: defId,
    title,
    nodes: order.map((id) => ({ id, type: byId.get(id)!.type, params: structuredClone(byId.get(id)!.params) })),
    edges: doc.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ source: e.source, sourcePort: e.sourcePort, target: e.target, targetPort: e.targetPort })),
    inputs: Object.fromEntries(
      inKeys.map((k, i) => [ports.inputs[i], incoming.filter((e) => key(e) === k).map((e) => ({ node: e.target, port: e.targetPort }))]),
    ),
    outputs: Object.fromEntries(
      outKeys.map((k, i) => {
        const e = outgoing.find((x) => key(x) === k)!;
        return [ports.outputs[i], { node: e.source, port: e.sourcePort }];
      }),
    ),
    portNames: Object.fromEntries([
      ...inKeys.map((k, i) => [ports.inputs[i], `from ${nameOf(k)}`]),
      ...outKeys.map((k, i) => [ports.outputs[i], nameOf(k)]),
    ]),
  };
  const id = freshId('block', new Set(doc.nodes.map((n) => n.id)));
  const x = chosen.reduce((s, n) => s + n.position.x, 0) / chosen.length;
  const y = chosen.reduce((s, n) => s + n.position.y, 0) / chosen.length;
  const block: GraphNode = {
    id,
    type: blockNode.type,
    position: { x: Math.round(x / 20) * 20, y: Math.round(y / 20) * 20 },
    params: { inputs: inKeys.length, outputs: outKeys.length },
    label: title,
    block: defId,
  };
  const make = (c: Omit<GraphEdge, 'id'>): GraphEdge => ({ id: edgeId(c), ...c });
  const edges: GraphEdge[] = doc.edges.filter((e) => !ids.has(e.source) && !ids.has(e.target));
  for (const e of incoming)
    edges.push(make({ source: e.source, sourcePort: e.sourcePort, target: id, targetPort: ports.inputs[inKeys.indexOf(key(e))] }));
  for (const e of outgoing)
    edges.push(make({ source: id, sourcePort: ports.outputs[outKeys.indexOf(key(e))], target: e.target, targetPort: e.targetPort }));
  const nodes = doc.nodes.filter((n) => !ids.has(n.id)).map((n) => retarget(n, registry, ids, id));
  return { ok: true, doc: { ...doc, nodes: [...nodes, block], edges, blocks: [...(doc.blocks ?? []), definition] }, id };
}

/** A node-reference parameter (an optimizer's `trains`) that named a collapsed layer names the block. */
function retarget(node: GraphNode, registry: Registry, collapsed: Set<string>, blockId: string): GraphNode {
  let params = node.params;
  for (const [name, decl] of Object.entries((registry[node.type]?.params ?? {}) as ParamDecls)) {
    const value = params[name];
    if (decl.kind !== 'nodeRefs' || !Array.isArray(value) || !value.some((r) => collapsed.has(r as string))) continue;
    params = { ...params, [name]: [...new Set(value.map((r) => (collapsed.has(r as string) ? blockId : r)))] };
  }
  return params === node.params ? node : { ...node, params };
}

/** The store's block actions; each change is one undo step, a refusal changes nothing. */
export interface BlockSlice {
  setBlockLayerParam(nodeId: string, layerId: string, name: string, value: unknown): Verdict;
  insertBlockLayer(nodeId: string, at: Ref, type: string): Verdict;
  removeBlockLayer(nodeId: string, layerId: string): Verdict;
  moveBlockLayer(nodeId: string, layerId: string, dir: -1 | 1): Verdict;
  renameBlockPort(nodeId: string, port: string, name: string): Verdict;
  /** Back to the layers the block's parameters generate (the edits are dropped; undo brings them back). */
  resetBlockLayers(nodeId: string): void;
  /** Collapses the selected layers into a new block, and selects it. */
  collapseSelection(title?: string): { ok: true; id: string } | { ok: false; reason: string };
}

export function blockSlice(set: StoreApi<EditorState>['setState'], get: () => EditorState): BlockSlice {
  const refusal = (nodeId: string): string | null => {
    const s = get();
    const owner = ownerOf(s.doc, nodeId);
    return s.exerciseRole === 'learner' && owner?.locked ? 'the exercise locks this block' : null;
  };
  const edit = (nodeId: string, f: (d: BlockDefinition) => BlockDefinition | string): Verdict => {
    const locked = refusal(nodeId);
    if (locked) return { ok: false, reason: locked };
    const r = editDefinition(get().doc, get().registry, nodeId, f);
    if (!r.ok) return r;
    set({ doc: r.doc });
    return { ok: true };
  };
  return {
    setBlockLayerParam: (nodeId, layerId, name, value) => edit(nodeId, (d) => setLayerParam(d, layerId, name, value)),
    insertBlockLayer: (nodeId, at, type) => edit(nodeId, (d) => insertLayer(get().registry, d, at, type)),
    removeBlockLayer: (nodeId, layerId) => edit(nodeId, (d) => removeLayer(get().registry, d, layerId)),
    moveBlockLayer: (nodeId, layerId, dir) => edit(nodeId, (d) => moveLayer(get().registry, d, layerId, dir)),
    renameBlockPort: (nodeId, port, name) => edit(nodeId, (d) => renamePort(d, port, name)),
    resetBlockLayers: (nodeId) => {
      if (refusal(nodeId)) return;
      const doc = resetBlock(get().doc, nodeId);
      if (doc !== get().doc) set({ doc });
    },
    collapseSelection: (title) => {
      const s = get();
      if (s.exerciseRole === 'learner' && s.doc.exercise) return { ok: false, reason: 'an exercise keeps its layers as they are' };
      const r = collapseLayers(s.doc, s.registry, s.selectedNodeIds, title);
      if (!r.ok) return r;
      set({ doc: r.doc, selectedNodeIds: [r.id], selectedEdgeIds: [] });
      return { ok: true, id: r.id };
    },
  };
}
