/**
 * A titled frame behind the nodes it surrounds. Whoever may edit it renames
 * it in place, moves it (the nodes inside come along) and resizes it by its
 * grips, and deletes it; each is one undo step. The frame itself lets clicks through to the canvas.
 */
import { useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useStore } from '@xyflow/react';
import type { GroupFrame as Group } from '../../graph/document';
import { editorStore } from '../../store';
import { nodesInGroup, type XY } from '../../store/docOps';
import { GRID } from './placement';

/** The smallest a note or frame is resized to (the schema allows 20; below this its controls overlap). */
export const MIN_BOX = { width: 120, height: 60 };
const MAX_SIDE = 10_000;

export interface Box {
  position: XY;
  size: { width: number; height: number };
}

/**
 * A box (note or frame) the user moves by one grip and resizes by another.
 * While a pointer drags, the box follows locally (and `follow` hears each
 * step, null at the end); on release, or on each arrow key, `commit`
 * receives the new box once.
 */
export function useBoxGestures(box: Box, commit: (b: Box) => void, follow?: (b: Box | null) => void) {
  const zoom = useStore((s) => s.transform[2]);
  const [live, setLive] = useState<Box | null>(null);
  const [start, setStart] = useState<{ x: number; y: number; box: Box; mode: 'move' | 'resize' } | null>(null);
  const clampSize = (w: number, h: number) => ({
    width: Math.min(MAX_SIDE, Math.max(MIN_BOX.width, Math.round(w))),
    height: Math.min(MAX_SIDE, Math.max(MIN_BOX.height, Math.round(h))),
  });
  const next = (mode: 'move' | 'resize', from: Box, dx: number, dy: number): Box =>
    mode === 'move'
      ? { ...from, position: { x: Math.round(from.position.x + dx), y: Math.round(from.position.y + dy) } }
      : { ...from, size: clampSize(from.size.width + dx, from.size.height + dy) };
  const grip = (mode: 'move' | 'resize') => ({
    onPointerDown: (e: PointerEvent<HTMLElement>) => {
      if (e.button !== 0) return;
      e.stopPropagation();
      e.currentTarget.setPointerCapture(e.pointerId);
      setStart({ x: e.clientX, y: e.clientY, box, mode });
    },
    onPointerMove: (e: PointerEvent<HTMLElement>) => {
      if (start?.mode !== mode) return;
      const b = next(mode, start.box, (e.clientX - start.x) / zoom, (e.clientY - start.y) / zoom);
      setLive(b);
      follow?.(b);
    },
    onPointerUp: () => {
      if (live && start?.mode === mode) commit(live);
      setStart(null);
      setLive(null);
      follow?.(null);
    },
    onPointerCancel: () => {
      setStart(null);
      setLive(null);
      follow?.(null);
    },
    onKeyDown: (e: KeyboardEvent<HTMLElement>) => {
      const step = e.shiftKey ? GRID * 5 : GRID;
      const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
      if (!d) return;
      e.preventDefault();
      e.stopPropagation();
      commit(next(mode, box, d[0], d[1]));
    },
  });
  return { shown: live ?? box, moveGrip: grip('move'), resizeGrip: grip('resize') };
}

export function GroupFrame({ group, editable }: { group: Group; editable: boolean }) {
  const s = editorStore.getState();
  // The nodes inside follow a moving frame as a drag would, and land with it in the same undo step.
  const follow = (b: Box | null) => {
    const { doc } = editorStore.getState();
    if (!b) return s.setDragPositions({});
    const dx = b.position.x - group.position.x;
    const dy = b.position.y - group.position.y;
    const at = new Map(doc.nodes.map((n) => [n.id, n.position]));
    s.setDragPositions(Object.fromEntries(nodesInGroup(doc, group).map((id) => [id, { x: at.get(id)!.x + dx, y: at.get(id)!.y + dy }])));
  };
  const { shown, moveGrip, resizeGrip } = useBoxGestures(
    group,
    (b) => s.updateGroup(group.id, { position: b.position, size: b.size }),
    follow,
  );
  return (
    <div
      className={`group-frame${editable ? ' editable' : ''}`}
      data-testid={`group-${group.id}`}
      style={{ transform: `translate(${shown.position.x}px, ${shown.position.y}px)`, width: shown.size.width, height: shown.size.height }}
    >
      {editable ? (
        <div className="group-bar nodrag nopan nowheel">
          <button
            className="canvas-grip"
            data-testid={`group-move-${group.id}`}
            aria-label={`Move frame ${group.title} (drag, or arrow keys)`}
            title="Drag to move, or focus and use the arrow keys (Shift: larger steps)"
            {...moveGrip}
          >
            ⠿
          </button>
          <TitleField key={group.title} title={group.title} id={group.id} />
          <button
            className="link-button"
            data-testid={`group-remove-${group.id}`}
            aria-label={`Delete frame ${group.title}`}
            onClick={() => s.removeGroup(group.id)}
          >
            Delete
          </button>
        </div>
      ) : (
        <span className="group-title">{group.title}</span>
      )}
      {editable && (
        <button
          className="canvas-resize nodrag nopan"
          data-testid={`group-resize-${group.id}`}
          aria-label={`Resize frame ${group.title} (drag, or arrow keys)`}
          title="Drag to resize, or focus and use the arrow keys"
          {...resizeGrip}
        />
      )}
    </div>
  );
}

/** The element id of a frame's title field, so a new frame's title can take the focus. */
export const groupTitleId = (id: string) => `group-title-${id}`;

/** The title, written to the document once, on blur or Enter (one undo step). */
function TitleField({ title, id }: { title: string; id: string }) {
  const [draft, setDraft] = useState(title);
  const commit = () => draft !== title && editorStore.getState().updateGroup(id, { title: draft });
  return (
    <input
      className="group-title-input"
      id={groupTitleId(id)}
      aria-label="Frame title"
      data-testid={`group-title-${id}`}
      value={draft}
      maxLength={200}
      placeholder="Frame title"
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setDraft(title);
      }}
    />
  );
}
