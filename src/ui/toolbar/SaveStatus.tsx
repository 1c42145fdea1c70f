/** Whether the graph is safely stored; a failure stays visible until a save succeeds. */
import { useEditor } from '../../store';

export function SaveStatus() {
  const status = useEditor((s) => s.saveStatus);
  const error = useEditor((s) => s.saveError);
  const text = { idle: 'Autosave on', saving: 'Saving…', saved: 'Saved', failed: 'Not saved' }[status];
  return (
    <span
      className={`save-status ${status}`}
      data-testid="save-status"
      data-status={status}
      title={error ? `Not saved: ${error}` : 'Changes are saved in this browser'}
      role="status"
    >
      {text}
      {status === 'failed' && error ? ` — ${error}` : ''}
    </span>
  );
}
