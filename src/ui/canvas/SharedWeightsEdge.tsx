/**
 * Two applications of one set of weights: a dashed line between the two
 * nodes' borders, so sharing is never hidden. It runs centre to centre and is
 * clipped at each node's box, which reads well whether the nodes sit side by
 * side or one above the other.
 */
import { BaseEdge, EdgeLabelRenderer, useInternalNode, type EdgeProps, type InternalNode } from '@xyflow/react';
import type { SharedFlowEdge } from './viewModel';

interface Box {
  cx: number;
  cy: number;
  hw: number;
  hh: number;
}

function box(n: InternalNode): Box {
  const w = n.measured.width ?? 180;
  const h = n.measured.height ?? 100;
  const p = n.internals.positionAbsolute;
  return { cx: p.x + w / 2, cy: p.y + h / 2, hw: w / 2, hh: h / 2 };
}

/** Where the ray from a box's centre towards (tx, ty) leaves the box. */
function exitPoint(b: Box, tx: number, ty: number): { x: number; y: number } {
  const dx = tx - b.cx;
  const dy = ty - b.cy;
  const t = Math.min(dx ? b.hw / Math.abs(dx) : Infinity, dy ? b.hh / Math.abs(dy) : Infinity, 1);
  return { x: b.cx + dx * t, y: b.cy + dy * t };
}

export function SharedWeightsEdge({ id, source, target }: EdgeProps<SharedFlowEdge>) {
  const from = useInternalNode(source);
  const to = useInternalNode(target);
  if (!from || !to) return null;
  const a = box(from);
  const b = box(to);
  const p = exitPoint(a, b.cx, b.cy);
  const q = exitPoint(b, a.cx, a.cy);
  return (
    <>
      <BaseEdge id={id} path={`M ${p.x},${p.y} L ${q.x},${q.y}`} className="shared-edge" />
      <EdgeLabelRenderer>
        <div
          className="edge-label shared"
          data-testid={`shared-link-${id}`}
          style={{ transform: `translate(-50%, -50%) translate(${(p.x + q.x) / 2}px, ${(p.y + q.y) / 2}px)` }}
        >
          shared weights
        </div>
      </EdgeLabelRenderer>
    </>
  );
}
