/**
 * The training session behind the worker: it speaks the protocol in
 * ./protocol.ts and routes each message to the part that handles it. It has no
 * Worker globals in it, so Node tests drive it directly on the cpu or wasm
 * backend; ./worker.ts is the thin Web Worker shell around it.
 *
 *   backends.ts   which backend, and failover     trainer.ts    the run loop
 *   checkpoints.ts snapshots, store, matching     lifecycle.ts  load, switch, reset, restore
 *   views.ts      samples, maps, previews, export  metrics.ts   the loss curve and its pacing
 *   metricsRequests.ts  sample-quality measurements (the Metrics view)
 *   oodRequests.ts  log-likelihood OOD scores (the OOD view)
 *
 * Concurrency: messages are processed one at a time in arrival order (a
 * promise queue). The run loop is separate: it runs steps for a short slice,
 * then yields to the message queue, so pause is handled within one slice.
 * Anything that rebuilds or restores the model first stops the loop.
 */
import { openBackend } from './backendHandle';
import { BackendManager, detectBackends, type SetupBackend } from './backends';
import { Checkpoints, type CheckpointStore } from './checkpoints';
import { BackendFailure } from './failures';
import { ModelLifecycle } from './lifecycle';
import { LossLog } from './metrics';
import { SampleMeasurer } from './metricsRequests';
import { OodScorer } from './oodRequests';
import type { BackendName, FromWorker, ToWorker } from './protocol';
import { Trainer } from './trainer';
import { Views } from './views';
import { Workspace } from './workspace';

export { memoryStore, type CheckpointStore, type StoredCheckpoint } from './checkpoints';
export { pca2 } from './pca';

export interface SessionOptions {
  post(msg: FromWorker): void;
  store?: CheckpointStore;
  /** Starts a backend and hands back its handle (default: openBackend); tests stand in fakes here. */
  setupBackend?: SetupBackend;
  /** Backends worth trying in this environment (default: detected). */
  available?: BackendName[];
  /** Lets queued messages run (MessageChannel in a worker, setImmediate in Node). */
  yieldToQueue?: () => Promise<void>;
  /** Steps between automatic checkpoints (also every checkpointSeconds). */
  checkpointEvery?: number;
  checkpointSeconds?: number;
  /** At most one metrics message per this many ms. */
  metricsIntervalMs?: number;
  /** How long the loop runs steps before yielding. */
  sliceMs?: number;
  /** Wasm thread pool size to ask for. */
  threads?: number;
}

function defaultYield(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  return new Promise((r) => (g.setImmediate ? g.setImmediate(r) : setTimeout(r, 0)));
}

/** Requests whose failure never means "fall back": they choose or start backends, or break one on purpose. */
const NO_FALLBACK: ToWorker['type'][] = ['load', 'setBackend', 'debugFail'];

export class TrainingSession {
  private queue: Promise<void> = Promise.resolve();
  private readonly post: (msg: FromWorker) => void;
  private readonly ws = new Workspace();
  private readonly backends: BackendManager;
  private readonly checkpoints: Checkpoints;
  private readonly trainer: Trainer;
  private readonly lifecycle: ModelLifecycle;
  private readonly views: Views;
  private readonly measurer: SampleMeasurer;
  private readonly ood: OodScorer;

  constructor(opts: SessionOptions) {
    // Every 'loaded' names its model, so the page knows whether its measurements still belong to it.
    const post = (this.post = (msg: FromWorker) => opts.post(msg.type === 'loaded' ? { ...msg, modelKey: this.ws.docKey } : msg));
    const yieldToQueue = opts.yieldToQueue ?? defaultYield;
    this.backends = new BackendManager({
      setup: opts.setupBackend ?? openBackend,
      available: opts.available ?? detectBackends(),
      threads: opts.threads,
      post,
    });
    const log = new LossLog({
      post,
      intervalMs: opts.metricsIntervalMs ?? 100,
      status: () => ({ step: this.ws.step, running: this.trainer.isRunning }),
    });
    this.checkpoints = new Checkpoints(this.ws, this.backends, log, {
      store: opts.store ?? null,
      every: opts.checkpointEvery ?? 250,
      seconds: opts.checkpointSeconds ?? 15,
      post,
    });
    this.trainer = new Trainer(this.ws, this.backends, this.checkpoints, log, { post, yieldToQueue, sliceMs: opts.sliceMs ?? 20 });
    this.lifecycle = new ModelLifecycle(this.ws, this.backends, this.checkpoints, log, this.trainer, post);
    this.views = new Views(this.ws, this.backends, { post, yieldToQueue });
    this.measurer = new SampleMeasurer(this.ws, this.backends, this.trainer, this.checkpoints, post);
    this.ood = new OodScorer(this.ws, this.backends, this.trainer, post);
  }

  /** Queue a message; the promise settles once it has been processed. */
  handle(msg: ToWorker): Promise<void> {
    // Pause must not wait behind a long request: flip the flag now, finish in order.
    if (msg.type === 'pause') this.trainer.halt();
    const next = this.queue.then(() => this.process(msg)).catch((e) => this.onRequestError(e, msg));
    this.queue = next;
    return next;
  }

  get step(): number {
    return this.ws.step;
  }

  get isRunning(): boolean {
    return this.trainer.isRunning;
  }

  get backendName(): BackendName | null {
    return this.backends.name;
  }

  /** Resolves when the run loop has stopped (tests). */
  idle(): Promise<void> {
    return this.trainer.idle();
  }

  private async process(msg: ToWorker): Promise<void> {
    switch (msg.type) {
      case 'load':
        return this.lifecycle.load(msg.doc, msg.onChange ?? 'ask', !!msg.resume, msg.checkpoint);
      case 'setBackend':
        return this.lifecycle.switchBackend(msg.backend);
      case 'play':
        return this.trainer.play();
      case 'pause':
        return this.trainer.pause();
      case 'step':
        return this.trainer.stepOnce(msg.optimizer, msg.count ?? 1);
      case 'setRoundDelay':
        return this.trainer.setRoundDelay(msg.ms);
      case 'reset':
        return this.lifecycle.reset();
      case 'setLearningRate':
        return this.ws.setLearningRate(msg.optimizer, msg.lr);
      case 'setBatchSize':
        return this.setBatchSize(msg.batchSize);
      case 'setCheckpointEvery':
        this.checkpoints.every = Math.max(1, Math.floor(msg.steps));
        return;
      case 'samples':
        return this.views.samples(msg.id, msg.n, msg.label, msg.seed);
      case 'reconstructions':
        return this.views.reconstructions(msg.id, msg.n);
      case 'latentMap':
        return this.views.latentMap(msg.id, msg.count ?? 1000);
      case 'decode':
        return this.views.decode(msg.id, msg.latents, msg.n, msg.label);
      case 'klPerDim':
        return this.views.klPerDim(msg.id);
      case 'autoregressive':
        return this.views.autoregressive(msg.id, msg.n, msg.label, msg.seed);
      case 'preview':
        return this.views.preview(msg.id, msg.nodeId);
      case 'points2d':
        return this.views.points2d(msg.id, msg.n);
      case 'trajectory':
        return this.views.trajectory(msg.id, msg.n, msg.frames, msg.steps);
      case 'measureSamples':
        return this.measurer.measure(msg.id, msg.n, msg.importanceSamples);
      case 'scoreImages':
        return this.ood.scoreImages(msg.id, msg.images, msg.n);
      case 'scoreStrange':
        return this.ood.scoreStrange(msg.id);
      case 'saveCheckpoint': {
        const was = await this.trainer.stop();
        await this.checkpoints.save(true);
        if (was) this.trainer.start();
        return;
      }
      case 'exportCheckpoint':
        return this.lifecycle.exportCheckpoint(msg.id);
      case 'restoreCheckpoint':
        return this.lifecycle.restore();
      case 'export':
        return this.views.exportWeights(msg.id);
      case 'debugFail':
        return this.backends.simulateFailure(msg.kind);
      default: {
        const never: never = msg;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private setBatchSize(n: number) {
    const { ws } = this;
    if (!Number.isInteger(n) || n < 1 || n > 4096) throw new Error(`batch size ${n} must be a whole number from 1 to 4096`);
    if (!ws.train || !ws.plan) {
      ws.batchSize = n;
      return;
    }
    if (n === ws.batchSize) return;
    ws.batchSize = n;
    // A fresh order at the new size; the seed stays the document's.
    ws.restartBatches(ws.plan.seed + ws.step);
  }

  /**
   * A view request that dies of a GPU failure (out of memory, lost device) means
   * the backend is gone: fall back like a failed step would, then report.
   */
  private async onRequestError(e: unknown, msg: ToWorker) {
    if (this.backends.isGpu && this.ws.model && e instanceof BackendFailure && !NO_FALLBACK.includes(msg.type)) {
      const failedOn = this.backends.name;
      const was = await this.trainer.stop();
      // The loop may have met the same failure and moved on already.
      if (this.backends.name === failedOn) await this.trainer.recover(e.message);
      if (was && this.ws.model) this.trainer.start();
      return;
    }
    this.post({ type: 'error', message: e instanceof Error ? e.message : String(e), where: msg.type });
  }
}
