/**
 * What the teaching layer draws on the canvas, in the canvas's coordinates:
 * group frames, sticky notes, each node's notes under it, and a badge on
 * locked and blank nodes. All of it is React text, never HTML. Whoever may
 * edit them (anyone outside an exercise, its author inside one) moves and
 * resizes notes and frames by their grips, with the mouse or the arrow keys;
 * each finished gesture is one undo step.
 */
import { memo } from 'react';
import { ViewportPortal } from '@xyflow/react';
import type { StickyNote as Note } from '../../graph/document';
import { editorStore, useEditor } from '../../store';
import { GroupFrame, useBoxGestures } from './GroupFrame';
import { LockIcon } from '../exercise/LockIcon';

/** A node's size before React Flow measured it. */
const UNMEASURED_HEIGHT = 90;

/** Memoised: it takes no props, so the canvas's render on every drag frame does not re-run it. */
export const CanvasNotes = memo(function CanvasNotes() {
  const notes = useEditor((s) => s.doc.notes);
  const groups = useEditor((s) => s.doc.groups);
  const nodes = useEditor((s) => s.doc.nodes);
  const blanks = useEditor((s) => s.doc.exercise?.blanks);
  const edges = useEditor((s) => s.doc.edges);
  const measured = useEditor((s) => s.measured);
  const editable = useEditor((s) => s.exerciseRole === 'author');
  // Only the nodes with something to show: an empty element per node would cost a big graph on every frame.
  const marked = nodes.flatMap((n) => {
    // A blank stops being marked once the learner has wired it.
    const blank = !!blanks?.includes(n.id) && !edges.some((e) => e.source === n.id || e.target === n.id);
    return n.locked || blank || n.notes ? [{ node: n, blank }] : [];
  });
  // Nothing to draw: no portal, whose lookup of its element would run on every change of the canvas.
  if (!groups?.length && !notes?.length && !marked.length) return null;
  return (
    <ViewportPortal>
      {groups?.map((g) => (
        <GroupFrame key={g.id} group={g} editable={editable} />
      ))}
      {notes?.map((n) => (
        <StickyNote key={n.id} note={n} editable={editable} />
      ))}
      {marked.map(({ node: n, blank }) => {
        const height = measured[n.id]?.height ?? UNMEASURED_HEIGHT;
        return (
          <div key={n.id}>
            {(n.locked || blank) && (
              <span
                className={`node-exercise-badge ${blank ? 'blank' : 'locked'}`}
                data-testid={`node-badge-${n.id}`}
                style={{ transform: `translate(${n.position.x}px, ${n.position.y - 26}px)` }}
              >
                {blank ? (
                  'blank: wire it up'
                ) : (
                  <>
                    <LockIcon /> locked
                  </>
                )}
              </span>
            )}
            {n.notes && (
              <div
                className="node-note"
                data-testid={`node-note-${n.id}`}
                style={{ transform: `translate(${n.position.x}px, ${n.position.y + height + 6}px)` }}
              >
                {n.notes.length > 280 ? `${n.notes.slice(0, 280)}…` : n.notes}
              </div>
            )}
          </div>
        );
      })}
    </ViewportPortal>
  );
});

function StickyNote({ note, editable }: { note: Note; editable: boolean }) {
  const s = editorStore.getState();
  const { shown, moveGrip, resizeGrip } = useBoxGestures(note, (b) => s.updateStickyNote(note.id, { position: b.position, size: b.size }));
  return (
    <div
      className={`sticky-note nodrag nopan nowheel${editable ? ' editable' : ''}`}
      data-testid={`sticky-${note.id}`}
      style={{
        transform: `translate(${shown.position.x}px, ${shown.position.y}px)`,
        width: shown.size.width,
        height: shown.size.height,
      }}
    >
      {editable ? (
        <>
          <div className="sticky-bar">
            <button
              className="canvas-grip"
              data-testid={`sticky-move-${note.id}`}
              aria-label="Move sticky note (drag, or arrow keys)"
              title="Drag to move, or focus and use the arrow keys (Shift: larger steps)"
              {...moveGrip}
            >
              ⠿
            </button>
            <button className="link-button" onClick={() => s.removeStickyNote(note.id)}>
              Remove note
            </button>
          </div>
          <textarea
            // Remounted when the document's text changes (undo), so the field shows it.
            key={note.text}
            aria-label="Sticky note"
            defaultValue={note.text}
            maxLength={2000}
            placeholder="A note for whoever opens this graph"
            onBlur={(e) => e.target.value !== note.text && s.updateStickyNote(note.id, { text: e.target.value })}
          />
          <button
            className="canvas-resize"
            data-testid={`sticky-resize-${note.id}`}
            aria-label="Resize sticky note (drag, or arrow keys)"
            title="Drag to resize, or focus and use the arrow keys"
            {...resizeGrip}
          />
        </>
      ) : (
        note.text
      )}
    </div>
  );
}
