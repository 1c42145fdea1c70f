/**
 * The line drawn while connecting. Over a port that refuses the edge it turns
 * red and says why next to the cursor (port kinds, loop, shape, an exercise lock).
 */
import { useMemo } from 'react';
import { getBezierPath, useStore, type ConnectionLineComponentProps } from '@xyflow/react';
import { checkConnection } from '../../store/docOps';
import { connectRefusal } from '../../store/exercise';
import { editorStore } from '../../store';

/** The parts of a React Flow handle a refusal needs. */
interface HandleEnd {
  nodeId: string;
  id?: string | null;
  type: 'source' | 'target';
}

/** Why an edge between two handles is refused, or null: the same words at the cursor while dragging and in the notice after the drop. */
export function refusalReason(fromHandle: HandleEnd | null, toHandle: HandleEnd | null): string | null {
  if (!toHandle || !fromHandle) return null;
  if (toHandle.type === fromHandle.type)
    return toHandle.type === 'source' ? 'connect an output to an input' : 'connect an input to an output';
  const [from, to] = fromHandle.type === 'source' ? [fromHandle, toHandle] : [toHandle, fromHandle];
  const { doc, registry, exerciseRole } = editorStore.getState();
  const c = { source: from.nodeId, sourcePort: from.id ?? '', target: to.nodeId, targetPort: to.id ?? '' };
  const locked = exerciseRole === 'learner' ? connectRefusal(doc, registry, c) : null;
  if (locked) return locked;
  const verdict = checkConnection(doc, registry, c);
  return verdict.ok ? null : verdict.reason;
}

export function ConnectionLine({ fromX, fromY, toX, toY, fromPosition, toPosition, fromHandle, toHandle }: ConnectionLineComponentProps) {
  const reason = useMemo(() => refusalReason(fromHandle, toHandle), [fromHandle, toHandle]);
  // The line lives in flow space; the reason is scaled back so it reads the same at every zoom.
  const zoom = useStore((s) => s.transform[2]);
  const [path] = getBezierPath({
    sourceX: fromX,
    sourceY: fromY,
    sourcePosition: fromPosition,
    targetX: toX,
    targetY: toY,
    targetPosition: toPosition,
  });
  return (
    <g className={reason ? 'connection-line refused' : 'connection-line'}>
      <path d={path} fill="none" />
      {reason && (
        <foreignObject x={toX + 14 / zoom} y={toY + 10 / zoom} width={300} height={90} style={{ overflow: 'visible' }}>
          <div
            className="connection-reason"
            data-testid="connection-reason"
            style={{ transform: `scale(${1 / zoom})`, transformOrigin: '0 0' }}
          >
            {reason}
          </div>
        </foreignObject>
      )}
    </g>
  );
}
