/**
 * The document → React Flow view. Nothing here is stored: nodes and edges are
 * recomputed from the document, the selection and drags in flight, so the
 * canvas can never drift from the document.
 */
import type { Edge, Node } from '@xyflow/react';
import type { GraphDocument, GraphNode } from '../../graph/document';
import type { CompileResult } from '../../compiler/compile';
import { formatShape } from '../../graph/shape';
import type { PortType } from '../../graph/nodeApi';
import type { EditorState } from '../../store';
import type { XY } from '../../store/docOps';
import type { GraphError } from '../../compiler/errors';

export interface GraphNodeData extends Record<string, unknown> {
  node: GraphNode;
  /** The selected optimizer trains this node. */
  trained: boolean;
}
export type GraphFlowNode = Node<GraphNodeData, 'graph'>;

export interface ShapeEdgeData extends Record<string, unknown> {
  label: string;
  portType: PortType;
  invalid: boolean;
  /** On an edge whose shape does not fit: what the input expects (a shape, or its documented shape in words). */
  expected?: string;
}
export type ShapeFlowEdge = Edge<ShapeEdgeData, 'shape'>;
export type SharedFlowEdge = Edge<Record<string, never>, 'shared'>;

/** Hidden handles React Flow needs before it draws a shared-weights link (the link computes its own line); users cannot drag from them. */
export const SHARE_OUT = '__share-out';
export const SHARE_IN = '__share-in';

type ViewState = Pick<EditorState, 'selectedNodeIds' | 'selectedEdgeIds' | 'measured'> & { dragPositions: Record<string, XY> };

/**
 * The last view object made for each document node (documents are immutable, so a node object stands for its
 * contents), with what else it was made from: a drag frame rebuilds only the nodes that moved, and React Flow
 * and the memoised node component see the same objects for the rest.
 */
const lastFlowNode = new WeakMap<GraphNode, { key: string; flow: GraphFlowNode }>();

export function toFlowNodes(doc: GraphDocument, compiled: CompileResult, view: ViewState): GraphFlowNode[] {
  const selected = new Set(view.selectedNodeIds);
  // A selected optimizer lights up the networks it trains.
  const trained = new Set(view.selectedNodeIds.flatMap((id) => compiled.trainedBy[id] ?? []));
  return doc.nodes.map((node) => {
    const position = view.dragPositions[node.id] ?? node.position;
    const measured = view.measured[node.id];
    const key = `${trained.has(node.id)}|${selected.has(node.id)}|${position.x},${position.y}|${measured ? `${measured.width}x${measured.height}` : ''}`;
    const last = lastFlowNode.get(node);
    if (last?.key === key) return last.flow;
    const flow: GraphFlowNode = {
      id: node.id,
      type: 'graph',
      position,
      data: { node, trained: trained.has(node.id) },
      selected: selected.has(node.id),
      ...(measured ? { measured } : {}),
    };
    lastFlowNode.set(node, { key, flow });
    return flow;
  });
}

export function toFlowEdges(
  doc: GraphDocument,
  compiled: CompileResult,
  view: ViewState,
  portTypeOf: (nodeType: string, port: string) => PortType | undefined,
): (ShapeFlowEdge | SharedFlowEdge)[] {
  const selected = new Set(view.selectedEdgeIds);
  const badEdges = new Map<string, GraphError>();
  for (const e of compiled.errors) if (e.edgeId && e.severity === 'error' && !badEdges.has(e.edgeId)) badEdges.set(e.edgeId, e);
  const typeOf = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const batch = compiled.data?.batchSize;
  const edges: (ShapeFlowEdge | SharedFlowEdge)[] = doc.edges.map((e) => {
    const shape = compiled.shapes[e.source]?.outputs[e.sourcePort];
    const portType = portTypeOf(typeOf.get(e.source) ?? '', e.sourcePort) ?? 'tensor';
    return {
      id: e.id,
      type: 'shape',
      source: e.source,
      target: e.target,
      sourceHandle: e.sourcePort,
      targetHandle: e.targetPort,
      selected: selected.has(e.id),
      data: {
        label: shape ? formatShape(shape, batch) : '?',
        portType,
        invalid: badEdges.has(e.id),
        ...expectation(badEdges.get(e.id), batch),
      },
    };
  });
  const ids = new Set(typeOf.keys());
  for (const n of doc.nodes) {
    if (!n.sharesWeightsWith || !ids.has(n.sharesWeightsWith)) continue;
    edges.push({
      id: `shared:${n.id}`,
      type: 'shared',
      source: n.id,
      target: n.sharesWeightsWith,
      sourceHandle: SHARE_OUT,
      targetHandle: SHARE_IN,
      selectable: false,
      deletable: false,
      focusable: false,
      data: {},
    });
  }
  return edges;
}

function expectation(error: GraphError | undefined, batch: number | undefined): { expected?: string } {
  const want = error?.expected;
  if (want === undefined) return {};
  return { expected: typeof want === 'string' ? want : formatShape(want, batch) };
}
