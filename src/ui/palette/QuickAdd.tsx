/** Keyboard-only adding: a filter box (opened with A), arrows to choose, Enter to place. */
import { useState } from 'react';
import { useEditor } from '../../store';
import { categoryColor } from '../look';
import { useAddNode } from '../canvas/useAddNode';
import { Modal } from '../overlays/Modal';
import { searchNodes } from './nodeSearch';

export function QuickAdd({ onClose }: { onClose: () => void }) {
  const registry = useEditor((s) => s.registry);
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const addNode = useAddNode();
  const found = searchNodes(registry, query).slice(0, 12);
  const current = Math.min(index, found.length - 1);

  const place = (type: string | undefined) => {
    if (!type) return;
    addNode(type);
    onClose();
  };

  return (
    <Modal title="Add a node" onClose={onClose} className="quick-add" testId="quick-add">
      <input
        autoFocus
        className="search"
        placeholder="Type to filter, Enter to add"
        role="combobox"
        aria-label="Node type (arrows choose, Enter adds)"
        aria-expanded="true"
        aria-controls="quick-add-list"
        aria-activedescendant={found[current] ? `quick-add-${found[current].type}` : undefined}
        value={query}
        data-testid="quick-add-input"
        onChange={(e) => {
          setQuery(e.target.value);
          setIndex(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setIndex((i) => Math.min(i + 1, found.length - 1));
          }
          if (e.key === 'ArrowUp') {
            e.preventDefault();
            setIndex((i) => Math.max(i - 1, 0));
          }
          if (e.key === 'Enter') {
            e.preventDefault();
            place(found[current]?.type);
          }
        }}
      />
      <ul className="quick-add-list" role="listbox" id="quick-add-list" aria-label="Matching node types">
        {found.map((d, i) => (
          <li
            key={d.type}
            id={`quick-add-${d.type}`}
            role="option"
            aria-selected={i === current}
            className={i === current ? 'active' : ''}
            onMouseDown={(e) => {
              e.preventDefault();
              place(d.type);
            }}
          >
            <span className="dot" style={{ background: categoryColor(d.category) }} />
            {d.title}
            <span className="muted">{d.category}</span>
          </li>
        ))}
      </ul>
      {!found.length && <p className="muted">Nothing matches.</p>}
    </Modal>
  );
}
