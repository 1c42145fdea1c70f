/**
 * Unpacking a block: the block node is replaced, in one edit, by the layer
 * nodes it expands to. The compiler inlines blocks the same way, so the result
 * trains the same network: the same shapes on every surrounding edge and the
 * same parameter count. Refused (with a reason the UI shows) whenever the
 * result could not be the same graph: shared weights, unknown input shapes, a
 * connected port the expansion does not use.
 */
import type { GraphDocument, GraphEdge, GraphNode } from '../graph/document';
import type { Expansion } from '../graph/nodeApi';
import { resolveParams, type ParamDecls } from '../graph/params';
import { expansionOf } from '../compiler/blocks';
import { compileDocument } from './compiled';
import { edgeId, freshId, type Registry, type XY } from './docOps';

/** `caveats`: what the user gives up by unpacking, said before they do it. */
export type UnpackCheck = { ok: true; expansion: Expansion; caveats: string[] } | { ok: false; reason: string };

/** Room per unpacked layer: a column per step of data flow, a row per parallel branch. */
export const UNPACK_COL = 260;
export const UNPACK_ROW = 160;
const GRID = 20;
const snap = (v: number) => Math.round(v / GRID) * GRID;

/** Whether `nodeId` can be unpacked, and the expansion it would become. */
export function checkUnpack(doc: GraphDocument, registry: Registry, nodeId: string): UnpackCheck {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return { ok: false, reason: 'the node is not in the graph' };
  const def = registry[node.type];
  if (!def || def.kind !== 'block')
    return { ok: false, reason: 'only blocks (encoder, decoder, generator, discriminator) can be unpacked' };
  if (node.sharesWeightsWith) {
    const owner = doc.nodes.find((n) => n.id === node.sharesWeightsWith);
    return {
      ok: false,
      reason: `This block applies the weights of “${owner?.label || node.sharesWeightsWith}”. Unpacked, its layers would be new layers with weights of their own, so the two would silently stop being one network. Stop sharing (Inspector → Weights) to unpack it as a separate network.`,
    };
  }
  const sharers = doc.nodes.filter((n) => n.sharesWeightsWith === nodeId).map((n) => n.label || n.id);
  if (sharers.length)
    return {
      ok: false,
      reason: `${sharers.map((s) => `“${s}”`).join(', ')} ${sharers.length > 1 ? 'apply' : 'applies'} this block’s weights, and weights are shared between whole blocks of one type. Unpacked, this block’s layers would no longer be a block ${sharers.length > 1 ? 'they' : 'it'} can share with. Stop the sharing first.`,
    };
  const { values, problems } = resolveParams(def.params as ParamDecls, node.params);
  if (problems.length) return { ok: false, reason: `fix its parameters first: ${problems[0].message}` };
  const compiled = compileDocument(doc, registry);
  const known = compiled.shapes[nodeId]?.inputs ?? {};
  const edgesIn = doc.edges.filter((e) => e.target === nodeId);
  for (const [port, decl] of Object.entries(def.inputs)) {
    const connected = edgesIn.some((e) => e.targetPort === port);
    if (!connected && !decl.optional)
      return { ok: false, reason: `connect its input “${port}” first: the layers a block becomes depend on the shapes it receives` };
    if (connected && !known[port])
      return { ok: false, reason: `the shape arriving at “${port}” is not known yet; fix the errors upstream first` };
  }
  let expansion: Expansion;
  try {
    // A block with layers of its own unpacks into those, the very network that trains.
    expansion = expansionOf(doc, node, def, values, known);
  } catch (e) {
    return { ok: false, reason: `it cannot expand with its current inputs: ${(e as Error).message}` };
  }
  for (const inner of expansion.nodes) {
    const innerDef = registry[inner.type];
    if (!innerDef || innerDef.kind !== 'layer') return { ok: false, reason: `it expands to an unknown layer type “${inner.type}”` };
  }
  for (const e of edgesIn)
    if (!expansion.inputs[e.targetPort]?.length)
      return { ok: false, reason: `its input “${e.targetPort}” is connected but, as configured, no layer inside reads it` };
  for (const e of doc.edges.filter((x) => x.source === nodeId))
    if (!expansion.outputs[e.sourcePort])
      return {
        ok: false,
        reason: `its output “${e.sourcePort}” is connected but, as configured, the block does not produce it; reconnect or remove that edge first`,
      };
  if (compiled.errors.some((e) => e.nodeId === nodeId && e.severity === 'error' && e.code !== 'frozen'))
    return { ok: false, reason: 'fix the errors on this block first (see the errors panel)' };
  // The compiler finds a plain autoencoder's code through the block's latent port; inner layers carry no roles.
  const caveats = Object.entries(def.outputs)
    .filter(([port, decl]) => decl.role === 'latent' && expansion.outputs[port])
    .map(
      ([port]) =>
        `“${port}” is the block’s latent code, which the latent views (scatter, interpolation, traversal) read when the graph has no Sampler. Unpacked, it is an ordinary layer output, so those views go away for such a graph.`,
    );
  return { ok: true, expansion, caveats };
}

/** Longest path from the block's inputs, per inner layer: its column in the unpacked layout. */
function depths(expansion: Expansion): Map<string, number> {
  const depth = new Map<string, number>();
  // Expansions list layers in data-flow order, so one pass settles every depth.
  for (const n of expansion.nodes) {
    const preds = expansion.edges.filter((e) => e.target === n.id).map((e) => depth.get(e.source) ?? 0);
    depth.set(n.id, preds.length ? Math.max(...preds) + 1 : 0);
  }
  return depth;
}

export interface Unpacked {
  doc: GraphDocument;
  ids: string[];
}

/**
 * Replaces the block by its layers. Ids are `<block>_<layer>` (made unique),
 * labels say where a layer came from, edges into and out of the block move to
 * the inner ports named by the expansion, nodes to the right of the block make
 * room, and node references (an optimizer's `trains`) naming the block name its
 * trainable layers instead.
 */
export function unpackBlock(doc: GraphDocument, registry: Registry, nodeId: string): Unpacked | { error: string } {
  const check = checkUnpack(doc, registry, nodeId);
  if (!check.ok) return { error: check.reason };
  const { expansion } = check;
  const block = doc.nodes.find((n) => n.id === nodeId)!;
  const taken = new Set(doc.nodes.map((n) => n.id).filter((id) => id !== nodeId));
  const rename = new Map<string, string>();
  for (const inner of expansion.nodes) {
    const base = `${nodeId}_${inner.id}`.replace(/[^A-Za-z0-9_-]+/g, '_');
    const id = taken.has(base) ? freshId(base, taken) : base;
    taken.add(id);
    rename.set(inner.id, id);
  }
  const of = (inner: string) => rename.get(inner)!;

  // Layout: columns by data-flow depth, rows centred on the block.
  const depth = depths(expansion);
  const columns = new Map<number, string[]>();
  for (const n of expansion.nodes) (columns.get(depth.get(n.id)!) ?? columns.set(depth.get(n.id)!, []).get(depth.get(n.id)!)!).push(n.id);
  const pos = new Map<string, XY>();
  for (const [col, ids] of columns)
    ids.forEach((id, row) =>
      pos.set(id, { x: snap(block.position.x + col * UNPACK_COL), y: snap(block.position.y + (row - (ids.length - 1) / 2) * UNPACK_ROW) }),
    );
  const extra = Math.max(...columns.keys()) * UNPACK_COL;

  const prefix = block.label || block.id;
  const layers: GraphNode[] = expansion.nodes.map((inner) => ({
    id: of(inner.id),
    type: inner.type,
    position: pos.get(inner.id)!,
    params: structuredClone(inner.params),
    // The layer name first: titles are cut at the node width, and the block name is the same on every layer.
    label: `${inner.id} · ${prefix}`.slice(0, 200),
  }));
  const trainable = expansion.nodes
    .filter((n) => {
      const d = registry[n.type];
      return d?.kind === 'layer' && d.trainable;
    })
    .map((n) => of(n.id));

  const nodes: GraphNode[] = [];
  for (const n of doc.nodes) {
    if (n.id === nodeId) {
      nodes.push(...layers);
      continue;
    }
    let next = expandRefs(n, registry, nodeId, trainable);
    // Make room: what sat to the right of the block moves right by the width the layers add.
    if (extra > 0 && next.position.x > block.position.x) next = { ...next, position: { x: next.position.x + extra, y: next.position.y } };
    nodes.push(next);
  }

  const make = (c: Omit<GraphEdge, 'id'>): GraphEdge => ({ id: edgeId(c), ...c });
  const edges: GraphEdge[] = [];
  for (const e of doc.edges) {
    if (e.target === nodeId) {
      for (const t of expansion.inputs[e.targetPort])
        edges.push(make({ source: e.source, sourcePort: e.sourcePort, target: of(t.node), targetPort: t.port }));
    } else if (e.source === nodeId) {
      const s = expansion.outputs[e.sourcePort];
      edges.push(make({ source: of(s.node), sourcePort: s.port, target: e.target, targetPort: e.targetPort }));
    } else edges.push(e);
  }
  for (const e of expansion.edges)
    edges.push(make({ source: of(e.source), sourcePort: e.sourcePort, target: of(e.target), targetPort: e.targetPort }));

  return { doc: { ...doc, nodes, edges }, ids: layers.map((n) => n.id) };
}

/** A nodeRefs parameter that named the block now names the block's trainable layers, in its place. */
function expandRefs(node: GraphNode, registry: Registry, blockId: string, replacement: string[]): GraphNode {
  const decls: ParamDecls = registry[node.type]?.params ?? {};
  let params = node.params;
  for (const [name, decl] of Object.entries(decls)) {
    const value = params[name];
    if (decl.kind !== 'nodeRefs' || !Array.isArray(value) || !value.includes(blockId)) continue;
    const out: unknown[] = [];
    for (const r of value) {
      if (r === blockId) {
        for (const id of replacement) if (!out.includes(id)) out.push(id);
      } else if (!out.includes(r)) out.push(r);
    }
    params = { ...params, [name]: out };
  }
  return params === node.params ? node : { ...node, params };
}
