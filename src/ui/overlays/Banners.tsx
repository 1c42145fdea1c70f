/** Problems with saving that need a decision: storage failing, or another tab editing the same graph. */
import { useEditor } from '../../store';
import type { Autosave } from '../../store/autosave';

export function Banners({ autosave }: { autosave: Autosave | null }) {
  const conflict = useEditor((s) => s.conflict);
  const status = useEditor((s) => s.saveStatus);
  const error = useEditor((s) => s.saveError);
  if (conflict)
    return (
      <div className="banner warn" role="alert" data-testid="conflict-banner">
        This graph was changed in another tab. Saving here is paused so neither copy is lost.
        <button onClick={() => void autosave?.takeTheirs()} data-testid="conflict-theirs">
          Load the other tab’s version
        </button>
        <button onClick={() => void autosave?.keepMine()} data-testid="conflict-mine">
          Keep mine (overwrite)
        </button>
      </div>
    );
  if (status === 'failed')
    return (
      <div className="banner bad" role="alert" data-testid="not-saved-banner">
        Not saved: {error ?? 'the browser refused to store the graph'}. Export a file to keep your work.
      </div>
    );
  return null;
}
