/** Messages for the user: errors stay until dismissed, the rest fade after a few seconds. */
import { useEffect } from 'react';
import { editorStore, useEditor } from '../../store';

export function Notices() {
  const notices = useEditor((s) => s.notices);
  useEffect(() => {
    const timers = notices.filter((n) => n.kind === 'info').map((n) => setTimeout(() => editorStore.getState().dismiss(n.id), 5000));
    return () => timers.forEach(clearTimeout);
  }, [notices]);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice ${n.kind}`}
          data-testid="notice"
          data-kind={n.kind}
          role={n.kind === 'error' ? 'alert' : 'status'}
        >
          <span>{n.text}</span>
          <button className="icon-button" onClick={() => editorStore.getState().dismiss(n.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
