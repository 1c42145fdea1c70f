/** Every registered node type, grouped by category: drag onto the canvas or double-click to add. */
import { useState, type DragEvent } from 'react';
import { CATEGORIES, type AnyNodeDef } from '../../graph/nodeApi';
import { useEditor } from '../../store';
import { CATEGORY_LOOK } from '../look';
import { NODE_DRAG_TYPE, useAddNode } from '../canvas/useAddNode';
import { searchNodes } from './nodeSearch';

export function Palette() {
  const registry = useEditor((s) => s.registry);
  const [query, setQuery] = useState('');
  const addNode = useAddNode();
  const found = searchNodes(registry, query);

  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(NODE_DRAG_TYPE, type);
    e.dataTransfer.effectAllowed = 'copy';
  };

  return (
    <aside className="palette" data-testid="palette" aria-label="Node palette">
      <input
        className="search"
        type="search"
        placeholder="Search nodes…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="palette-search"
      />
      <div className="palette-groups">
        {CATEGORIES.map((cat) => {
          const defs = found.filter((d) => d.category === cat);
          if (!defs.length) return null;
          return (
            <section key={cat} className="palette-group">
              <h3 style={{ ['--cat' as string]: CATEGORY_LOOK[cat].color }}>{CATEGORY_LOOK[cat].label}</h3>
              {defs.map((d: AnyNodeDef) => (
                <div
                  key={d.type}
                  className="palette-item"
                  style={{ ['--cat' as string]: CATEGORY_LOOK[cat].color }}
                  draggable
                  onDragStart={(e) => onDragStart(e, d.type)}
                  onDoubleClick={() => addNode(d.type)}
                  title={`${d.doc}\n\nDrag onto the canvas or double-click to add.`}
                  data-testid={`palette-item-${d.type}`}
                >
                  {d.title}
                  {d.kind === 'block' && <span className="badge">block</span>}
                </div>
              ))}
            </section>
          );
        })}
        {!found.length && <p className="muted">No node matches “{query}”.</p>}
      </div>
    </aside>
  );
}
