/** A data edge, coloured by what it carries and labelled with the live tensor shape. */
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { PORT_COLOR } from '../look';
import type { ShapeFlowEdge } from './viewModel';

export function ShapeEdge(props: EdgeProps<ShapeFlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected } = props;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const color = data?.invalid ? 'var(--danger)' : PORT_COLOR[data?.portType ?? 'tensor'];
  return (
    <>
      <BaseEdge id={id} path={path} style={{ stroke: color, strokeWidth: selected ? 3 : 1.8 }} interactionWidth={16} />
      <EdgeLabelRenderer>
        <div
          className={`edge-label${selected ? ' selected' : ''}${data?.invalid ? ' invalid' : ''}`}
          data-testid={`edge-label-${id}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`, borderColor: color }}
        >
          {data?.label}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}
