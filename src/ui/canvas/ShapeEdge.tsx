/** A data edge, coloured by what it carries and labelled with the live tensor shape; red, with the shape its input expects, when it does not fit. */
import { useContext } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { PORT_COLOR } from '../look';
import type { GraphDocument, GraphEdge } from '../../graph/document';
import type { AnyNodeDef } from '../../graph/nodeApi';
import { FarZoom } from './farZoom';
import type { ShapeFlowEdge, SharedFlowEdge } from './viewModel';

/** What a screen reader says for an edge, by the nodes' names rather than their ids: "Encoder hidden y to μ head x, 128×512". */
export function edgeAccessibleName(
  doc: GraphDocument,
  edge: GraphEdge,
  shapeLabel: string,
  titleOf: (type: string) => string | undefined,
): string {
  const name = (id: string) => {
    const n = doc.nodes.find((m) => m.id === id);
    return n ? n.label || titleOf(n.type) || n.type : id;
  };
  return `Edge from ${name(edge.source)} ${edge.sourcePort} to ${name(edge.target)} ${edge.targetPort}, ${shapeLabel}`;
}

/** The canvas's edges, each data edge with its accessible name (the shared-weights links are not focusable). */
export function withEdgeNames(
  edges: (ShapeFlowEdge | SharedFlowEdge)[],
  doc: GraphDocument,
  registry: Record<string, AnyNodeDef>,
): (ShapeFlowEdge | SharedFlowEdge)[] {
  const byId = new Map(doc.edges.map((e) => [e.id, e]));
  return edges.map((e) => {
    const edge = e.type === 'shape' ? byId.get(e.id) : undefined;
    const shape = e.data?.expected ? `${e.data.label}, but the input expects ${e.data.expected}` : (e.data?.label ?? '?');
    return edge ? { ...e, ariaLabel: edgeAccessibleName(doc, edge, shape, (t) => registry[t]?.title) } : e;
  });
}

export function ShapeEdge(props: EdgeProps<ShapeFlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected } = props;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const color = data?.invalid ? 'var(--danger)' : PORT_COLOR[data?.portType ?? 'tensor'];
  // Zoomed far out the label would be a smudge; the edge keeps its colour (red when its shapes do not fit).
  const far = useContext(FarZoom);
  return (
    <>
      <BaseEdge id={id} path={path} style={{ stroke: color, strokeWidth: selected ? 3 : 1.8 }} interactionWidth={16} />
      {!far && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${selected ? ' selected' : ''}${data?.invalid ? ' invalid' : ''}`}
            data-testid={`edge-label-${id}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`, borderColor: color }}
          >
            {data?.expected ? (
              <>
                {data.label} → expects {data.expected}
              </>
            ) : (
              data?.label
            )}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}
