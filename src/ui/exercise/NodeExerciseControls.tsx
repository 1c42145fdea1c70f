/**
 * A node's part in an exercise, in the inspector: the author locks it (or
 * single parameters) and makes it a blank; the learner sees what is locked.
 */
import type { GraphNode } from '../../graph/document';
import { editorStore, useEditor } from '../../store';
import { LockIcon } from './LockIcon';

export function NodeExerciseControls({ node }: { node: GraphNode }) {
  const role = useEditor((s) => s.exerciseRole);
  const hasExercise = useEditor((s) => !!s.doc.exercise);
  const blank = useEditor((s) => !!s.doc.exercise?.blanks.includes(node.id));
  const wired = useEditor((s) => s.doc.edges.some((e) => e.source === node.id || e.target === node.id));
  const s = editorStore.getState();
  if (!hasExercise) return null;
  if (role === 'learner') {
    if (!node.locked && !node.lockedParams?.length && !blank) return null;
    return (
      <p className="small" data-testid="inspector-lock">
        {node.locked ? (
          <>
            <span className="lock-badge">
              <LockIcon /> locked
            </span>{' '}
            The exercise keeps this node as it is: its fields are read-only and its edges stay.
          </>
        ) : blank ? (
          wired ? (
            'A blank: this node is yours to fix as the tasks ask (Reveal solution shows the author’s).'
          ) : (
            'A blank: wire this node into the graph.'
          )
        ) : (
          <>
            <span className="lock-badge">
              <LockIcon /> {node.lockedParams!.join(', ')}
            </span>{' '}
            fixed by the exercise.
          </>
        )}
      </p>
    );
  }
  return (
    <div className="field" data-testid="inspector-exercise">
      <label>
        <input
          type="checkbox"
          data-testid="inspector-lock-node"
          checked={!!node.locked}
          onChange={(e) => s.setLocked(node.id, e.target.checked)}
        />{' '}
        Lock for learners (no delete, rewire or edit)
      </label>
      <label>
        <input type="checkbox" data-testid="inspector-blank-node" checked={blank} onChange={(e) => s.setBlank(node.id, e.target.checked)} />{' '}
        Blank: learners get it unwired and fill it in
      </label>
    </div>
  );
}
