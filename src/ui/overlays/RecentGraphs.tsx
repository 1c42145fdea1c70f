/** Every graph saved in this browser, newest first: open one in this tab, or delete it after an inline confirmation. */
import { useEffect, useRef, useState } from 'react';
import { editorStore } from '../../store';
import { listRecent, removeRecent, savedAgo, type RecentGraph } from '../../store/recent';
import { saveOpenGraph, switchToGraph } from '../bootstrap';
import { currentGraphId } from '../graphUrl';
import { Modal } from './Modal';

export function RecentGraphs({ onClose }: { onClose: () => void }) {
  const [graphs, setGraphs] = useState<RecentGraph[] | null>(null);
  const [now, setNow] = useState(0);
  const [failure, setFailure] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const list = useRef<HTMLUListElement>(null);
  const openId = currentGraphId();

  useEffect(() => {
    let live = true;
    // Save the open graph first so its row shows its latest title and time.
    saveOpenGraph()
      .then(() => listRecent())
      .then(
        (found) => {
          if (!live) return;
          setNow(Date.now());
          setGraphs(found);
        },
        (e: Error) => live && setFailure(e?.message || String(e)),
      );
    return () => {
      live = false;
    };
  }, []);

  // Closing hands the keyboard back to what opened the dialog (the toolbar's button).
  useEffect(() => {
    const opener = document.activeElement;
    return () => {
      if (opener instanceof HTMLElement) opener.focus();
    };
  }, []);

  const loaded = graphs !== null;
  useEffect(() => {
    if (loaded) list.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [loaded]);

  const open = async (g: RecentGraph) => {
    const refused = await switchToGraph(g.graphId);
    if (refused) editorStore.getState().notify('error', `Could not switch graphs: ${refused}`);
  };
  const remove = async (g: RecentGraph) => {
    try {
      await removeRecent(g.graphId);
      setGraphs((gs) => gs?.filter((x) => x.graphId !== g.graphId) ?? null);
      setConfirming(null);
      list.current?.querySelector<HTMLButtonElement>('button')?.focus();
    } catch (e) {
      setFailure((e as Error)?.message || String(e));
    }
  };

  return (
    <Modal title="Open recent" onClose={onClose} className="recent" testId="recent-dialog">
      {failure && (
        <p className="invalid-text" role="alert">
          Could not read the saved graphs: {failure}
        </p>
      )}
      {!graphs && !failure && <p className="muted">Reading saved graphs…</p>}
      {graphs?.length === 0 && <p className="muted">No saved graphs yet. Every graph you edit is saved in this browser.</p>}
      {graphs && graphs.length > 0 && (
        <ul className="recent-list" ref={list}>
          {graphs.map((g) => {
            const isOpen = g.graphId === openId;
            const asking = confirming === g.graphId;
            return (
              <li key={g.graphId} className={isOpen ? 'recent-item open' : 'recent-item'} data-testid={`recent-${g.graphId}`}>
                <div className="recent-text">
                  <span className="recent-title" title={g.title} data-testid="recent-title">
                    {g.title}
                  </span>
                  <span className="muted small">
                    saved {savedAgo(g.savedAt, now)} · {g.nodeCount} {g.nodeCount === 1 ? 'node' : 'nodes'}
                  </span>
                </div>
                {asking ? (
                  <>
                    <span className="recent-ask">Delete for good?</span>
                    <button
                      className="danger"
                      onClick={() => void remove(g)}
                      data-testid="recent-delete-yes"
                      aria-label={`Yes, delete “${g.title}”`}
                    >
                      Delete
                    </button>
                    <button onClick={() => setConfirming(null)} autoFocus data-testid="recent-delete-no" aria-label={`Keep “${g.title}”`}>
                      Keep
                    </button>
                  </>
                ) : isOpen ? (
                  <span className="recent-badge" data-testid="recent-open-now">
                    open now
                  </span>
                ) : (
                  <>
                    <button className="primary" onClick={() => void open(g)} data-testid="recent-open" aria-label={`Open “${g.title}”`}>
                      Open
                    </button>
                    <button
                      className="danger"
                      onClick={() => setConfirming(g.graphId)}
                      data-testid="recent-delete"
                      aria-label={`Delete “${g.title}”`}
                    >
                      Delete
                    </button>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Modal>
  );
}
