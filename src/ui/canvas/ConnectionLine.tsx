/**
 * The line drawn while connecting. Over a port that refuses the edge it turns
 * red and says why next to the cursor (type mismatch, loop, shape).
 */
import { useMemo } from 'react';
import { getBezierPath, useStore, type ConnectionLineComponentProps } from '@xyflow/react';
import { checkConnection } from '../../store/docOps';
import { editorStore } from '../../store';

export function ConnectionLine({ fromX, fromY, toX, toY, fromPosition, toPosition, fromHandle, toHandle }: ConnectionLineComponentProps) {
  const reason = useMemo(() => {
    if (!toHandle || !fromHandle) return null;
    if (toHandle.type === fromHandle.type)
      return toHandle.type === 'source' ? 'connect an output to an input' : 'connect an input to an output';
    const [from, to] = fromHandle.type === 'source' ? [fromHandle, toHandle] : [toHandle, fromHandle];
    const { doc, registry } = editorStore.getState();
    const verdict = checkConnection(doc, registry, {
      source: from.nodeId,
      sourcePort: from.id ?? '',
      target: to.nodeId,
      targetPort: to.id ?? '',
    });
    return verdict.ok ? null : verdict.reason;
  }, [fromHandle, toHandle]);
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
