/**
 * The page side of the training worker: one worker per page, created on first
 * use and kept alive when the run panel is hidden, plus a small zustand store
 * holding what the worker reported. Views read the store; they never touch
 * TF.js (the worker owns it) and import the protocol as types only.
 */
import { createStore, useStore } from 'zustand';
import type { GraphDocument } from '../../graph/document';
import type {
  BackendChoice,
  BackendEvent,
  CheckpointInfo,
  FailureKind,
  FromWorker,
  FromWorkerOf,
  ModelInfo,
  OnDocChange,
  ToWorker,
} from '../../runtime/protocol';

/** Keep curves bounded: past this many points, every other point is dropped. */
const MAX_POINTS = 4000;

export interface Curves {
  steps: number[];
  /** One array per loss term, aligned with steps (NaN where a term was not reported). */
  series: Record<string, number[]>;
  /** Bumped on every append so charts know to redraw. */
  version: number;
}

export interface Notice {
  id: number;
  kind: 'info' | 'warn' | 'error';
  text: string;
  action?: 'restore';
}

export interface RunState {
  started: boolean;
  backend: BackendEvent | null;
  backendChoice: BackendChoice;
  info: ModelInfo | null;
  compileErrors: number;
  running: boolean;
  step: number;
  busy: string | null;
  stepsPerSec: number;
  msPerStep: number;
  numTensors: number;
  numBytes: number;
  curves: Curves;
  checkpoint: CheckpointInfo | null;
  storedCheckpoint: CheckpointInfo | null;
  diverged: FromWorkerOf<'diverged'> | null;
  docChanged: FromWorkerOf<'docChanged'> | null;
  notices: Notice[];
  samples: FromWorkerOf<'samples'> | null;
  pixels: FromWorkerOf<'pixels'> | null;
  recon: FromWorkerOf<'reconstructions'> | null;
  latent: FromWorkerOf<'latentMap'> | null;
  kl: FromWorkerOf<'kl'> | null;
  preview: FromWorkerOf<'preview'> | null;
  points2d: FromWorkerOf<'points2d'> | null;
  /** Latest decode result per purpose (map click, interpolation, traversal). */
  decoded: Record<string, FromWorkerOf<'decoded'>>;
}

const emptyCurves = (): Curves => ({ steps: [], series: {}, version: 0 });

export const runStore = createStore<RunState>(() => ({
  started: false,
  backend: null,
  backendChoice: (localStorage.getItem('latent-lab:backend') as BackendChoice | null) ?? 'auto',
  info: null,
  compileErrors: 0,
  running: false,
  step: 0,
  busy: null,
  stepsPerSec: 0,
  msPerStep: 0,
  numTensors: 0,
  numBytes: 0,
  curves: emptyCurves(),
  checkpoint: null,
  storedCheckpoint: null,
  diverged: null,
  docChanged: null,
  notices: [],
  samples: null,
  pixels: null,
  recon: null,
  latent: null,
  kl: null,
  preview: null,
  points2d: null,
  decoded: {},
}));

export function useRun<T>(selector: (s: RunState) => T): T {
  return useStore(runStore, selector);
}

let worker: Worker | null = null;
let nextId = 1;
/** Request id → purpose, for decode answers. */
const purposes = new Map<number, string>();
/** Per kind of view request: whether one is in flight (so refreshes never pile up). */
const inFlight = new Set<string>();
/**
 * Views share the worker with training. Each kind of view is refreshed at most
 * every VIEW_MIN_MS, and never sooner than VIEW_COST_FACTOR times its last
 * round trip, so together they take a small fraction of the worker's time
 * however slow the backend is.
 */
const VIEW_MIN_MS = 1500;
const VIEW_COST_FACTOR = 8;
const sentAt = new Map<string, number>();
const nextAllowed = new Map<string, number>();

/** Whether an automatic refresh of `kind` may go now (manual refreshes skip the pacing). */
function mayRefresh(kind: string, auto: boolean): boolean {
  if (inFlight.has(kind)) return false;
  if (auto && runStore.getState().running && performance.now() < (nextAllowed.get(kind) ?? 0)) return false;
  inFlight.add(kind);
  sentAt.set(kind, performance.now());
  return true;
}

function answered(kind: string) {
  inFlight.delete(kind);
  const t = sentAt.get(kind);
  if (t !== undefined) {
    const now = performance.now();
    nextAllowed.set(kind, now + Math.max(VIEW_MIN_MS, (now - t) * VIEW_COST_FACTOR));
  }
}
let noticeId = 1;

function notify(kind: Notice['kind'], text: string, action?: Notice['action']) {
  runStore.setState((s) => ({ notices: [...s.notices.slice(-4), { id: noticeId++, kind, text, action }] }));
}

export function dismissNotice(id: number) {
  runStore.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

function send(msg: ToWorker) {
  if (msg.type === 'step' || msg.type === 'play') expectingSince ??= performance.now();
  ensureWorker().postMessage(msg);
}

/**
 * Watchdog: a GPU backend can hang inside a synchronous read and never throw
 * (seen with WebGPU on SwiftShader). If the worker owes us a step and says
 * nothing for HANG_MS, end it and start a fresh one on the next backend from
 * the stored checkpoint.
 */
const HANG_MS = 60_000;
let lastHeard = 0;
let expectingSince: number | null = null;
let lastDocSent: GraphDocument | null = null;

function restartAfterHang() {
  const hung = runStore.getState().backend?.backend ?? 'webgpu';
  const next: BackendChoice = hung === 'cpu' ? 'cpu' : hung === 'wasm' ? 'cpu' : 'wasm';
  worker?.terminate();
  worker = null;
  inFlight.clear();
  expectingSince = null;
  runStore.setState({ running: false, backend: null, backendChoice: next });
  notify('warn', `${hung} stopped responding for ${HANG_MS / 1000} s. Restarted the worker on ${next} from the last stored checkpoint.`);
  send({ type: 'setBackend', backend: next });
  if (lastDocSent) send({ type: 'load', doc: lastDocSent, onChange: 'restart', resume: true });
}

if (typeof window !== 'undefined') {
  setInterval(() => {
    if (!worker) return;
    const waiting = runStore.getState().running || expectingSince !== null;
    const since = Math.max(lastHeard, expectingSince ?? 0);
    if (waiting && performance.now() - since > HANG_MS) restartAfterHang();
  }, 5000);
}

function ensureWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('../../runtime/worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<FromWorker>) => receive(e.data);
  worker.onerror = (e) => notify('error', `The training worker failed: ${e.message || 'unknown error'}`);
  runStore.setState({ started: true });
  const choice = runStore.getState().backendChoice;
  if (choice !== 'auto') worker.postMessage({ type: 'setBackend', backend: choice } satisfies ToWorker);
  return worker;
}

function appendPoints(points: FromWorkerOf<'metrics'>['points']) {
  if (points.length === 0) return;
  const c = runStore.getState().curves;
  let steps = c.steps;
  let series = c.series;
  // A restore or fallback rewinds the step: drop the part of the curve that no longer happened.
  const first = points[0].step;
  if (steps.length && steps[steps.length - 1] >= first) {
    let cut = steps.length;
    while (cut > 0 && steps[cut - 1] >= first) cut--;
    steps = steps.slice(0, cut);
    series = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.slice(0, cut)]));
  } else {
    steps = steps.slice();
    series = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.slice()]));
  }
  for (const p of points) {
    const n = steps.length;
    steps.push(p.step);
    for (const [term, v] of Object.entries(p.losses)) {
      if (!series[term]) series[term] = new Array(n).fill(NaN);
      series[term].push(v);
    }
    for (const arr of Object.values(series)) if (arr.length < n + 1) arr.push(NaN);
  }
  if (steps.length > MAX_POINTS) {
    const keep = (_: unknown, i: number) => i % 2 === 0 || i === steps.length - 1;
    steps = steps.filter(keep);
    series = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.filter(keep)]));
  }
  runStore.setState({ curves: { steps, series, version: c.version + 1 } });
}

function receive(msg: FromWorker) {
  lastHeard = performance.now();
  if (msg.type === 'metrics' || msg.type === 'error' || msg.type === 'diverged' || (msg.type === 'state' && !msg.running))
    expectingSince = null;
  switch (msg.type) {
    case 'backend': {
      runStore.setState({ backend: msg });
      for (const s of msg.skipped) notify('warn', `${s.backend} could not start (${s.reason}); using ${msg.backend}.`);
      return;
    }
    case 'loaded':
      runStore.setState({
        info: msg.info,
        step: msg.step,
        storedCheckpoint: msg.storedCheckpoint,
        compileErrors: 0,
        docChanged: null,
        diverged: null,
      });
      if (msg.resumed) notify('info', `Resumed from the checkpoint at step ${msg.step}.`);
      return;
    case 'compileErrors':
      runStore.setState({ compileErrors: msg.errors.filter((e) => e.severity === 'error').length, running: false });
      return;
    case 'docChanged':
      runStore.setState({ docChanged: msg });
      return;
    case 'state':
      runStore.setState({ running: msg.running, step: msg.step, busy: msg.busy ?? null });
      return;
    case 'metrics':
      appendPoints(msg.points);
      runStore.setState({
        step: msg.step,
        stepsPerSec: msg.stepsPerSec,
        msPerStep: msg.msPerStep,
        numTensors: msg.numTensors,
        numBytes: msg.numBytes,
      });
      return;
    case 'diverged':
      runStore.setState({ diverged: msg, running: false });
      notify(
        'error',
        `Training diverged at step ${msg.step}: ${msg.term} became ${msg.value}. Lower the learning rate${msg.checkpoint ? `, or restore the checkpoint from step ${msg.checkpoint.step}` : ''}.`,
        msg.checkpoint ? 'restore' : undefined,
      );
      return;
    case 'fallback':
      notify('warn', `${msg.from} failed (${msg.reason}). Switched to ${msg.to} and resumed from step ${msg.resumedFromStep}.`);
      return;
    case 'checkpoint':
      runStore.setState({ checkpoint: msg.info, ...(msg.stored ? { storedCheckpoint: msg.info } : {}) });
      return;
    case 'restored':
      runStore.setState({ diverged: null, step: msg.step });
      notify('info', `Restored the checkpoint from step ${msg.step}.`);
      return;
    case 'error':
      inFlight.clear();
      notify('error', `${msg.where}: ${msg.message}`);
      return;
    case 'samples':
      answered('samples');
      runStore.setState({ samples: msg, pixels: null });
      return;
    case 'pixels':
      if (msg.done) answered('samples');
      runStore.setState({ pixels: msg });
      return;
    case 'reconstructions':
      answered('recon');
      runStore.setState({ recon: msg });
      return;
    case 'latentMap':
      answered('latent');
      runStore.setState({ latent: msg });
      return;
    case 'kl':
      answered('kl');
      runStore.setState({ kl: msg });
      return;
    case 'preview':
      answered('preview');
      runStore.setState({ preview: msg });
      return;
    case 'points2d':
      answered('points2d');
      runStore.setState({ points2d: msg });
      return;
    case 'decoded': {
      const purpose = purposes.get(msg.id) ?? 'map';
      purposes.delete(msg.id);
      answered(`decode:${purpose}`);
      runStore.setState((s) => ({ decoded: { ...s.decoded, [purpose]: msg } }));
      return;
    }
    case 'exported':
      downloadExport(msg);
      return;
  }
}

function download(name: string, blob: Blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function downloadExport(msg: FromWorkerOf<'exported'>) {
  download('model.json', new Blob([msg.modelJson], { type: 'application/json' }));
  download('weights.bin', new Blob([msg.weights], { type: 'application/octet-stream' }));
}

export function downloadCanvasPng(canvas: HTMLCanvasElement, name: string) {
  canvas.toBlob((blob) => blob && download(name, blob), 'image/png');
}

// ───────────────────────── actions ─────────────────────────

export const run = {
  /** Send the current document; the worker compiles it and decides what changed. */
  load(doc: GraphDocument, opts: { onChange?: OnDocChange; resume?: boolean } = {}) {
    lastDocSent = doc;
    if (opts.onChange !== 'ask') runStore.setState({ docChanged: null });
    send({ type: 'load', doc, onChange: opts.onChange ?? 'ask', resume: opts.resume });
  },
  answerDocChange(choice: 'restart' | 'keep') {
    runStore.setState({ docChanged: null });
    if (lastDocSent) send({ type: 'load', doc: lastDocSent, onChange: choice });
    if (choice === 'restart') runStore.setState({ curves: emptyCurves() });
  },
  resume() {
    if (lastDocSent) send({ type: 'load', doc: lastDocSent, onChange: 'restart', resume: true });
  },
  play: () => send({ type: 'play' }),
  pause: () => send({ type: 'pause' }),
  step: (optimizer?: string) => send({ type: 'step', ...(optimizer ? { optimizer } : {}) }),
  reset() {
    runStore.setState({
      curves: emptyCurves(),
      diverged: null,
      samples: null,
      pixels: null,
      recon: null,
      latent: null,
      kl: null,
      decoded: {},
    });
    send({ type: 'reset' });
  },
  setBackend(backend: BackendChoice) {
    localStorage.setItem('latent-lab:backend', backend);
    runStore.setState({ backendChoice: backend });
    send({ type: 'setBackend', backend });
  },
  setLearningRate: (optimizer: string, lr: number) => send({ type: 'setLearningRate', optimizer, lr }),
  setBatchSize: (batchSize: number) => send({ type: 'setBatchSize', batchSize }),
  restoreCheckpoint: () => send({ type: 'restoreCheckpoint' }),
  saveCheckpoint: () => send({ type: 'saveCheckpoint' }),
  exportWeights: () => send({ type: 'export', id: nextId++ }),
  debugFail: (kind: FailureKind) => send({ type: 'debugFail', kind }),

  /**
   * View requests: at most one of each kind in flight; `auto` (the panel's
   * periodic refresh) is also paced by the view's cost. Returns whether it was sent.
   */
  samples(n: number, label?: number, seed = 0, auto = false): boolean {
    if (!mayRefresh('samples', auto)) return false;
    const info = runStore.getState().info;
    send(
      info?.modes.autoregressive
        ? { type: 'autoregressive', id: nextId++, n, label, seed }
        : { type: 'samples', id: nextId++, n, label, seed },
    );
    return true;
  },
  reconstructions(n: number, auto = false) {
    if (!mayRefresh('recon', auto)) return false;
    send({ type: 'reconstructions', id: nextId++, n });
    return true;
  },
  latentMap(count = 1000, auto = false) {
    if (!mayRefresh('latent', auto)) return false;
    send({ type: 'latentMap', id: nextId++, count });
    return true;
  },
  kl(auto = false) {
    if (!mayRefresh('kl', auto)) return false;
    send({ type: 'klPerDim', id: nextId++ });
    return true;
  },
  preview(nodeId: string, auto = false) {
    if (!mayRefresh('preview', auto)) return false;
    send({ type: 'preview', id: nextId++, nodeId });
    return true;
  },
  points2d(n = 500, auto = false) {
    if (!mayRefresh('points2d', auto)) return false;
    send({ type: 'points2d', id: nextId++, n });
    return true;
  },
  /** Decode latents for a purpose; a newer request for the same purpose waits for the last one. */
  decode(purpose: string, latents: Float32Array, n: number, label?: number) {
    if (!mayRefresh(`decode:${purpose}`, false)) return false;
    const id = nextId++;
    purposes.set(id, purpose);
    send({ type: 'decode', id, latents, n, label });
    return true;
  },
};

/** For end-to-end tests and the console: the store and a way to force failures. */
export const runDebug = { runStore, run };
