/**
 * What the teaching layer draws on the canvas, in the canvas's coordinates:
 * group frames, sticky notes, each node's notes under it, and a badge on
 * locked and blank nodes. All of it is React text, never HTML.
 */
import { ViewportPortal } from '@xyflow/react';
import type { StickyNote as Note } from '../../graph/document';
import { editorStore, useEditor } from '../../store';

/** A node's size before React Flow measured it. */
const UNMEASURED_HEIGHT = 90;

export function CanvasNotes() {
  const notes = useEditor((s) => s.doc.notes);
  const groups = useEditor((s) => s.doc.groups);
  const nodes = useEditor((s) => s.doc.nodes);
  const blanks = useEditor((s) => s.doc.exercise?.blanks);
  const edges = useEditor((s) => s.doc.edges);
  const measured = useEditor((s) => s.measured);
  const editable = useEditor((s) => s.exerciseRole === 'author');
  return (
    <ViewportPortal>
      {groups?.map((g) => (
        <div
          key={g.id}
          className="group-frame"
          style={{ transform: `translate(${g.position.x}px, ${g.position.y}px)`, width: g.size.width, height: g.size.height }}
        >
          <span className="group-title">{g.title}</span>
        </div>
      ))}
      {notes?.map((n) => (
        <StickyNote key={n.id} note={n} editable={editable} />
      ))}
      {nodes.map((n) => {
        // A blank stops being marked once the learner has wired it.
        const blank = blanks?.includes(n.id) && !edges.some((e) => e.source === n.id || e.target === n.id);
        const height = measured[n.id]?.height ?? UNMEASURED_HEIGHT;
        return (
          <div key={n.id}>
            {(n.locked || blank) && (
              <span
                className={`node-exercise-badge ${blank ? 'blank' : 'locked'}`}
                data-testid={`node-badge-${n.id}`}
                style={{ transform: `translate(${n.position.x}px, ${n.position.y - 26}px)` }}
              >
                {blank ? 'blank: wire it up' : '🔒 locked'}
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
}

function StickyNote({ note, editable }: { note: Note; editable: boolean }) {
  const s = editorStore.getState();
  return (
    <div
      className="sticky-note nodrag nowheel"
      data-testid={`sticky-${note.id}`}
      style={{ transform: `translate(${note.position.x}px, ${note.position.y}px)`, width: note.size.width, height: note.size.height }}
    >
      {editable ? (
        <>
          <textarea
            aria-label="Sticky note"
            defaultValue={note.text}
            maxLength={2000}
            placeholder="A note for whoever opens this graph"
            onBlur={(e) => e.target.value !== note.text && s.updateStickyNote(note.id, { text: e.target.value })}
          />
          <button className="link-button" onClick={() => s.removeStickyNote(note.id)}>
            Remove note
          </button>
        </>
      ) : (
        note.text
      )}
    </div>
  );
}
