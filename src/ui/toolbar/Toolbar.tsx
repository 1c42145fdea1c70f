/** The top bar: graph title, file actions, history, layout, view and help. */
import { useRef } from 'react';
import { emptyDocument } from '../../graph/document';
import { editorStore, redo, undo, useEditor, useHistory } from '../../store';
import { exportDocument, importFile } from '../files';
import { ExplainToggle } from '../explain/ExplainToggle';
import { runAutoLayout } from '../layoutAction';
import { runHistory } from '../run/historyStore';
import { SaveStatus } from './SaveStatus';
import { TrainControls } from './TrainControls';

export function Toolbar() {
  const title = useEditor((s) => s.doc.meta.title);
  const theme = useEditor((s) => s.theme);
  const { canUndo, canRedo } = useHistory();
  const fileInput = useRef<HTMLInputElement>(null);
  const s = editorStore.getState();

  return (
    <header className="toolbar" data-testid="toolbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden>
          ◆
        </span>{' '}
        Latent Lab
      </div>
      <span className="doc-title" title={title} data-testid="doc-title">
        {title}
      </span>
      <TrainControls />
      <div className="toolbar-group">
        <button
          onClick={() => {
            s.replaceDocument(emptyDocument());
            s.notify('info', 'New empty graph. Undo brings back the previous one.');
          }}
          data-testid="btn-new"
          title="Start an empty graph (undoable)"
        >
          New
        </button>
        <button onClick={() => s.setOverlay('gallery')} data-testid="btn-presets" title="Open a preset">
          Presets
        </button>
        <button
          onClick={() => s.setOverlay('recent')}
          data-testid="btn-recent"
          title="Open a graph saved in this browser"
          aria-haspopup="dialog"
        >
          Open recent
        </button>
        <button onClick={() => fileInput.current?.click()} data-testid="btn-import" title="Open a .json graph file">
          Import
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFile(file);
          }}
        />
        <button
          onClick={() => void runHistory.duplicateAsVariant()}
          data-testid="btn-variant"
          title="Duplicate as variant: copy this graph into a new one with the same seed (same start, same data order), change one thing, train it, compare the runs"
        >
          New variant
        </button>
        <button onClick={() => exportDocument(editorStore.getState().doc)} data-testid="btn-export" title="Download the graph as .json">
          Export
        </button>
        <button onClick={() => s.setOverlay('share')} data-testid="btn-share" title="Copy a link that contains the graph">
          Share link
        </button>
      </div>
      <div className="toolbar-group">
        <button onClick={() => undo(editorStore)} disabled={!canUndo} data-testid="btn-undo" title="Undo (Ctrl Z)" aria-label="Undo">
          ↶
        </button>
        <button onClick={() => redo(editorStore)} disabled={!canRedo} data-testid="btn-redo" title="Redo (Ctrl Shift Z)" aria-label="Redo">
          ↷
        </button>
        <button onClick={() => void runAutoLayout()} data-testid="btn-layout" title="Auto-layout left to right (L)">
          Layout
        </button>
        <button onClick={() => s.frameNode(null)} data-testid="btn-fit" title="Fit the graph in view (F)">
          Fit
        </button>
        <ExplainToggle />
      </div>
      <div className="toolbar-spacer" />
      <SaveStatus />
      <button
        onClick={() => s.setTheme(theme === 'light' ? 'dark' : 'light')}
        data-testid="btn-theme"
        title="Switch light / dark"
        aria-label="Switch theme"
      >
        {theme === 'light' ? '☾' : '☀'}
      </button>
      <button onClick={() => s.setOverlay('help')} data-testid="btn-help" title="Keyboard shortcuts (?)" aria-label="Help">
        ?
      </button>
    </header>
  );
}
