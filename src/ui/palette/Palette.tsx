/**
 * Every registered node type, grouped by category: drag onto the canvas or
 * double-click to add. From the keyboard, the search box (or the list) moves a
 * highlight with the arrow keys and Enter adds the highlighted node.
 */
import { useState, type DragEvent, type KeyboardEvent } from 'react';
import { CATEGORIES, type AnyNodeDef } from '../../graph/nodeApi';
import { useEditor } from '../../store';
import { CATEGORY_LOOK } from '../look';
import { NODE_DRAG_TYPE, useAddNode } from '../canvas/useAddNode';
import { searchNodes } from './nodeSearch';

const optionId = (type: string) => `palette-option-${type}`;

export function Palette() {
  const registry = useEditor((s) => s.registry);
  const [query, setQuery] = useState('');
  // null: the best match, which the search ranks first even where its category is shown further down.
  const [index, setIndex] = useState<number | null>(null);
  const addNode = useAddNode();
  const found = searchNodes(registry, query);
  // The order they are shown in (by category), which is the order the arrows walk.
  const shown = CATEGORIES.flatMap((cat) => found.filter((d) => d.category === cat));
  const current = shown.length ? Math.min(index ?? shown.indexOf(found[0]), shown.length - 1) : -1;
  const highlighted = shown[current];

  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(NODE_DRAG_TYPE, type);
    e.dataTransfer.effectAllowed = 'copy';
  };
  const move = (to: number) => {
    const next = Math.max(0, Math.min(to, shown.length - 1));
    setIndex(next);
    if (shown[next]) document.getElementById(optionId(shown[next].type))?.scrollIntoView({ block: 'nearest' });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 8, PageUp: -8 }[e.key];
    if (step) {
      e.preventDefault();
      move(current + step);
    } else if (e.key === 'Enter' && highlighted) {
      e.preventDefault();
      addNode(highlighted.type);
    }
  };

  return (
    <aside className="palette" data-testid="palette" aria-label="Node palette">
      <input
        className="search"
        type="search"
        role="combobox"
        aria-label="Search nodes (arrows choose, Enter adds)"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={highlighted ? optionId(highlighted.type) : undefined}
        placeholder="Search nodes…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setIndex(null);
        }}
        onKeyDown={onKeyDown}
        data-testid="palette-search"
      />
      <div
        className="palette-groups"
        id="palette-list"
        role="listbox"
        aria-label="Node types"
        // Focusable so it scrolls from the keyboard; the arrows and Enter work here as in the search box.
        tabIndex={0}
        aria-activedescendant={highlighted ? optionId(highlighted.type) : undefined}
        onKeyDown={onKeyDown}
      >
        {CATEGORIES.map((cat) => {
          const defs = shown.filter((d) => d.category === cat);
          if (!defs.length) return null;
          return (
            <div key={cat} className="palette-group" role="group" aria-labelledby={`palette-cat-${cat}`}>
              <div className="palette-group-title" id={`palette-cat-${cat}`} style={{ ['--cat' as string]: CATEGORY_LOOK[cat].color }}>
                {CATEGORY_LOOK[cat].label}
              </div>
              {defs.map((d: AnyNodeDef) => (
                <div
                  key={d.type}
                  id={optionId(d.type)}
                  role="option"
                  aria-selected={d === highlighted}
                  className={`palette-item${d === highlighted ? ' active' : ''}`}
                  style={{ ['--cat' as string]: CATEGORY_LOOK[cat].color }}
                  draggable
                  onDragStart={(e) => onDragStart(e, d.type)}
                  onClick={() => setIndex(shown.indexOf(d))}
                  onDoubleClick={() => addNode(d.type)}
                  title={`${d.doc}\n\nDrag onto the canvas, double-click, or Enter to add.`}
                  data-testid={`palette-item-${d.type}`}
                >
                  {d.title}
                  {d.kind === 'block' && <span className="badge">block</span>}
                </div>
              ))}
            </div>
          );
        })}
      </div>
      {!found.length && <p className="muted palette-empty">No node matches “{query}”.</p>}
    </aside>
  );
}
