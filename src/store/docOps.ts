/**
 * Pure edits on a GraphDocument. Every editor change goes through one of these,
 * so each is testable without the DOM and each keeps the document free of
 * dangling edges and dangling references. They never mutate their input.
 */
import type { GraphDocument, GraphEdge, GraphNode, GroupFrame, StickyNote } from '../graph/document';
import type { Registry } from '../compiler/compile';
import { defaultParams, type ParamDecls } from '../graph/params';
import { compileDocument } from './compiled';
import type { GraphFix } from '../compiler/errors';
import { kindHint, portMismatch, sharedSourceProblem } from '../graph/ports';

export type { Registry };
export interface XY {
  x: number;
  y: number;
}
export interface PortConnection {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}
/** Copied nodes and the edges between them, detached from any document. */
export interface Fragment {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Readable, stable ids (`dense_3`) that never collide with an existing node. */
export function freshId(base: string, taken: Set<string>): string {
  const stem = base.replace(/[^A-Za-z0-9]+/g, '_').replace(/_\d+$/, '') || 'node';
  for (let n = 1; ; n++) {
    const id = `${stem}_${n}`;
    if (!taken.has(id)) return id;
  }
}

export function edgeId(c: PortConnection): string {
  return `${c.source}.${c.sourcePort}-${c.target}.${c.targetPort}`;
}

export function addNode(doc: GraphDocument, registry: Registry, type: string, position: XY): { doc: GraphDocument; id: string } {
  const def = registry[type];
  if (!def) throw new Error(`unknown node type "${type}"`);
  const id = freshId(type, new Set(doc.nodes.map((n) => n.id)));
  const node: GraphNode = { id, type, position: { x: position.x, y: position.y }, params: defaultParams(def.params) };
  // A new node holds its type's current parameters, so a later load must not migrate them again.
  if (def.version && def.version > 1) node.version = def.version;
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether an edge may be drawn: ports exist, types match, no cycle, and the
 * target's shape inference accepts it. An occupied input is fine: the new edge
 * replaces the old one (see `connect`).
 */
export function checkConnection(doc: GraphDocument, registry: Registry, c: PortConnection): ConnectionCheck {
  const src = doc.nodes.find((n) => n.id === c.source);
  const dst = doc.nodes.find((n) => n.id === c.target);
  if (!src || !dst) return { ok: false, reason: 'node not found' };
  if (src.id === dst.id) return { ok: false, reason: 'a node cannot feed itself' };
  const out = registry[src.type]?.outputs[c.sourcePort];
  const inp = registry[dst.type]?.inputs[c.targetPort];
  if (!out || !inp) return { ok: false, reason: 'connect an output (right) to an input (left)' };
  const mismatch = portMismatch(out, `${src.label || src.id}.${c.sourcePort}`, inp, c.targetPort);
  if (mismatch) return { ok: false, reason: `${mismatch} — ${kindHint(inp)}` };
  const fedBy = Object.fromEntries(
    doc.edges.filter((e) => e.target === dst.id && e.targetPort !== c.targetPort).map((e) => [e.targetPort, `${e.source}.${e.sourcePort}`]),
  );
  const shared = sharedSourceProblem(registry[dst.type], c.targetPort, fedBy, `${src.id}.${c.sourcePort}`);
  if (shared) return { ok: false, reason: shared };
  if (reaches(doc, dst.id, src.id)) return { ok: false, reason: 'this edge would close a loop' };
  const after = compileDocument(connect(doc, c), registry);
  const problem = after.errors.find((e) => e.nodeId === dst.id && e.code === 'shape' && (!e.port || e.port === c.targetPort));
  if (problem) {
    const before = compileDocument(doc, registry).errors.some(
      (e) => e.nodeId === dst.id && e.code === 'shape' && e.message === problem.message,
    );
    if (!before) return { ok: false, reason: problem.message + (problem.hint ? ` — ${problem.hint}` : '') };
  }
  return { ok: true };
}

// ——— One-click repairs (issue 18): a compiler-proposed GraphFix applied as one edit. ———

/**
 * The document with the fix applied (a parameter set, or a node put on an
 * edge between its two ends), and the node it added; null when the fix no
 * longer fits the document (its edge or node is gone).
 */
export function applyFix(doc: GraphDocument, registry: Registry, fix: GraphFix): { doc: GraphDocument; id?: string } | null {
  if (fix.kind === 'setParam')
    return doc.nodes.some((n) => n.id === fix.nodeId) ? { doc: setParam(doc, fix.nodeId, fix.param, fix.value) } : null;
  const edge = doc.edges.find((e) => e.id === fix.edgeId);
  const def = registry[fix.type];
  const from = edge && doc.nodes.find((n) => n.id === edge.source);
  const to = edge && doc.nodes.find((n) => n.id === edge.target);
  const inPort = def && Object.keys(def.inputs)[0];
  const outPort = def && Object.keys(def.outputs)[0];
  if (!edge || !from || !to || !inPort || !outPort) return null;
  const middle = { x: (from.position.x + to.position.x) / 2, y: (from.position.y + to.position.y) / 2 };
  const added = addNode(removeElements(doc, registry, [], [edge.id]), registry, fix.type, middle);
  const into = connect(added.doc, { source: edge.source, sourcePort: edge.sourcePort, target: added.id, targetPort: inPort });
  return { doc: connect(into, { source: added.id, sourcePort: outPort, target: edge.target, targetPort: edge.targetPort }), id: added.id };
}

// ——— end of one-click repairs ———

/** Whether data can flow from `from` to `to` along existing edges. */
function reaches(doc: GraphDocument, from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of doc.edges) (next.get(e.source) ?? next.set(e.source, []).get(e.source)!).push(e.target);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}

/** Adds the edge; an input takes one edge, so an existing edge into the same input is replaced. */
export function connect(doc: GraphDocument, c: PortConnection): GraphDocument {
  const edges = doc.edges.filter((e) => !(e.target === c.target && e.targetPort === c.targetPort));
  return { ...doc, edges: [...edges, { id: edgeId(c), ...c }] };
}

/** Removes nodes, every edge touching them, and references to them (shared weights, optimizer lists). */
export function removeElements(
  doc: GraphDocument,
  registry: Registry,
  nodeIds: Iterable<string>,
  edgeIds: Iterable<string> = [],
): GraphDocument {
  const gone = new Set(nodeIds);
  const goneEdges = new Set(edgeIds);
  if (gone.size === 0 && goneEdges.size === 0) return doc;
  const nodes = doc.nodes.filter((n) => !gone.has(n.id)).map((n) => dropRefs(n, registry, gone));
  const edges = doc.edges.filter((e) => !goneEdges.has(e.id) && !gone.has(e.source) && !gone.has(e.target));
  if (!doc.blocks) return { ...doc, nodes, edges };
  // A block definition no remaining node uses would only travel in the file; undo brings it back with its node.
  const used = new Set(nodes.map((n) => n.block).filter((b) => b !== undefined));
  const blocks = doc.blocks.filter((b) => used.has(b.id));
  const { blocks: _all, ...rest } = doc;
  return { ...rest, nodes, edges, ...(blocks.length ? { blocks } : {}) };
}

function dropRefs(node: GraphNode, registry: Registry, gone: Set<string>): GraphNode {
  let out = node;
  if (node.sharesWeightsWith && gone.has(node.sharesWeightsWith)) {
    const { sharesWeightsWith: _dropped, ...rest } = node;
    out = rest;
  }
  return mapNodeRefs(out, registry, (ref) => (gone.has(ref) ? null : ref));
}

/** Rewrites every nodeRefs parameter of a node; `null` drops the reference. */
function mapNodeRefs(node: GraphNode, registry: Registry, f: (ref: string) => string | null): GraphNode {
  const decls: ParamDecls = registry[node.type]?.params ?? {};
  let params = node.params;
  for (const [name, decl] of Object.entries(decls)) {
    const value = params[name];
    if (decl.kind !== 'nodeRefs' || !Array.isArray(value)) continue;
    const mapped = value.map((r) => (typeof r === 'string' ? f(r) : r)).filter((r) => r !== null);
    if (mapped.length !== value.length || mapped.some((r, i) => r !== value[i])) params = { ...params, [name]: mapped };
  }
  return params === node.params ? node : { ...node, params };
}

export function moveNodes(doc: GraphDocument, positions: Record<string, XY>): GraphDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = positions[n.id];
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: { x: p.x, y: p.y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

function updateNode(doc: GraphDocument, id: string, f: (n: GraphNode) => GraphNode): GraphDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? f(n) : n)) };
}

export function setParam(doc: GraphDocument, id: string, name: string, value: unknown): GraphDocument {
  return setParams(doc, id, { [name]: value });
}

/** Several parameters of one node in one edit (one undo step). */
export function setParams(doc: GraphDocument, id: string, values: Record<string, unknown>): GraphDocument {
  return updateNode(doc, id, (n) => ({ ...n, params: { ...n.params, ...values } }));
}

/** Label, notes and weight sharing; an empty string or null removes the field. */
export function setNodeFields(
  doc: GraphDocument,
  id: string,
  fields: { label?: string | null; notes?: string | null; sharesWeightsWith?: string | null },
): GraphDocument {
  return updateNode(doc, id, (n) => {
    const next: GraphNode = { ...n };
    for (const key of ['label', 'notes', 'sharesWeightsWith'] as const) {
      if (!(key in fields)) continue;
      const v = fields[key];
      if (v === null || v === undefined || v === '') delete next[key];
      else next[key] = v;
    }
    return next;
  });
}

export function setMeta(doc: GraphDocument, meta: Partial<GraphDocument['meta']>): GraphDocument {
  return { ...doc, meta: { ...doc.meta, ...meta } };
}

/** The selected nodes and the edges among them. */
export function copyFragment(doc: GraphDocument, ids: Iterable<string>): Fragment {
  const keep = new Set(ids);
  return structuredClone({
    nodes: doc.nodes.filter((n) => keep.has(n.id)),
    edges: doc.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
  });
}

/**
 * Inserts a fragment with fresh ids, shifted by `offset`. Edges and references
 * between pasted nodes follow the copies; references to nodes outside the
 * fragment stay as they were (a pasted discriminator still shares with the original).
 */
export function pasteFragment(
  doc: GraphDocument,
  registry: Registry,
  fragment: Fragment,
  offset: XY,
): { doc: GraphDocument; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const n of fragment.nodes) {
    const id = freshId(n.type, taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  const follow = (ref: string) => rename.get(ref) ?? ref;
  const nodes = fragment.nodes.map((n) => {
    // A copy is a new node the exercise knows nothing about: it is never locked.
    const { locked: _locked, lockedParams: _lockedParams, ...unlocked } = structuredClone(n);
    const copy: GraphNode = {
      ...unlocked,
      id: rename.get(n.id)!,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
    };
    if (copy.sharesWeightsWith) copy.sharesWeightsWith = follow(copy.sharesWeightsWith);
    return mapNodeRefs(copy, registry, follow);
  });
  const edges = fragment.edges
    .filter((e) => rename.has(e.source) && rename.has(e.target))
    .map((e) => {
      const c = { source: rename.get(e.source)!, sourcePort: e.sourcePort, target: rename.get(e.target)!, targetPort: e.targetPort };
      return { id: edgeId(c), ...c };
    });
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: nodes.map((n) => n.id) };
}

/**
 * The node whose weights, and so parameters, node `id` runs with when it shares
 * weights with an existing node of its type (the compiler uses the owner's
 * parameters); null otherwise.
 */
export function sharedOwner(doc: GraphDocument, id: string): GraphNode | null {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node?.sharesWeightsWith) return null;
  return doc.nodes.find((n) => n.id === node.sharesWeightsWith && n.type === node.type) ?? null;
}

/** The size a new sticky note opens with (room for a few lines at canvas zoom 1). */
export const STICKY_SIZE = { width: 220, height: 120 };

export function addStickyNote(doc: GraphDocument, position: XY, text = ''): { doc: GraphDocument; id: string } {
  const id = freshId('note', new Set((doc.notes ?? []).map((n) => n.id)));
  const note: StickyNote = { id, text, position: { x: position.x, y: position.y }, size: { ...STICKY_SIZE } };
  return { doc: { ...doc, notes: [...(doc.notes ?? []), note] }, id };
}

export function updateStickyNote(doc: GraphDocument, id: string, patch: Partial<Omit<StickyNote, 'id'>>): GraphDocument {
  if (!doc.notes?.some((n) => n.id === id)) return doc;
  return { ...doc, notes: doc.notes.map((n) => (n.id === id ? { ...n, ...patch } : n)) };
}

export function removeStickyNote(doc: GraphDocument, id: string): GraphDocument {
  const notes = (doc.notes ?? []).filter((n) => n.id !== id);
  if (notes.length === (doc.notes ?? []).length) return doc;
  const { notes: _old, ...rest } = doc;
  return notes.length ? { ...rest, notes } : rest;
}

/** How far a new group frame reaches past the nodes it surrounds (room for its title above them). */
export const GROUP_PADDING = { side: 30, top: 50 };

/** A titled frame around the given node boxes (each at its position, with its measured size). */
export function addGroup(
  doc: GraphDocument,
  boxes: { position: XY; width: number; height: number }[],
  title: string,
): { doc: GraphDocument; id: string } | null {
  if (!boxes.length) return null;
  const left = Math.min(...boxes.map((b) => b.position.x)) - GROUP_PADDING.side;
  const top = Math.min(...boxes.map((b) => b.position.y)) - GROUP_PADDING.top;
  const right = Math.max(...boxes.map((b) => b.position.x + b.width)) + GROUP_PADDING.side;
  const bottom = Math.max(...boxes.map((b) => b.position.y + b.height)) + GROUP_PADDING.side;
  const id = freshId('group', new Set((doc.groups ?? []).map((g) => g.id)));
  // The schema caps a frame's side at 10,000 canvas pixels.
  const side = (d: number) => Math.min(d, 10_000);
  const group: GroupFrame = { id, title, position: { x: left, y: top }, size: { width: side(right - left), height: side(bottom - top) } };
  return { doc: { ...doc, groups: [...(doc.groups ?? []), group] }, id };
}

/** The nodes a frame holds: those whose top-left corner lies inside it. */
export function nodesInGroup(doc: GraphDocument, group: GroupFrame): string[] {
  const { x, y } = group.position;
  const { width, height } = group.size;
  return doc.nodes
    .filter((n) => n.position.x >= x && n.position.x < x + width && n.position.y >= y && n.position.y < y + height)
    .map((n) => n.id);
}

/** A frame changed; moved, it carries the nodes inside it along, in the same step. */
export function updateGroup(doc: GraphDocument, id: string, patch: Partial<Omit<GroupFrame, 'id'>>): GraphDocument {
  const old = doc.groups?.find((g) => g.id === id);
  if (!old) return doc;
  const groups = doc.groups!.map((g) => (g.id === id ? { ...g, ...patch } : g));
  const dx = patch.position ? patch.position.x - old.position.x : 0;
  const dy = patch.position ? patch.position.y - old.position.y : 0;
  if (!dx && !dy) return { ...doc, groups };
  const inside = new Set(nodesInGroup(doc, old));
  const nodes = doc.nodes.map((n) => (inside.has(n.id) ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n));
  return { ...doc, groups, nodes };
}

export function removeGroup(doc: GraphDocument, id: string): GraphDocument {
  const groups = (doc.groups ?? []).filter((g) => g.id !== id);
  if (groups.length === (doc.groups ?? []).length) return doc;
  const { groups: _old, ...rest } = doc;
  return groups.length ? { ...rest, groups } : rest;
}
