/** The one-click repair of a compiler finding, on the node and in the Problems panel. */
import type { GraphFix } from '../../compiler/errors';
import { editorStore } from '../../store';

/** Applies a compiler-proposed repair as one undo step; `nodrag` so a click on it never starts dragging the node. */
export function FixButton({ fix, testId }: { fix: GraphFix; testId: string }) {
  return (
    <button
      type="button"
      className="fix-button nodrag"
      data-testid={testId}
      // Wraps inside a node's width rather than spilling past its edge.
      style={{
        display: 'block',
        maxWidth: '100%',
        whiteSpace: 'normal',
        textAlign: 'left',
        marginTop: 4,
        padding: '2px 8px',
        fontSize: 11,
        fontWeight: 600,
      }}
      onClick={(ev) => {
        ev.stopPropagation();
        editorStore.getState().applyFix(fix);
      }}
    >
      Fix: {fix.label}
    </button>
  );
}
