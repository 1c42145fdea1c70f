/**
 * The Dataset node's own data: pick or drop files, see what was found (examples,
 * classes, shape, files left out), or switch to a set picked before. Picking
 * sets the node's source and stored id in one edit.
 */
import { useRef, useState, type DragEvent } from 'react';
import type { GraphNode } from '../../graph/document';
import type { UploadSummary } from '../../graph/uploads';
import { editorStore, useUploads } from '../../store';
import { uploadsStore } from '../../store/uploads';
import { fromDrop, fromInput, importPicked, type PickedFile } from '../data/importData';

type Status = { kind: 'idle' } | { kind: 'reading'; files: number } | { kind: 'failed'; message: string; hint: string };

function describeClasses(s: UploadSummary): string {
  if (s.numClasses === 0) return 'no labels';
  const names = s.classNames ?? Array.from({ length: s.numClasses }, (_, i) => String(i));
  const shown = names.length <= 6 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, … ${names[names.length - 1]}`;
  return `${s.numClasses} classes (${shown})`;
}

export function describeUpload(s: UploadSummary): string {
  const what = s.kind === 'points' ? '2-D points' : `${s.shape.slice(0, 2).join('×')} images`;
  return `${s.count.toLocaleString('en-US')} ${what} · ${describeClasses(s)}`;
}

function UploadFacts({ summary }: { summary: UploadSummary }) {
  return (
    <div className="upload-facts" data-testid="upload-summary">
      <div>
        <strong>{summary.name}</strong>
      </div>
      <div>{describeUpload(summary)}</div>
      <div className="muted small">
        from {summary.files} file{summary.files === 1 ? '' : 's'} ({summary.format})
      </div>
      {summary.skipped.length > 0 && (
        <details className="upload-skipped" data-testid="upload-skipped">
          <summary>
            {summary.skipped.length} file{summary.skipped.length === 1 ? '' : 's'} left out
          </summary>
          <ul>
            {summary.skipped.map((s, i) => (
              <li key={i}>
                <code>{s.file}</code>: {s.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

export function DataPicker({ node }: { node: GraphNode }) {
  const uploads = useUploads();
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const current = node.params.source === 'upload' ? uploads[String(node.params.upload ?? '')] : undefined;
  const others = Object.values(uploads)
    .filter((u) => u.id !== current?.id)
    .sort((a, b) => b.storedAt - a.storedAt);
  const choose = (id: string) => editorStore.getState().setParams(node.id, { source: 'upload', upload: id });

  async function run(picked: PickedFile[]) {
    setStatus({ kind: 'reading', files: picked.length });
    const reply = await importPicked(picked);
    if (!reply.ok) {
      setStatus({ kind: 'failed', message: reply.message, hint: reply.hint });
      return;
    }
    uploadsStore.getState().add(reply.summary);
    choose(reply.summary.id);
    setStatus({ kind: 'idle' });
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void fromDrop(e.dataTransfer).then(run, (err: unknown) =>
      setStatus({
        kind: 'failed',
        message: `the dropped files could not be read (${String(err)})`,
        hint: 'pick them with the buttons instead',
      }),
    );
  };

  return (
    <section className="inspector-section" aria-labelledby="your-data">
      <h3 id="your-data">Your data</h3>
      {current && <UploadFacts summary={current} />}
      <div
        className={`drop-zone${dragging ? ' dragging' : ''}`}
        data-testid="data-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p className="small">
          Drop MNIST-style IDX files (.gz too), a zip or folder of PNG/JPEG images (one sub-folder per class), or a CSV of 2-D points.
        </p>
        <div className="button-row">
          <button type="button" onClick={() => filesInput.current?.click()} disabled={status.kind === 'reading'}>
            Pick files…
          </button>
          <button type="button" onClick={() => folderInput.current?.click()} disabled={status.kind === 'reading'}>
            Pick a folder…
          </button>
        </div>
        <input
          ref={filesInput}
          type="file"
          multiple
          hidden
          data-testid="data-files"
          aria-label="data files"
          onChange={(e) => {
            void run(fromInput(e.target.files));
            e.target.value = '';
          }}
        />
        <input
          ref={folderInput}
          type="file"
          hidden
          aria-label="data folder"
          {...{ webkitdirectory: '' }}
          onChange={(e) => {
            void run(fromInput(e.target.files));
            e.target.value = '';
          }}
        />
      </div>
      {status.kind === 'reading' && (
        <p className="small" role="status" data-testid="data-status">
          Reading {status.files} file{status.files === 1 ? '' : 's'}…
        </p>
      )}
      {status.kind === 'failed' && (
        <div className="field-error" role="alert" data-testid="data-error">
          {status.message}
          {status.hint && <div className="hint">{status.hint}</div>}
        </div>
      )}
      {others.length > 0 && (
        <div className="field">
          <label htmlFor="data-earlier">Data picked before</label>
          <select id="data-earlier" data-testid="data-earlier" value="" onChange={(e) => e.target.value && choose(e.target.value)}>
            <option value="">choose…</option>
            {others.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}: {describeUpload(u)}
              </option>
            ))}
          </select>
        </div>
      )}
    </section>
  );
}
