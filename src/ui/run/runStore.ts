/**
 * The page side of the training worker: one worker per page, created on first
 * use and kept alive when the run panel is hidden, plus a zustand store of what
 * it reported. The store changes only through the pure reducer in
 * src/store/runClient.ts; this shell owns what a reducer cannot: the Worker,
 * the clock, the watchdog timer, localStorage and downloads. Views read the
 * store; they never touch TF.js (the worker owns it) and import the protocol as types only.
 */
import { createStore, useStore } from 'zustand';
import type { GraphDocument } from '../../graph/document';
import type { BackendChoice, FailureKind, FromWorker, FromWorkerOf, OnDocChange, StoredCheckpoint, ToWorker } from '../../runtime/protocol';
import {
  hangCheck,
  initialRunState,
  mayRequest,
  reduceRun,
  type RunEvent,
  type RunState,
  type ViewKind,
  type ViewRequest,
} from '../../store/runClient';

export type { Curves, Measurement, Notice, RunState } from '../../store/runClient';
export { measuring } from '../../store/runClient';

const BACKEND_KEY = 'latent-lab:backend';
/** How often the watchdog looks for a hung worker. */
const WATCHDOG_MS = 5000;

export const runStore = createStore<RunState>(() => initialRunState((localStorage.getItem(BACKEND_KEY) as BackendChoice | null) ?? 'auto'));

export function useRun<T>(selector: (s: RunState) => T): T {
  return useStore(runStore, selector);
}

function dispatch(event: RunEvent) {
  runStore.setState((s) => reduceRun(s, event), true);
}

export function dismissNotice(id: number) {
  dispatch({ type: 'dismissNotice', id });
}

/** What went to and came from the worker, after the store took it in: the run history records from this. */
export type WorkerTraffic = { dir: 'sent'; msg: ToWorker } | { dir: 'received'; msg: FromWorker };
const listeners = new Set<(t: WorkerTraffic) => void>();
export function onWorkerTraffic(listener: (t: WorkerTraffic) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** exportCheckpoint requests waiting for their checkpointData, by id. */
const checkpointRequests = new Map<number, (reply: FromWorkerOf<'checkpointData'>) => void>();

let worker: Worker | null = null;
let watchdog: ReturnType<typeof setInterval> | null = null;

function ensureWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('../../runtime/worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<FromWorker>) => receive(e.data);
  w.onerror = (e) => dispatch({ type: 'workerFailed', message: e.message });
  worker = w;
  watchdog = setInterval(checkHang, WATCHDOG_MS);
  dispatch({ type: 'workerStarted' });
  const choice = runStore.getState().backendChoice;
  if (choice !== 'auto') post(w, { type: 'setBackend', backend: choice });
  return w;
}

function post(w: Worker, msg: ToWorker, view?: ViewKind) {
  dispatch({ type: 'sent', msg, now: performance.now(), view });
  w.postMessage(msg);
  for (const l of listeners) l({ dir: 'sent', msg });
}

function send(msg: ToWorker) {
  post(ensureWorker(), msg);
}

/** Sends a view request unless its slot is busy or (for `auto`) its pacing says wait; returns whether it went. */
function request(view: ViewKind, auto: boolean, make: (id: number) => ViewRequest): boolean {
  if (!mayRequest(runStore.getState(), view, auto, performance.now())) return false;
  const w = ensureWorker();
  post(w, make(runStore.getState().nextId), view);
  return true;
}

/** End a hung worker and start a fresh one on the next backend from the stored checkpoint. */
function checkHang() {
  const hang = hangCheck(runStore.getState(), performance.now());
  if (!hang) return;
  worker?.terminate();
  worker = null;
  for (const [id, resolve] of checkpointRequests)
    resolve({ type: 'checkpointData', id, checkpoint: null, unavailable: 'the worker was restarted' });
  checkpointRequests.clear();
  if (watchdog !== null) clearInterval(watchdog);
  watchdog = null;
  dispatch({ type: 'hang', ...hang });
  // The fresh worker starts on the new backend choice.
  ensureWorker();
  const doc = runStore.getState().lastDoc;
  if (doc) send({ type: 'load', doc, onChange: 'restart', resume: true });
}

function receive(msg: FromWorker) {
  dispatch({ type: 'received', msg, now: performance.now() });
  if (msg.type === 'exported') downloadExport(msg);
  if (msg.type === 'checkpointData') {
    checkpointRequests.get(msg.id)?.(msg);
    checkpointRequests.delete(msg.id);
  }
  for (const l of listeners) l({ dir: 'received', msg });
}

export function download(name: string, blob: Blob) {
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

function sendLastDoc(onChange: OnDocChange, resume?: boolean) {
  const doc = runStore.getState().lastDoc;
  if (doc) send({ type: 'load', doc, onChange, ...(resume ? { resume } : {}) });
}

export const run = {
  /** Send the current document; the worker compiles it and decides what changed. */
  load(doc: GraphDocument, opts: { onChange?: OnDocChange; resume?: boolean; checkpoint?: StoredCheckpoint } = {}) {
    send({
      type: 'load',
      doc,
      onChange: opts.onChange ?? 'ask',
      resume: opts.resume,
      ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}),
    });
  },
  /** The model as it is now (weights, optimizer state, batch order, curve), for the run history or a bundle. */
  exportCheckpoint(): Promise<FromWorkerOf<'checkpointData'>> {
    const id = runStore.getState().nextId;
    const reply = new Promise<FromWorkerOf<'checkpointData'>>((resolve) => checkpointRequests.set(id, resolve));
    send({ type: 'exportCheckpoint', id });
    return reply;
  },
  answerDocChange(choice: 'restart' | 'keep') {
    dispatch({ type: 'answerDocChange', choice });
    sendLastDoc(choice);
  },
  resume: () => sendLastDoc('restart', true),
  play: () => send({ type: 'play' }),
  pause: () => send({ type: 'pause' }),
  step: (optimizer?: string) => send({ type: 'step', ...(optimizer ? { optimizer } : {}) }),
  /** Exactly `count` training rounds, then stop (the queue: every run gets the same number). */
  stepRounds: (count: number) => send({ type: 'step', count }),
  reset: () => send({ type: 'reset' }),
  /** Slow motion: ms the worker waits after each training round. */
  setRoundDelay: (ms: number) => send({ type: 'setRoundDelay', ms }),
  setBackend(backend: BackendChoice) {
    localStorage.setItem(BACKEND_KEY, backend);
    send({ type: 'setBackend', backend });
  },
  restoreCheckpoint: () => send({ type: 'restoreCheckpoint' }),
  saveCheckpoint: () => send({ type: 'saveCheckpoint' }),
  exportWeights: () => send({ type: 'export', id: runStore.getState().nextId }),
  debugFail: (kind: FailureKind) => send({ type: 'debugFail', kind }),

  /**
   * View requests: at most one of each kind in flight; `auto` (the panel's
   * periodic refresh) is also paced by the view's cost. Returns whether it was sent.
   */
  samples(n: number, label?: number, seed = 0, auto = false): boolean {
    const autoregressive = runStore.getState().info?.modes.autoregressive;
    return request('samples', auto, (id) =>
      autoregressive ? { type: 'autoregressive', id, n, label, seed } : { type: 'samples', id, n, label, seed },
    );
  },
  reconstructions: (n: number, auto = false) => request('recon', auto, (id) => ({ type: 'reconstructions', id, n })),
  latentMap: (count = 1000, auto = false) => request('latent', auto, (id) => ({ type: 'latentMap', id, count })),
  kl: (auto = false) => request('kl', auto, (id) => ({ type: 'klPerDim', id })),
  preview: (nodeId: string, auto = false) => request('preview', auto, (id) => ({ type: 'preview', id, nodeId })),
  points2d: (n = 500, auto = false) => request('points2d', auto, (id) => ({ type: 'points2d', id, n })),
  trajectory: (n: number, frames: number, steps: number, auto = false) =>
    request('trajectory', auto, (id) => ({ type: 'trajectory', id, n, frames, steps })),
  /** Judge n samples against real data (the Metrics view); never automatic: it pauses training while it runs. */
  measureSamples: (n: number, importanceSamples = 0) =>
    request('metrics', false, (id) => ({ type: 'measureSamples', id, n, importanceSamples })),
  /** Log p(x) of n 28×28 images beside the test set's (the OOD view); never automatic: it pauses training. */
  scoreImages: (images: Float32Array, n: number) => request('ood', false, (id) => ({ type: 'scoreImages', id, images, n })),
  scoreStrange: () => request('oodStrange', false, (id) => ({ type: 'scoreStrange', id })),
  /** Decode latents for a purpose; a newer request for the same purpose waits for the last one. */
  decode: (purpose: string, latents: Float32Array, n: number, label?: number) =>
    request(`decode:${purpose}`, false, (id) => ({ type: 'decode', id, latents, n, label })),
};

/** For end-to-end tests and the console: the store and a way to force failures. */
export const runDebug = { runStore, run };
