/**
 * The run history of this graph and its variants: names (editable), colours,
 * size, continue / download / delete per run, opening a bundle, picking runs
 * to compare, and a queue that trains graphs one after another.
 */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { loadSaved, idbStorage } from '../../store/autosave';
import { listRecent } from '../../store/recent';
import { formatMegabytes, totalBytes, type RunRecord } from '../../store/runHistory';
import { editorStore, useEditor } from '../../store';
import { dismissHistoryNotice, historyStore, runHistory, runQueue, useHistoryStore } from './historyStore';
import { downloadBundle, openBundle } from './runBundles';
import './compare.css';

function RunName({ run }: { run: RunRecord }) {
  const [text, setText] = useState(run.name);
  const [shown, setShown] = useState(run.name);
  if (shown !== run.name) {
    setShown(run.name);
    setText(run.name);
  }
  const commit = () => {
    if (text.trim() && text.trim() !== run.name) void runHistory.rename(run.id, text);
    else setText(run.name);
  };
  return (
    <input
      className="run-name"
      value={text}
      aria-label={`Name of the run ${run.name}`}
      data-testid={`run-name-${run.id}`}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
    />
  );
}

/** The history's notices and the history-full offer: shown above every view of the run panel, since they concern the run training now. */
export function HistoryNotices() {
  const notices = useHistoryStore((s) => s.notices);
  return (
    <>
      <FullBanner />
      {notices.map((n) => (
        <div key={n.id} className={`run-notice ${n.kind}`} data-testid={`history-notice-${n.kind}`}>
          <span className="grow">{n.text}</span>
          <button className="link-button" onClick={() => dismissHistoryNotice(n.id)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </>
  );
}

function FullBanner() {
  const full = useHistoryStore((s) => s.full);
  const cap = useHistoryStore((s) => s.capBytes);
  if (!full) return null;
  const names = full.oldest.map((o) => `“${o.name}” (${formatMegabytes(o.bytes)})`).join(', ');
  return (
    <div className="run-notice warn" role="alert" data-testid="history-full">
      <span className="grow">
        The run history is full ({formatMegabytes(cap)}): the run training now is not being saved.{' '}
        {full.enough
          ? `Deleting the oldest — ${names} — makes room.`
          : 'Even deleting every other run would not make room: this run alone is larger than the cap.'}
      </span>
      {full.enough && (
        <button className="primary" onClick={() => void runHistory.deleteOldest()}>
          Delete the oldest
        </button>
      )}
      <button onClick={runHistory.dismissFull}>Not now</button>
    </div>
  );
}

/** "14:32" today, else the date and time without seconds. */
function started(at: number): string {
  const d = new Date(at);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

/** Titles of the graphs saved in this browser, for naming queue items and runs of other graphs. */
function useGraphTitles(): Record<string, string> {
  const [titles, setTitles] = useState<Record<string, string>>({});
  const runs = useHistoryStore((s) => s.runs.length);
  const family = useHistoryStore((s) => s.family);
  useEffect(() => {
    let live = true;
    void listRecent()
      .then((list) => live && setTitles(Object.fromEntries(list.map((g) => [g.graphId, g.title]))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [runs, family]);
  return titles;
}

function Queue({ titles }: { titles: Record<string, string> }) {
  const family = useHistoryStore((s) => s.family);
  const graphId = useHistoryStore((s) => s.graphId);
  const queue = useHistoryStore((s) => s.queue);
  const currentTitle = useEditor((s) => s.doc.meta.title);
  const title = (g: string) => (g === graphId ? `${currentTitle} (open now)` : (titles[g] ?? g));
  const docOf = async (g: string) => {
    if (g === historyStore.getState().graphId) return editorStore.getState().doc;
    const saved = await loadSaved(idbStorage, g);
    return saved?.result.ok ? saved.result.doc : null;
  };
  return (
    <section className="history-queue" aria-label="Queue">
      <h5>Queue: train graphs one after another</h5>
      <p className="muted">Each graph ticked here starts from step 0 and trains for the same number of rounds; each becomes a run.</p>
      <ul>
        {family.map((g) => (
          <li key={g}>
            <label>
              <input
                type="checkbox"
                checked={queue.graphIds.includes(g)}
                disabled={queue.running}
                onChange={(e) => runQueue.toggle(g, e.target.checked)}
                data-testid={`queue-${g}`}
              />{' '}
              {title(g)}
            </label>
          </li>
        ))}
      </ul>
      <div className="history-row">
        <label>
          rounds{' '}
          <input
            type="number"
            min={1}
            step={1}
            value={queue.rounds}
            disabled={queue.running}
            aria-label="Rounds per graph"
            data-testid="queue-rounds"
            onChange={(e) =>
              Number.isInteger(Number(e.target.value)) && Number(e.target.value) > 0 && runQueue.setRounds(Number(e.target.value))
            }
          />
        </label>
        {queue.running ? (
          <button onClick={runQueue.stop} data-testid="queue-stop">
            Stop queue
          </button>
        ) : (
          <button
            className="primary"
            disabled={queue.graphIds.length === 0}
            onClick={() => void runQueue.start(docOf)}
            data-testid="queue-start"
          >
            Start queue ({queue.graphIds.length})
          </button>
        )}
        <span className="muted" data-testid="queue-status" aria-live="polite">
          {queue.status}
        </span>
      </div>
    </section>
  );
}

export function HistoryPanel() {
  const runs = useHistoryStore((s) => s.runs);
  const listed = useHistoryStore((s) => s.listed);
  const familyId = useHistoryStore((s) => s.familyId);
  const graphId = useHistoryStore((s) => s.graphId);
  const selected = useHistoryStore((s) => s.selected);
  const used = useHistoryStore((s) => s.usedBytes);
  const cap = useHistoryStore((s) => s.capBytes);
  const activeRunId = useHistoryStore((s) => s.activeRunId);
  const [all, setAll] = useState(false);
  const [dropping, setDropping] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const titles = useGraphTitles();
  const shown = runs.filter((r) => all || r.familyId === familyId || r.graphId === graphId).reverse();
  const others = runs.length - runs.filter((r) => r.familyId === familyId || r.graphId === graphId).length;
  const chosen = selected.filter((id) => runs.some((r) => r.id === id));

  const open = (files: FileList | null) => {
    const file = files?.[0];
    if (file) void openBundle(file);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDropping(false);
    open(e.dataTransfer.files);
  };

  return (
    <div
      className={`history-panel${dropping ? ' dropping' : ''}`}
      data-testid="history-panel"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDropping(true);
        }
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={onDrop}
    >
      <div className="history-row">
        <h4>{all ? 'All runs in this browser' : 'Runs of this graph and its variants'}</h4>
        <span
          className="history-usage"
          data-testid="history-usage"
          title="Runs, their checkpoints and sample grids, stored in this browser"
        >
          History: {formatMegabytes(used)} of {formatMegabytes(cap)}
        </span>
        <span className="spacer" />
        <button
          className="primary"
          disabled={chosen.length < 2}
          onClick={() => runHistory.show('compare')}
          data-testid="compare-runs"
          title={chosen.length < 2 ? 'Tick two or more runs to compare them' : undefined}
        >
          Compare {chosen.length >= 2 ? `${chosen.length} runs` : 'runs'}
        </button>
        <button
          onClick={() => fileInput.current?.click()}
          data-testid="open-bundle"
          title="Open a run bundle (.zip), or a CLI run folder zipped"
        >
          Open bundle…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".zip,application/zip"
          hidden
          data-testid="bundle-input"
          onChange={(e) => {
            open(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      {listed && shown.length === 0 && (
        <p className="muted">
          No runs yet. Press Play in the Training view: each training from step 0 becomes a run here. You can also drop a run bundle (.zip)
          here.
        </p>
      )}
      {shown.length > 0 && (
        <div className="history-table-wrap">
          <table className="history-table" data-testid="history-table">
            <thead>
              <tr>
                <th>
                  <span className="sr-only">Compare</span>
                </th>
                <th>Run</th>
                <th>Graph</th>
                <th>Step</th>
                <th>Trained on</th>
                <th>Started</th>
                <th>Size</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id} data-testid={`run-row-${r.id}`} className={r.id === activeRunId ? 'active' : undefined}>
                  <td>
                    <input
                      type="checkbox"
                      checked={selected.includes(r.id)}
                      onChange={(e) => runHistory.select(r.id, e.target.checked)}
                      aria-label={`Compare ${r.name}`}
                      data-testid={`run-select-${r.id}`}
                    />
                  </td>
                  <td>
                    <span className="run-name-cell">
                      <span className="swatch" style={{ background: r.colour }} aria-hidden />
                      <RunName run={r} />
                      {r.id === activeRunId && <span className="badge">training now</span>}
                    </span>
                  </td>
                  <td title={r.doc.meta.title}>{r.graphId === graphId ? 'this graph' : (titles[r.graphId] ?? r.doc.meta.title)}</td>
                  <td>{r.step}</td>
                  <td className="run-trained-on" title={`${r.backend || '—'} · ${r.data}`}>
                    {r.backend || '—'} · {r.data}
                    {r.origin === 'cli' ? ' · CLI' : ''}
                  </td>
                  <td title={new Date(r.createdAt).toLocaleString()}>{started(r.createdAt)}</td>
                  <td>{formatMegabytes(totalBytes(r.bytes))}</td>
                  <td>
                    <span className="run-actions">
                      <button
                        onClick={() => void runHistory.continueRun(r.id)}
                        disabled={r.graphId !== graphId || r.checkpointStep === null || r.id === activeRunId}
                        title={
                          r.graphId !== graphId
                            ? 'Open this run’s graph (Open recent) to continue it'
                            : r.checkpointStep === null
                              ? 'No checkpoint yet: one is saved when training pauses'
                              : `Continue training from step ${r.checkpointStep}`
                        }
                        data-testid={`run-continue-${r.id}`}
                      >
                        Continue
                      </button>
                      <button
                        onClick={() => void downloadBundle(r)}
                        data-testid={`run-download-${r.id}`}
                        title="Download this run as one .zip"
                      >
                        Download bundle
                      </button>
                      <button
                        onClick={() =>
                          confirm(`Delete the run “${r.name}” with its checkpoint and samples?`) && void runHistory.remove(r.id)
                        }
                        data-testid={`run-delete-${r.id}`}
                        aria-label={`Delete ${r.name}`}
                      >
                        Delete
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(others > 0 || all) && (
        <label className="history-all">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} data-testid="history-all" /> Show the runs of
          other graphs too ({others})
        </label>
      )}
      <Queue titles={titles} />
    </div>
  );
}
