/**
 * What changed between two graph documents, as far as training is concerned:
 * nodes, edges, parameter values and the seed. Layout (positions), notes,
 * titles and edge ids are not changes to the model, so they are not reported.
 */
import type { GraphDocument, GraphEdge, GraphNode } from './document';

export interface DiffNode {
  id: string;
  type: string;
  label?: string;
}

export interface ParamChange {
  nodeId: string;
  type: string;
  label?: string;
  /** A parameter name, or `sharesWeightsWith` when the node's weight sharing changed. */
  param: string;
  from: unknown;
  to: unknown;
}

export interface GraphDiff {
  addedNodes: DiffNode[];
  removedNodes: DiffNode[];
  /** parameters whose values differ on a node present in both (matched by node id); a node whose type changed counts as removed + added */
  changedParams: ParamChange[];
  /** matched by (source, sourcePort, target, targetPort), not by edge id */
  addedEdges: GraphEdge[];
  removedEdges: GraphEdge[];
  /** meta changes that change what trains: seed only (title/description are not a change to the model) */
  seed: { from: number; to: number } | null;
}

/** The default of `param` on a node of `type`, or undefined when unknown. */
export type ParamDefaults = (type: string, param: string) => unknown;

/** Sharing weights changes what trains as much as a parameter does, so it is diffed like one. */
const SHARES_WEIGHTS = 'sharesWeightsWith';

export function diffGraphs(a: GraphDocument, b: GraphDocument, defaults?: ParamDefaults): GraphDiff {
  const before = new Map(a.nodes.map((n) => [n.id, n]));
  const after = new Map(b.nodes.map((n) => [n.id, n]));
  const addedNodes: DiffNode[] = [];
  const removedNodes: DiffNode[] = [];
  const changedParams: ParamChange[] = [];

  for (const old of a.nodes) {
    const now = after.get(old.id);
    if (!now || now.type !== old.type) removedNodes.push(diffNode(old));
  }
  for (const now of b.nodes) {
    const old = before.get(now.id);
    if (!old || old.type !== now.type) {
      addedNodes.push(diffNode(now));
      continue;
    }
    changedParams.push(...paramChanges(old, now, defaults));
  }

  const beforeEdges = new Set(a.edges.map(edgeKey));
  const afterEdges = new Set(b.edges.map(edgeKey));
  const addedEdges = uniqueEdges(b.edges.filter((e) => !beforeEdges.has(edgeKey(e))));
  const removedEdges = uniqueEdges(a.edges.filter((e) => !afterEdges.has(edgeKey(e))));

  const seed = a.meta.seed === b.meta.seed ? null : { from: a.meta.seed, to: b.meta.seed };
  return { addedNodes, removedNodes, changedParams, addedEdges, removedEdges, seed };
}

export function isEmptyDiff(d: GraphDiff): boolean {
  return (
    d.addedNodes.length === 0 &&
    d.removedNodes.length === 0 &&
    d.changedParams.length === 0 &&
    d.addedEdges.length === 0 &&
    d.removedEdges.length === 0 &&
    d.seed === null
  );
}

/** One line per change, for a person to read; [] when the graphs train the same. */
export function describeDiff(d: GraphDiff): string[] {
  const lines: string[] = [];
  if (d.seed) lines.push(`seed ${d.seed.from} → ${d.seed.to}`);
  for (const c of d.changedParams) {
    lines.push(`${nodeName(c.nodeId, c.type, c.label)}: ${c.param} ${formatValue(c.from)} → ${formatValue(c.to)}`);
  }
  for (const n of d.addedNodes) lines.push(`added node ${nodeName(n.id, n.type, n.label)}`);
  for (const n of d.removedNodes) lines.push(`removed node ${nodeName(n.id, n.type, n.label)}`);
  for (const e of d.addedEdges) lines.push(`added edge ${edgeName(e)}`);
  for (const e of d.removedEdges) lines.push(`removed edge ${edgeName(e)}`);
  return lines;
}

function diffNode(n: GraphNode): DiffNode {
  return n.label === undefined ? { id: n.id, type: n.type } : { id: n.id, type: n.type, label: n.label };
}

function paramChanges(old: GraphNode, now: GraphNode, defaults: ParamDefaults | undefined): ParamChange[] {
  const changes: ParamChange[] = [];
  const where = now.label === undefined ? { nodeId: now.id, type: now.type } : { nodeId: now.id, type: now.type, label: now.label };
  const names = [...new Set([...Object.keys(old.params), ...Object.keys(now.params)])].sort();
  for (const param of names) {
    const from = paramValue(old, param, defaults);
    const to = paramValue(now, param, defaults);
    if (!sameValue(from, to)) changes.push({ ...where, param, from, to });
  }
  if (old.sharesWeightsWith !== now.sharesWeightsWith) {
    changes.push({ ...where, param: SHARES_WEIGHTS, from: old.sharesWeightsWith, to: now.sharesWeightsWith });
  }
  return changes;
}

function paramValue(n: GraphNode, param: string, defaults: ParamDefaults | undefined): unknown {
  if (Object.prototype.hasOwnProperty.call(n.params, param)) return n.params[param];
  return defaults ? defaults(n.type, param) : undefined;
}

/** Structural equality of JSON values (object key order does not matter). */
export function sameValue(x: unknown, y: unknown): boolean {
  if (Object.is(x, y)) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    return x.every((v, i) => sameValue(v, y[i]));
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  const keys = Object.keys(xo);
  if (keys.length !== Object.keys(yo).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(yo, k) && sameValue(xo[k], yo[k]));
}

function edgeKey(e: GraphEdge): string {
  // JSON keeps the four parts apart even when an id or port contains the separator.
  return JSON.stringify([e.source, e.sourcePort, e.target, e.targetPort]);
}

/** A document may repeat a connection under two ids; it is one change, not two. */
function uniqueEdges(edges: GraphEdge[]): GraphEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = edgeKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function nodeName(id: string, type: string, label: string | undefined): string {
  return label ? `${label} “${id}” (${type})` : `“${id}” (${type})`;
}

function edgeName(e: GraphEdge): string {
  return `${e.source}.${e.sourcePort} → ${e.target}.${e.targetPort}`;
}

function formatValue(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? String(v);
}
