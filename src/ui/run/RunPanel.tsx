/**
 * The run panel: backend badge and override, play / pause / step / reset,
 * per-optimizer steps, learning rate and batch size, live curves and views.
 * Training runs in the worker (see runStore.ts); this file only draws and sends messages.
 */
import { useEffect, useRef, useState } from 'react';
import type { GraphDocument } from '../../graph/document';
import type { BackendChoice } from '../../runtime/protocol';
import { editorStore, useCompiled, useEditor } from '../../store';
import { formatBytes } from '../format';
import { counterName, counterTitle } from './counter';
import { batchSizeField, learningRateField } from './hyperParams';
import { LossChart } from './LossChart';
import { MetricsView } from './MetricsView';
import { CodeSpaceViews } from './CodeSpaceViews';
import { OodView } from './OodView';
import { dismissNotice, run, runDebug, runStore, useRun } from './runStore';
import { GradientFlow } from './GradientFlow';
import { KlBars, LatentTools, NodePreview, Reconstructions, SampleGrid } from './views';
import { Playground2d } from './Playground2d';
import { DiffusionView } from './DiffusionView';
import { HistoryNotices, HistoryPanel } from './HistoryPanel';
import { CompareView } from './CompareView';
import { ExportMenu, ExportNotice } from './ExportMenu';
import { runHistory, startHistory, useHistoryStore, type HistoryState } from './historyStore';
import './run.css';

declare global {
  interface Window {
    /** End-to-end tests and the console: the run store, actions and failure injection. */
    latentLabRun?: typeof runDebug;
  }
}
if (typeof window !== 'undefined') window.latentLabRun = runDebug;

const BACKENDS: BackendChoice[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
const REFRESH_MS = 500;

function NumberField(props: {
  value: number;
  onCommit: (v: number) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  testId?: string;
  label: string;
  integer?: boolean;
}) {
  const [text, setText] = useState(String(props.value));
  // A new value from outside replaces the draft, adjusted during render rather than in an effect (no extra render).
  const [shown, setShown] = useState(props.value);
  if (!Object.is(shown, props.value)) {
    setShown(props.value);
    setText(String(props.value));
  }
  const v = Number(text);
  const ok =
    text.trim() !== '' &&
    Number.isFinite(v) &&
    (props.min === undefined || v >= props.min) &&
    (props.max === undefined || v <= props.max) &&
    (!props.integer || Number.isInteger(v));
  const commit = () => {
    if (ok && v !== props.value) props.onCommit(v);
  };
  return (
    <label>
      {props.label}
      <input
        type="number"
        value={text}
        step={props.step ?? 'any'}
        min={props.min}
        max={props.max}
        className={ok ? '' : 'invalid'}
        data-testid={props.testId}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </label>
  );
}

function Controls() {
  const backend = useRun((s) => s.backend);
  const choice = useRun((s) => s.backendChoice);
  const info = useRun((s) => s.info);
  const running = useRun((s) => s.running);
  const step = useRun((s) => s.step);
  const sps = useRun((s) => s.stepsPerSec);
  const ms = useRun((s) => s.msPerStep);
  const tensors = useRun((s) => s.numTensors);
  const bytes = useRun((s) => s.numBytes);
  const ckpt = useRun((s) => s.checkpoint);
  const diverged = useRun((s) => s.diverged);
  // The editor's own compile: Play must not train the previous model while this graph has errors.
  const errors = useCompiled().errors.filter((e) => e.severity === 'error').length;
  // The learning-rate and batch fields show and edit the document, which the worker follows.
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const batch = batchSizeField(doc, registry);
  const ready = !!info && errors === 0;
  const multi = (info?.optimizers.length ?? 0) > 1;
  const badgeTitle = backend
    ? [
        `${backend.backend}: ${backend.threads} thread${backend.threads === 1 ? '' : 's'}${backend.simd ? ', SIMD' : ''}${backend.fma ? ' + FMA' : ''}${backend.sharedMemory ? ', threaded build (shared memory)' : ''}`,
        backend.note,
        ...backend.skipped.map((s) => `${s.backend} skipped: ${s.reason}`),
      ]
        .filter(Boolean)
        .join('\n')
    : 'starting…';
  return (
    <div className="run-controls">
      <span
        className={`backend-badge${backend ? '' : ' none'}`}
        data-testid="backend-badge"
        data-backend={backend?.backend ?? ''}
        title={badgeTitle}
      >
        {backend ? `${backend.backend}${backend.threads > 1 ? ` ×${backend.threads}` : ''}` : 'no backend yet'}
      </span>
      <select
        value={choice}
        onChange={(e) => run.setBackend(e.target.value as BackendChoice)}
        aria-label="backend"
        data-testid="backend-select"
        title="Backend: auto tries webgpu, webgl, wasm, cpu in turn"
      >
        {BACKENDS.map((b) => (
          <option key={b} value={b}>
            {b}
          </option>
        ))}
      </select>
      <span className="sep" />
      {running ? (
        <button className="primary" onClick={run.pause} data-testid="run-pause">
          ❚❚ Pause
        </button>
      ) : (
        <button className="primary" onClick={run.play} disabled={!ready || !!diverged} data-testid="run-play">
          ▶ Play
        </button>
      )}
      <button onClick={() => run.step()} disabled={!ready || running || !!diverged} data-testid="run-step" title="One training round">
        Step
      </button>
      {multi &&
        info!.optimizers.map((o) => (
          <button
            key={o.id}
            onClick={() => run.step(o.id)}
            disabled={running || !!diverged}
            data-testid={`run-step-${o.id}`}
            title={`Step only ${o.label}`}
          >
            Step {o.label}
          </button>
        ))}
      <button
        onClick={() => confirm('Re-initialise all weights and forget the checkpoint?') && run.reset()}
        disabled={!ready}
        data-testid="run-reset"
      >
        Reset
      </button>
      <span className="sep" />
      {info?.optimizers.map((o) => {
        const f = learningRateField(doc, registry, o.id);
        return (
          f && (
            <NumberField
              key={o.id}
              label={multi ? `lr ${o.label}` : 'lr'}
              value={f.value}
              min={f.min}
              max={f.max}
              onCommit={(v) => editorStore.getState().setParam(f.nodeId, f.param, v)}
              testId={`lr-${o.id}`}
            />
          )
        );
      })}
      {info && batch && (
        <NumberField
          label="batch"
          value={batch.value}
          min={batch.min}
          max={batch.max}
          step={1}
          integer
          onCommit={(v) => editorStore.getState().setParam(batch.nodeId, batch.param, v)}
          testId="batch-size"
        />
      )}
      <span className="sep" />
      <span className="run-stat" title={counterTitle(info)}>
        {counterName(info)} <strong data-testid="step-counter">{step}</strong>
      </span>
      <span className="run-stat" data-testid="steps-per-sec">
        {running ? `${sps.toFixed(1)} steps/s` : ms ? `${ms.toFixed(0)} ms/step` : ''}
      </span>
      <span className="run-stat" title="live tensors in the worker and the memory they hold" data-testid="memory">
        {tensors} tensors · {formatBytes(bytes)}
      </span>
      <span className="run-stat" data-testid="checkpoint-status">
        {ckpt ? `checkpoint @ ${ckpt.step}` : ''}
      </span>
      <ExportMenu modelReady={ready} graphReady={errors === 0} />
    </div>
  );
}

function Notices() {
  const notices = useRun((s) => s.notices);
  const docChanged = useRun((s) => s.docChanged);
  const stored = useRun((s) => s.storedCheckpoint);
  const step = useRun((s) => s.step);
  const running = useRun((s) => s.running);
  return (
    <div className="run-notices">
      {docChanged && (
        <div className="run-dialog" data-testid="doc-changed">
          The graph changed while training: {docChanged.matching} of {docChanged.total} weight tensors still fit.
          <button onClick={() => run.answerDocChange('keep')} data-testid="keep-weights">
            Keep matching weights
          </button>
          <button onClick={() => run.answerDocChange('restart')} data-testid="restart-training">
            Restart from scratch
          </button>
        </div>
      )}
      {stored && step === 0 && !running && stored.step > 0 && (
        <div className="run-notice info" data-testid="resume-offer">
          <span className="grow">
            A checkpoint of this graph from step {stored.step} ({new Date(stored.savedAt).toLocaleString()}, {stored.backend}) is saved.
          </span>
          <button className="primary" onClick={run.resume} data-testid="resume-checkpoint">
            Resume
          </button>
        </div>
      )}
      {notices.map((n) => (
        <div key={n.id} className={`run-notice ${n.kind}`} data-testid={`notice-${n.kind}`}>
          <span className="grow">{n.text}</span>
          {n.action === 'restore' && (
            <button
              onClick={() => {
                run.restoreCheckpoint();
                dismissNotice(n.id);
              }}
            >
              Restore checkpoint
            </button>
          )}
          <button className="link-button" onClick={() => dismissNotice(n.id)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

/** Ask for fresh views every so often while training, and once after every change while paused. */
function useRefresh(selected: string | null) {
  const info = useRun((s) => s.info);
  const running = useRun((s) => s.running);
  const step = useRun((s) => s.step);
  const tick = useRef(0);
  useEffect(() => {
    if (!info) return;
    const refresh = (full: boolean) => {
      const image = info.data.kind === 'image';
      const auto = running;
      if (info.modes.generate && image && (!info.modes.autoregressive || !running))
        run.samples(info.modes.autoregressive ? 8 : 36, undefined, 0, auto);
      if (info.modes.reconstruct && image) run.reconstructions(8, auto);
      if (info.hasKl) run.kl(auto);
      if (info.data.kind === 'points') run.points2d(500, auto);
      if (selected && info.previewable.includes(selected)) run.preview(selected, auto);
      if (full && info.modes.encode && info.latentSize > 0) run.latentMap(1000, auto);
    };
    if (!running) {
      refresh(true);
      return;
    }
    const t = setInterval(() => refresh(tick.current++ % 6 === 0), REFRESH_MS);
    return () => clearInterval(t);
  }, [info, running, running ? 0 : step, selected]); // eslint-disable-line react-hooks/exhaustive-deps -- while running the interval refreshes, so a new step re-runs the effect only while paused
}

/** Training, the runs of this graph, and the comparison of the runs ticked there. */
function ViewTabs() {
  const view = useHistoryStore((s) => s.view);
  const familyId = useHistoryStore((s) => s.familyId);
  const graphId = useHistoryStore((s) => s.graphId);
  const count = useHistoryStore((s) => s.runs.filter((r) => r.familyId === familyId || r.graphId === graphId).length);
  const chosen = useHistoryStore((s) => s.selected.length);
  const tab = (v: HistoryState['view'], label: string, disabled = false) => (
    <button role="tab" aria-selected={view === v} disabled={disabled} onClick={() => runHistory.show(v)} data-testid={`run-view-${v}`}>
      {label}
    </button>
  );
  return (
    <div className="run-panel-tabs" role="tablist" aria-label="Run panel views">
      {tab('training', 'Training')}
      {tab('history', `Runs of this graph (${count})`)}
      {tab('compare', chosen >= 2 ? `Compare ${chosen} runs` : 'Compare', chosen < 2)}
    </div>
  );
}

export function RunPanel(props: { doc?: GraphDocument; selectedNodeId?: string | null } = {}) {
  const storeDoc = useEditor((s) => s.doc);
  const storeSelected = useEditor((s) => (s.selectedNodeIds.length === 1 ? s.selectedNodeIds[0] : null));
  const doc = props.doc ?? storeDoc;
  const selected = props.selectedNodeId !== undefined ? props.selectedNodeId : storeSelected;
  const info = useRun((s) => s.info);
  const compileErrors = useRun((s) => s.compileErrors);
  const view = useHistoryStore((s) => s.view);
  useEffect(startHistory, []);

  // Hand the worker the document shortly after it settles; it works out what changed.
  useEffect(() => {
    const t = setTimeout(() => run.load(doc), runStore.getState().started ? 400 : 0);
    return () => clearTimeout(t);
  }, [doc]);
  useRefresh(selected);

  return (
    <div className="run-panel" data-testid="run-panel">
      <ViewTabs />
      <Controls />
      <Notices />
      <ExportNotice />
      <HistoryNotices />
      {view === 'history' && <HistoryPanel />}
      {view === 'compare' && <CompareView />}
      {view === 'training' && compileErrors > 0 && (
        <p className="panel-empty">
          Fix {compileErrors} problem{compileErrors === 1 ? '' : 's'} (see the Problems tab) to train this graph.
        </p>
      )}
      {view === 'training' && info && (
        <div className="run-views">
          <LossChart />
          <SampleGrid />
          <Reconstructions />
          <Playground2d />
          <DiffusionView />
          <MetricsView />
          <OodView />
          <KlBars />
          <LatentTools />
          <CodeSpaceViews />
          <NodePreview nodeId={selected} />
          <GradientFlow />
        </div>
      )}
    </div>
  );
}

export default RunPanel;
