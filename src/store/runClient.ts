/**
 * The page's view of the training worker as a pure reducer: what the worker
 * reported, which view requests are outstanding, how views are paced and when
 * the worker counts as hung. Every event carries its own time (`now`), so the
 * whole client runs in Node tests with a fake clock; the Worker, timers and
 * downloads live in the shell (src/ui/run/runStore.ts).
 */
import type { GraphDocument } from '../graph/document';
import type {
  BackendChoice,
  BackendEvent,
  BackendName,
  CheckpointInfo,
  FromWorker,
  FromWorkerOf,
  GradientLayer,
  ModelInfo,
  ToWorker,
} from '../runtime/protocol';
import { appendPoints, emptyCurves, withElbo, type Curves } from './runCurves';
import { emptyMeasure, onModelLoaded, onRestored, recordMeasurement, type MeasureProgress, type MeasureState } from './runMetrics';
import { emptyOod, onOodModelLoaded, type OodState } from './runOod';
import { appendDivergence, type DivergencePoint } from './runPlayground';

export type { Curves } from './runCurves';
export type { MeasureProgress, MeasureState, Measurement } from './runMetrics';
export type { OodState } from './runOod';
export type { DivergencePoint } from './runPlayground';

/**
 * Views share the worker with training. Each kind of view is refreshed at most
 * every VIEW_MIN_MS, and never sooner than VIEW_COST_FACTOR times its last
 * round trip, so together they take a small fraction of the worker's time
 * however slow the backend is.
 */
export const VIEW_MIN_MS = 1500;
export const VIEW_COST_FACTOR = 8;
/**
 * A GPU backend can hang inside a synchronous read and never throw (seen with
 * WebGPU on SwiftShader): after this long without a word while a step is owed,
 * the worker counts as hung.
 */
export const HANG_MS = 60_000;
/** Gradient-norm samples kept; beyond that every other one goes, as a long loss curve thins. */
export const GRADIENT_POINTS_MAX = 1000;

/** Each trainable layer's gradient norm over training, one sample per 'gradients' message. */
export interface GradientSeries {
  layers: GradientLayer[];
  steps: number[];
  /** norms[k][i]: layer i's norm at steps[k]. */
  norms: number[][];
}

/** `series` with the sample in `msg`; a step that goes back (reset, restore, restart) or other layers (another graph) start afresh. */
export function appendGradients(series: GradientSeries | null, msg: FromWorkerOf<'gradients'>): GradientSeries {
  const same = series && series.layers.map((l) => l.id + l.optimizer).join() === msg.layers.map((l) => l.id + l.optimizer).join();
  const keep = same ? series.steps.filter((step) => step < msg.step).length : 0;
  let steps = [...(same ? series.steps.slice(0, keep) : []), msg.step];
  let norms = [...(same ? series.norms.slice(0, keep) : []), msg.norms];
  if (steps.length > GRADIENT_POINTS_MAX) {
    steps = steps.filter((_, i) => i % 2 === 1);
    norms = norms.filter((_, i) => i % 2 === 1);
  }
  return { layers: msg.layers, steps, norms };
}

/** Notices shown at once; older ones give way. */
export const MAX_NOTICES = 5;

/** One slot per kind of view: at most one request of a kind is outstanding, so refreshes never pile up. */
export type ViewKind =
  'samples' | 'recon' | 'latent' | 'kl' | 'preview' | 'points2d' | 'trajectory' | 'metrics' | 'ood' | 'oodStrange' | `decode:${string}`;

/** The view requests of the protocol: those whose replies echo their id. */
export type ViewRequest = Exclude<Extract<ToWorker, { id: number }>, { type: 'export' }>;

export interface OutstandingRequest {
  id: number;
  sentAt: number;
}

export interface Notice {
  id: number;
  kind: 'info' | 'warn' | 'error';
  text: string;
  action?: 'restore';
  /** The state that raised it: it goes when that state does (a new backend, a restore or reset after a divergence). */
  origin?: 'backend' | 'divergence';
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
  gradients: GradientSeries | null;
  points2d: FromWorkerOf<'points2d'> | null;
  /** A diffusion model's denoising trajectory (the Diffusion view). */
  trajectory: FromWorkerOf<'trajectory'> | null;
  /** The playground's grid KL/JS by step. */
  playgroundCurve: DivergencePoint[];
  /** Slow motion: the pause the worker was last told to make after each round. */
  roundDelayMs: number;
  /** Latest decode result per purpose (map click, interpolation, traversal). */
  decoded: Record<string, FromWorkerOf<'decoded'>>;
  /** Sample-quality measurements (the Metrics view). */
  measure: MeasureState;
  /** Log-likelihood scores (the OOD view). */
  ood: OodState;

  /** The request each kind of view is waiting for; a reply with another id is stale. */
  requests: Partial<Record<ViewKind, OutstandingRequest>>;
  /** Per kind of view: the earliest time an automatic refresh may go while training. */
  nextAllowed: Partial<Record<ViewKind, number>>;
  /** The id the next request to the worker gets. */
  nextId: number;
  nextNoticeId: number;
  /** When the worker last said anything. */
  lastHeard: number;
  /** Since when the worker owes a step (a step or play went out and no metrics came back yet). */
  expectingSince: number | null;
  /** The last document sent, so a restart can send it again. */
  lastDoc: GraphDocument | null;
}

export type RunEvent =
  | { type: 'received'; msg: FromWorker; now: number }
  /** A message went to the worker; `view` names the slot a view request occupies. */
  | { type: 'sent'; msg: ToWorker; now: number; view?: ViewKind }
  | { type: 'workerStarted' }
  | { type: 'workerFailed'; message: string }
  | { type: 'answerDocChange'; choice: 'restart' | 'keep' }
  | { type: 'dismissNotice'; id: number }
  /** The watchdog ended a hung worker (see hangCheck); a fresh one starts on `restartOn`. */
  | { type: 'hang'; hung: BackendName; restartOn: BackendName };

export function initialRunState(backendChoice: BackendChoice): RunState {
  return {
    started: false,
    backend: null,
    backendChoice,
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
    gradients: null,
    points2d: null,
    trajectory: null,
    playgroundCurve: [],
    roundDelayMs: 0,
    decoded: {},
    measure: emptyMeasure(),
    ood: emptyOod(),
    requests: {},
    nextAllowed: {},
    nextId: 1,
    nextNoticeId: 1,
    lastHeard: 0,
    expectingSince: null,
    lastDoc: null,
  };
}

// ───────────────────────── pure decisions ─────────────────────────

/** Whether a view request of `view` may go now; `auto` (the panel's periodic refresh) is also paced, manual requests are not. */
export function mayRequest(s: RunState, view: ViewKind, auto: boolean, now: number): boolean {
  if (s.requests[view]) return false;
  return !(auto && s.running && now < (s.nextAllowed[view] ?? 0));
}

/** The measurement in flight, or null: progress of a request the page no longer waits for (an error, a reset) is not shown. */
export function measuring(s: RunState): MeasureProgress | null {
  const p = s.measure.progress;
  return p && s.requests.metrics?.id === p.id ? p : null;
}

/**
 * The watchdog: null while the worker is fine, else the backend it hung on and
 * the one to restart on. Only a worker that owes us something (running, or a
 * step sent and not answered) and has been silent for HANG_MS counts as hung.
 */
export function hangCheck(s: RunState, now: number): null | { hung: BackendName; restartOn: BackendName } {
  const waiting = s.running || s.expectingSince !== null;
  const since = Math.max(s.lastHeard, s.expectingSince ?? 0);
  if (!waiting || now - since <= HANG_MS) return null;
  const hung = s.backend?.backend ?? 'webgpu';
  return { hung, restartOn: hung === 'cpu' || hung === 'wasm' ? 'cpu' : 'wasm' };
}

// ───────────────────────── reducer ─────────────────────────

function notify(s: RunState, kind: Notice['kind'], text: string, action?: Notice['action'], origin?: Notice['origin']): RunState {
  const notice: Notice = { id: s.nextNoticeId, kind, text, ...(action ? { action } : {}), ...(origin ? { origin } : {}) };
  return { ...s, notices: [...s.notices.slice(-(MAX_NOTICES - 1)), notice], nextNoticeId: s.nextNoticeId + 1 };
}

const withoutDivergence = (notices: Notice[]) => notices.filter((n) => n.origin !== 'divergence');

/** Which slot each view reply answers (decode replies are found by their id). */
const REPLY_VIEW = {
  samples: 'samples',
  pixels: 'samples',
  reconstructions: 'recon',
  latentMap: 'latent',
  kl: 'kl',
  preview: 'preview',
  points2d: 'points2d',
  trajectory: 'trajectory',
  measured: 'metrics',
  scored: 'ood',
  strangeScored: 'oodStrange',
} as const satisfies Record<string, ViewKind>;

type ViewReply = FromWorkerOf<keyof typeof REPLY_VIEW | 'decoded'>;

/** The slot whose outstanding request `msg` answers, or null when it answers none (a stale reply). */
function answeredView(s: RunState, msg: ViewReply): ViewKind | null {
  const view = msg.type === 'decoded' ? slotWaitingFor(s, msg.id, (k) => k.startsWith('decode:')) : REPLY_VIEW[msg.type];
  return view !== undefined && s.requests[view]?.id === msg.id ? view : null;
}

/** The slot whose outstanding request has this id (among the slots `among` accepts). */
function slotWaitingFor(s: RunState, id: number, among: (k: ViewKind) => boolean = () => true): ViewKind | undefined {
  return (Object.keys(s.requests) as ViewKind[]).find((k) => among(k) && s.requests[k]?.id === id);
}

/** Frees the slot and paces its next automatic refresh by this round trip. */
function answered(s: RunState, view: ViewKind, now: number): RunState {
  const { [view]: request, ...requests } = s.requests;
  const wait = Math.max(VIEW_MIN_MS, (now - request!.sentAt) * VIEW_COST_FACTOR);
  return { ...s, requests, nextAllowed: { ...s.nextAllowed, [view]: now + wait } };
}

/** A diverged term as the chart names it: an optimizer's total is its training objective, not its id. */
function divergedTermName(s: RunState, term: string): string {
  const optimizer = s.info?.optimizers.find((o) => o.id === term);
  return optimizer ? `${optimizer.label}'s training objective` : term;
}

function receive(s: RunState, msg: FromWorker, now: number): RunState {
  const answersOwedStep =
    msg.type === 'metrics' || msg.type === 'error' || msg.type === 'diverged' || (msg.type === 'state' && !msg.running);
  s = { ...s, lastHeard: now, ...(answersOwedStep ? { expectingSince: null } : {}) };
  switch (msg.type) {
    case 'backend': {
      // What was said about the previous backend no longer holds.
      s = { ...s, backend: msg, notices: s.notices.filter((n) => n.origin !== 'backend') };
      // One notice for the whole choice: several that each end "using wasm" read as several problems.
      if (msg.skipped.length === 0) return s;
      const why = msg.skipped.map((k) =>
        k.deliberate ? `${k.backend} skipped: ${k.reason}` : `${k.backend} could not start (${k.reason})`,
      );
      const kind = msg.skipped.some((k) => !k.deliberate) ? 'warn' : 'info';
      return notify(s, kind, `Using ${msg.backend}. ${why.join('; ')}.`, undefined, 'backend');
    }
    case 'loaded':
      s = {
        ...s,
        info: msg.info,
        step: msg.step,
        storedCheckpoint: msg.storedCheckpoint,
        compileErrors: 0,
        docChanged: null,
        diverged: null,
        measure: onModelLoaded(s.measure, msg.modelKey, msg.measurements),
        ood: onOodModelLoaded(s.ood, msg.modelKey),
      };
      return msg.resumed ? notify(s, 'info', `Resumed from the checkpoint at step ${msg.step}.`) : s;
    case 'compileErrors':
      return { ...s, compileErrors: msg.errors.filter((e) => e.severity === 'error').length, running: false };
    case 'docChanged':
      return { ...s, docChanged: msg };
    case 'state':
      return { ...s, running: msg.running, step: msg.step, busy: msg.busy ?? null };
    case 'gradients':
      return { ...s, gradients: appendGradients(s.gradients, msg) };
    case 'metrics':
      return {
        ...s,
        curves: appendPoints(s.curves, withElbo(msg.points, s.info?.elbo ?? null)),
        step: msg.step,
        stepsPerSec: msg.stepsPerSec,
        msPerStep: msg.msPerStep,
        numTensors: msg.numTensors,
        numBytes: msg.numBytes,
      };
    case 'diverged':
      return notify(
        { ...s, diverged: msg, running: false },
        'error',
        `Training diverged at step ${msg.step}: ${divergedTermName(s, msg.term)} became ${msg.value}. Lower the learning rate${msg.checkpoint ? `, or restore the checkpoint from step ${msg.checkpoint.step}` : ''}.`,
        msg.checkpoint ? 'restore' : undefined,
        'divergence',
      );
    case 'fallback':
      return notify(
        s,
        'warn',
        `${msg.from} failed (${msg.reason}). Switched to ${msg.to} and resumed from step ${msg.resumedFromStep}.`,
        undefined,
        'backend',
      );
    case 'checkpoint':
      return { ...s, checkpoint: msg.info, ...(msg.stored ? { storedCheckpoint: msg.info } : {}) };
    case 'restored':
      return notify(
        {
          ...s,
          diverged: null,
          step: msg.step,
          notices: withoutDivergence(s.notices),
          measure: onRestored(s.measure, msg.step, msg.measurements),
        },
        'info',
        `Restored the checkpoint from step ${msg.step}.`,
      );
    case 'error':
      // Errors name no request id: free every slot so no view waits forever for a reply that will not come.
      return notify({ ...s, requests: {} }, 'error', `${msg.where}: ${msg.message}`);
    case 'samples':
    case 'pixels':
    case 'reconstructions':
    case 'latentMap':
    case 'kl':
    case 'preview':
    case 'points2d':
    case 'trajectory':
    case 'measured':
    case 'scored':
    case 'strangeScored':
    case 'decoded': {
      const view = answeredView(s, msg);
      if (!view) return s;
      return showView(msg.type === 'pixels' && !msg.done ? s : answered(s, view, now), view, msg);
    }
    case 'cancelled': {
      // The worker gave up on that request: free its slot so the view can ask again.
      const view = slotWaitingFor(s, msg.id);
      if (!view) return s;
      const { [view]: _dropped, ...requests } = s.requests;
      return { ...s, requests };
    }
    case 'exported':
      // The shell turns it into a download; nothing to keep.
      return s;
    case 'checkpointData':
      // The shell files it in the run history (IndexedDB); the reducer keeps no weights.
      return s;
    case 'measureProgress': {
      const p = s.measure.progress;
      if (p?.id !== msg.id) return s;
      return { ...s, measure: { ...s.measure, progress: { ...p, done: msg.done, of: msg.of, what: msg.what } } };
    }
    default: {
      const never: never = msg;
      throw new Error(`unknown worker message ${JSON.stringify(never)}`);
    }
  }
}

function showView(s: RunState, view: ViewKind, msg: ViewReply): RunState {
  switch (msg.type) {
    case 'samples':
      return { ...s, samples: msg, pixels: null };
    case 'pixels':
      return { ...s, pixels: msg };
    case 'reconstructions':
      return { ...s, recon: msg };
    case 'latentMap':
      return { ...s, latent: msg };
    case 'kl':
      return { ...s, kl: msg };
    case 'preview':
      return { ...s, preview: msg };
    case 'points2d':
      return { ...s, points2d: msg, playgroundCurve: appendDivergence(s.playgroundCurve, msg) };
    case 'trajectory':
      return { ...s, trajectory: msg };
    case 'decoded':
      return { ...s, decoded: { ...s.decoded, [view.slice('decode:'.length)]: msg } };
    case 'measured':
      return { ...s, measure: recordMeasurement(s.measure, msg) };
    case 'scored':
      return { ...s, ood: { ...s.ood, latest: msg } };
    case 'strangeScored':
      return { ...s, ood: { ...s.ood, strange: msg } };
    default: {
      const never: never = msg;
      throw new Error(`unknown view reply ${JSON.stringify(never)}`);
    }
  }
}

function sent(s: RunState, msg: ToWorker, now: number, view: ViewKind | undefined): RunState {
  if ('id' in msg) s = { ...s, nextId: Math.max(s.nextId, msg.id + 1) };
  if (view && 'id' in msg) s = { ...s, requests: { ...s.requests, [view]: { id: msg.id, sentAt: now } } };
  switch (msg.type) {
    case 'step':
    case 'play':
      return { ...s, expectingSince: s.expectingSince ?? now };
    case 'measureSamples':
      return { ...s, measure: { ...s.measure, progress: { id: msg.id, n: msg.n, done: 0, of: 1, what: 'waiting for the worker' } } };
    case 'load':
      // A new document replaces any pending keep-or-restart question (the worker asks again if it must).
      // A restart drops the old model, so replies to requests sent before it are stale.
      return {
        ...s,
        lastDoc: msg.doc,
        docChanged: null,
        ...(msg.onChange === 'restart' || msg.resume ? { requests: {} } : {}),
      };
    case 'reset':
      return {
        ...s,
        // A reset leaves nothing to restore: the divergence notice and its Restore button go.
        notices: withoutDivergence(s.notices),
        requests: {},
        curves: emptyCurves(),
        diverged: null,
        samples: null,
        pixels: null,
        recon: null,
        latent: null,
        kl: null,
        gradients: null,
        points2d: null,
        trajectory: null,
        playgroundCurve: [],
        decoded: {},
        measure: emptyMeasure(),
        ood: emptyOod(),
      };
    case 'setBackend':
      return { ...s, backendChoice: msg.backend };
    case 'setRoundDelay':
      return { ...s, roundDelayMs: msg.ms };
    default:
      return s;
  }
}

export function reduceRun(s: RunState, event: RunEvent): RunState {
  switch (event.type) {
    case 'received':
      return receive(s, event.msg, event.now);
    case 'sent':
      return sent(s, event.msg, event.now, event.view);
    case 'workerStarted':
      return { ...s, started: true };
    case 'workerFailed':
      return notify(s, 'error', `The training worker failed: ${event.message || 'unknown error'}`);
    case 'answerDocChange':
      return {
        ...s,
        docChanged: null,
        ...(event.choice === 'restart' ? { curves: emptyCurves(), measure: emptyMeasure(), ood: emptyOod(), playgroundCurve: [] } : {}),
      };
    case 'dismissNotice':
      return { ...s, notices: s.notices.filter((n) => n.id !== event.id) };
    case 'hang':
      return notify(
        { ...s, running: false, backend: null, backendChoice: event.restartOn, requests: {}, expectingSince: null },
        'warn',
        `${event.hung} stopped responding for ${HANG_MS / 1000} s. Restarted the worker on ${event.restartOn} from the last stored checkpoint.`,
      );
    default: {
      const never: never = event;
      throw new Error(`unknown run event ${JSON.stringify(never)}`);
    }
  }
}
