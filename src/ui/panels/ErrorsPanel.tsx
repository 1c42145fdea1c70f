/** Every compiler finding; clicking one selects the node and brings it into view; a known repair is one click. */
import { editorStore, useCompiled, useEditor } from '../../store';
import { FixButton } from '../canvas/FixButton';

export function ErrorsPanel() {
  const compiled = useCompiled();
  const doc = useEditor((s) => s.doc);
  const labelOf = (id: string) => doc.nodes.find((n) => n.id === id)?.label || id;
  const sorted = [...compiled.errors].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  if (!sorted.length)
    return (
      <p className="panel-empty" data-testid="errors-empty">
        No problems. {doc.nodes.length ? 'The graph is ready to train.' : 'Add nodes from the palette to start.'}
      </p>
    );
  return (
    <ul className="errors-list" data-testid="errors-list">
      {sorted.map((e, i) => (
        <li key={i} className={e.severity}>
          <button
            className="error-row"
            disabled={!e.nodeId}
            data-testid="error-item"
            data-node={e.nodeId ?? ''}
            onClick={() => e.nodeId && editorStore.getState().frameNode(e.nodeId)}
          >
            <span className={`severity ${e.severity}`}>{e.severity === 'error' ? 'error' : 'warning'}</span>
            <span className="error-where">
              {e.nodeId ? `${labelOf(e.nodeId)}${e.port ? `.${e.port}` : e.param ? ` (${e.param})` : ''}` : 'graph'}
            </span>
            <span className="error-message">{e.message}</span>
            {e.hint && (
              <span className="error-hint" data-testid="error-hint">
                {e.hint}
              </span>
            )}
          </button>
          {/* Beside the row, not inside it: a button may not hold another. */}
          {e.fix && (
            <div style={{ padding: '0 14px 6px' }}>
              <FixButton fix={e.fix} testId="error-fix" />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
