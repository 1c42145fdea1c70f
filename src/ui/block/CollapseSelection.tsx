/**
 * "Collapse into a block" for the selected nodes: a name for the new block and
 * the button, or why these nodes cannot become one (checked as the selection
 * changes). The new block opens in the block editor, where its ports are named.
 */
import { useState } from 'react';
import { editorStore, useEditor } from '../../store';
import { collapseLayers } from '../../store/blockOps';
import './blockEditor.css';

export function CollapseSelection() {
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const selected = useEditor((s) => s.selectedNodeIds);
  const [title, setTitle] = useState('Block');
  const check = collapseLayers(doc, registry, selected, title);
  const collapse = () => {
    const s = editorStore.getState();
    const r = s.collapseSelection(title.trim() || 'Block');
    if (!r.ok) return s.notify('warn', `Could not collapse: ${r.reason}`);
    s.notify('info', `Collapsed ${selected.length} layers into “${title.trim() || 'Block'}”. Undo puts them back.`);
    s.openBlock(r.id);
  };
  return (
    <div className="collapse-selection" data-testid="collapse-selection">
      <label htmlFor="collapse-title">New block’s name</label>
      <input id="collapse-title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} data-testid="collapse-title" />
      <button onClick={collapse} disabled={!check.ok} data-testid="collapse-block" title={check.ok ? 'One undo step' : check.reason}>
        Collapse into a block
      </button>
      {!check.ok && (
        <p className="small muted" data-testid="collapse-reason">
          {check.reason}
        </p>
      )}
    </div>
  );
}
