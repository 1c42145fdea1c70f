/** Two applications of one set of weights: a dashed arc over the nodes, so sharing is never hidden. */
import { BaseEdge, EdgeLabelRenderer, type EdgeProps } from '@xyflow/react';
import type { SharedFlowEdge } from './viewModel';

export function SharedWeightsEdge({ id, sourceX, sourceY, targetX, targetY }: EdgeProps<SharedFlowEdge>) {
  const lift = Math.max(60, Math.abs(targetX - sourceX) * 0.25);
  const top = Math.min(sourceY, targetY) - lift;
  const path = `M ${sourceX},${sourceY} C ${sourceX},${top} ${targetX},${top} ${targetX},${targetY}`;
  // The curve's midpoint (t = ½) of this symmetric cubic.
  const midX = (sourceX + targetX) / 2;
  const midY = 0.125 * sourceY + 0.75 * top + 0.125 * targetY;
  return (
    <>
      <BaseEdge id={id} path={path} className="shared-edge" />
      <EdgeLabelRenderer>
        <div className="edge-label shared" data-testid={`shared-link-${id}`} style={{ transform: `translate(-50%, -50%) translate(${midX}px, ${midY}px)` }}>
          shared weights
        </div>
      </EdgeLabelRenderer>
    </>
  );
}
