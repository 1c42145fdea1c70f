/**
 * The training session behind the worker: it owns the compiled model, the data,
 * the backend and the run loop, and speaks the protocol in ./protocol.ts. It has
 * no Worker globals in it, so Node tests drive it directly on the cpu or wasm
 * backend; ./worker.ts is the thin Web Worker shell around it.
 *
 * Concurrency: messages are processed one at a time in arrival order (a
 * promise queue). The run loop is separate: it runs steps for a short slice,
 * then yields to the message queue, so pause is handled within one slice.
 * Anything that rebuilds or restores the model first stops the loop.
 */
import * as tf from './tf';
import { compile } from '../compiler/compile';
import type { Plan, PortRef } from '../compiler/plan';
import { createBatcher, type Batcher, type BatcherState } from '../data/batcher';
import type { DataSet } from '../data/types';
import type { GraphDocument } from '../graph/document';
import { registry } from '../../nodes/index';
import { createRng } from '../graph/random';
import { setupBackend as defaultSetupBackend, type BackendInfo } from './backend';
import { CompiledModel, drawPixels, TrainingDiverged, type Batch as ModelBatch, type ModelState } from './model';
import { loadPlanData } from './planData';
import {
  BACKEND_ORDER,
  type BackendChoice,
  type BackendName,
  type CheckpointInfo,
  type FailureKind,
  type FromWorker,
  type LossPoint,
  type ModelInfo,
  type OnDocChange,
  type ToWorker,
} from './protocol';

export interface StoredCheckpoint {
  info: CheckpointInfo;
  docKey: string;
  state: ModelState;
  batcher: BatcherState;
  batchSize: number;
  learningRates: Record<string, number>;
  /** The loss curve so far (thinned), so a reload or restore redraws it. */
  history?: LossPoint[];
}

/** Where checkpoints persist: IndexedDB in the worker, a Map in tests. */
export interface CheckpointStore {
  get(key: string): Promise<StoredCheckpoint | undefined>;
  set(key: string, value: StoredCheckpoint): Promise<void>;
  del(key: string): Promise<void>;
}

export function memoryStore(): CheckpointStore & { map: Map<string, StoredCheckpoint> } {
  const map = new Map<string, StoredCheckpoint>();
  return {
    map,
    get: async (k) => map.get(k),
    set: async (k, v) => void map.set(k, v),
    del: async (k) => void map.delete(k),
  };
}

export interface SessionOptions {
  post(msg: FromWorker): void;
  store?: CheckpointStore;
  setupBackend?: (name: BackendName, opts?: { threads?: number }) => Promise<BackendInfo>;
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

/** Random-stream position for fixed-seed previews, far from the training stream's. */
const PREVIEW_COUNTER = 1_500_000_000;
const HISTORY_MAX = 4000;

/** Errors that mean the backend, not the graph, is broken: fall back instead of stopping. */
export function isBackendFailure(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /kernel|context (was )?lost|device (was )?lost|lost context|out of memory|\boom\b|failed to allocate|allocation|webgl|webgpu|gpu|backend/i.test(
    msg,
  );
}

function detectBackends(): BackendName[] {
  const g = globalThis as { navigator?: { gpu?: unknown }; OffscreenCanvas?: unknown; document?: unknown };
  return BACKEND_ORDER.filter((b) =>
    b === 'webgpu'
      ? !!g.navigator?.gpu
      : b === 'webgl'
        ? typeof g.OffscreenCanvas !== 'undefined' || typeof g.document !== 'undefined'
        : true,
  );
}

/** The renderer's name when a GPU backend runs on a software rasteriser (SwiftShader, llvmpipe), else null. */
function softwareRenderer(name: BackendName): string | null {
  const soft = /swiftshader|llvmpipe|lavapipe|software|basic render/i;
  try {
    if (name === 'webgl') {
      const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
      if (!gl) return null;
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      return soft.test(renderer) ? renderer : null;
    }
    if (name === 'webgpu') {
      const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
      const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''}`.trim();
      return soft.test(text) ? text : null;
    }
  } catch {
    /* cannot tell: treat it as hardware */
  }
  return null;
}

function defaultYield(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  return new Promise((r) => (g.setImmediate ? g.setImmediate(r) : setTimeout(r, 0)));
}

/** What of a document affects the model (not positions, labels, notes or the title). */
export function docKeyOf(doc: GraphDocument): string {
  const nodes = [...doc.nodes].sort((a, b) => a.id.localeCompare(b.id)).map((n) => [n.id, n.type, n.params, n.sharesWeightsWith ?? null]);
  const edges = doc.edges.map((e) => `${e.source}.${e.sourcePort}>${e.target}.${e.targetPort}`).sort();
  const text = JSON.stringify([doc.meta.seed, nodes, edges]);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

const ckptKey = (docKey: string) => `latent-lab:checkpoint:${docKey}`;

export class TrainingSession {
  private readonly o: Required<Omit<SessionOptions, 'store' | 'threads'>> & { store: CheckpointStore | null; threads?: number };
  private queue: Promise<void> = Promise.resolve();

  private backendChoice: BackendChoice = 'auto';
  private backend: BackendName | null = null;
  private failed = new Set<BackendName>();
  /** Set by a context-lost / device-lost listener: never take another step on it. */
  private lost: string | null = null;
  private simulated: FailureKind | null = null;

  private doc: GraphDocument | null = null;
  private docKey = '';
  private plan: Plan | null = null;
  private model: CompiledModel | null = null;
  private train: DataSet | null = null;
  private test: DataSet | null = null;
  private batcher: Batcher | null = null;
  private batchSize = 0;
  private learningRates: Record<string, number> = {};

  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private diverged = false;
  private lastGood: StoredCheckpoint | null = null;
  private lastCheckpointStep = -1;
  private lastCheckpointTime = 0;

  private pending: LossPoint[] = [];
  /** Every loss point of this run, thinned to at most HISTORY_MAX; stored with checkpoints. */
  private history: LossPoint[] = [];
  private lastMetricsTime = 0;
  private lastMetricsStep = 0;
  private stepsPerSec = 0;
  private msPerStep = 0;

  constructor(opts: SessionOptions) {
    this.o = {
      post: opts.post,
      store: opts.store ?? null,
      setupBackend: opts.setupBackend ?? defaultSetupBackend,
      available: opts.available ?? detectBackends(),
      yieldToQueue: opts.yieldToQueue ?? defaultYield,
      checkpointEvery: opts.checkpointEvery ?? 250,
      checkpointSeconds: opts.checkpointSeconds ?? 15,
      metricsIntervalMs: opts.metricsIntervalMs ?? 100,
      sliceMs: opts.sliceMs ?? 20,
      threads: opts.threads,
    };
  }

  // ───────────────────────── public surface ─────────────────────────

  /** Queue a message; the promise settles once it has been processed. */
  handle(msg: ToWorker): Promise<void> {
    // Pause must not wait behind a long request: flip the flag now, finish in order.
    if (msg.type === 'pause') this.running = false;
    const next = this.queue.then(() => this.process(msg)).catch((e) => this.onRequestError(e, msg));
    this.queue = next;
    return next;
  }

  get step(): number {
    return this.model?.step ?? 0;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get backendName(): BackendName | null {
    return this.backend;
  }

  /** Resolves when the run loop has stopped (tests). */
  idle(): Promise<void> {
    return this.loopDone;
  }

  // ───────────────────────── message handling ─────────────────────────

  private async process(msg: ToWorker): Promise<void> {
    switch (msg.type) {
      case 'load':
        return this.load(msg.doc, msg.onChange ?? 'ask', !!msg.resume);
      case 'setBackend':
        return this.switchBackend(msg.backend);
      case 'play':
        return this.play();
      case 'pause':
        return this.pause();
      case 'step':
        return this.stepOnce(msg.optimizer, msg.count ?? 1);
      case 'reset':
        return this.reset();
      case 'setLearningRate': {
        this.learningRates[msg.optimizer] = msg.lr;
        this.model?.setLearningRate(msg.optimizer, msg.lr);
        return;
      }
      case 'setBatchSize':
        return this.setBatchSize(msg.batchSize);
      case 'setCheckpointEvery':
        this.o.checkpointEvery = Math.max(1, Math.floor(msg.steps));
        return;
      case 'samples':
        return this.samples(msg.id, msg.n, msg.label, msg.seed);
      case 'reconstructions':
        return this.reconstructions(msg.id, msg.n);
      case 'latentMap':
        return this.latentMap(msg.id, msg.count ?? 1000);
      case 'decode':
        return this.decode(msg.id, msg.latents, msg.n, msg.label);
      case 'klPerDim':
        return this.klPerDim(msg.id);
      case 'autoregressive':
        return this.autoregressive(msg.id, msg.n, msg.label, msg.seed);
      case 'preview':
        return this.preview(msg.id, msg.nodeId);
      case 'points2d':
        return this.points2d(msg.id, msg.n);
      case 'saveCheckpoint': {
        const was = await this.stopLoop();
        await this.checkpoint(true);
        if (was) this.startLoop();
        return;
      }
      case 'restoreCheckpoint':
        return this.restoreCheckpoint();
      case 'export':
        return this.exportWeights(msg.id);
      case 'debugFail':
        return this.simulateFailure(msg.kind);
      default: {
        const never: never = msg;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private post(msg: FromWorker) {
    this.o.post(msg);
  }

  /**
   * A view request that dies of a GPU failure (out of memory, lost device) means
   * the backend is gone: fall back like a failed step would, then report.
   */
  private async onRequestError(e: unknown, msg: ToWorker) {
    const gpu = this.backend === 'webgpu' || this.backend === 'webgl';
    if (gpu && this.model && isBackendFailure(e) && !['load', 'setBackend', 'debugFail'].includes(msg.type)) {
      const failedOn = this.backend;
      const was = await this.stopLoop();
      // The loop may have met the same failure and moved on already.
      if (this.backend === failedOn) await this.recover(e instanceof Error ? e.message : String(e));
      if (was && this.model) this.startLoop();
      return;
    }
    this.reportError(e, msg.type);
  }

  private reportError(e: unknown, where: string) {
    const message = e instanceof Error ? e.message : String(e);
    this.post({ type: 'error', message, where });
  }

  private postState(busy?: string) {
    this.post({ type: 'state', running: this.running, step: this.step, ...(busy ? { busy } : {}) });
  }

  // ───────────────────────── backends ─────────────────────────

  /** Initialise the first backend that works, in the chosen order; report what was skipped. */
  private async selectBackend(choice: BackendChoice, explicit?: BackendName[]): Promise<void> {
    const order =
      explicit ??
      (choice === 'auto'
        ? this.o.available.filter((b) => !this.failed.has(b))
        : [
            choice,
            ...this.o.available.filter(
              (b) => b !== choice && !this.failed.has(b) && BACKEND_ORDER.indexOf(b) > BACKEND_ORDER.indexOf(choice),
            ),
          ]);
    const skipped: { backend: BackendName; reason: string }[] = [];
    for (const name of order) {
      try {
        const info = await this.o.setupBackend(name, this.o.threads ? { threads: this.o.threads } : {});
        const software =
          choice === 'auto' && order.slice(order.indexOf(name) + 1).some((b) => b === 'wasm') ? softwareRenderer(name) : null;
        if (software) {
          // A GPU backend on a software rasteriser is several times slower than wasm: pick it only by hand.
          skipped.push({
            backend: name,
            reason: `software renderer (${software}) is slower than wasm; choose ${name} by hand to use it anyway`,
          });
          continue;
        }
        this.backend = name;
        this.lost = null;
        this.lostWaiters.clear();
        this.watchForLoss(name);
        this.post({
          type: 'backend',
          backend: name,
          requested: choice,
          threads: info.threads,
          simd: info.simd,
          fma: info.fma,
          sharedMemory: info.sharedMemory,
          note: info.note,
          skipped,
        });
        return;
      } catch (e) {
        this.failed.add(name);
        skipped.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    throw new Error(`no TF.js backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
  }

  /** Context-lost (WebGL) and device-lost (WebGPU) arrive as events; remember them so the loop stops. */
  private watchForLoss(name: BackendName) {
    try {
      const b = tf.backend() as unknown as {
        gpgpu?: { gl?: { canvas?: { addEventListener?: (t: string, f: (e: Event) => void) => void } } };
        device?: { lost?: Promise<{ message?: string; reason?: string }> };
      };
      if (name === 'webgl') {
        b.gpgpu?.gl?.canvas?.addEventListener?.('webglcontextlost', (e) => {
          e.preventDefault?.();
          if (this.backend === 'webgl') this.lost = 'WebGL context lost';
        });
      } else if (name === 'webgpu') {
        void b.device?.lost?.then((info) => {
          if (this.backend === 'webgpu') this.markLost(`WebGPU device lost${info?.message ? `: ${info.message}` : ''}`);
        });
      }
    } catch {
      /* no listener: failures still surface as errors from the next step */
    }
  }

  private async switchBackend(choice: BackendChoice) {
    this.backendChoice = choice;
    if (choice !== 'auto') this.failed.delete(choice);
    const was = await this.stopLoop();
    const snapshot = this.model && !this.diverged ? await this.snapshot() : this.lastGood;
    this.disposeModel();
    await this.selectBackend(choice);
    if (this.plan) {
      this.buildModel();
      if (snapshot) await this.applyCheckpoint(snapshot);
      this.sendMetrics(true);
      this.postState();
    }
    if (was) this.startLoop();
  }

  /**
   * The backend broke: move to the next backend, rebuild, restore the last good
   * checkpoint and say what happened. The caller decides whether to carry on
   * (the loop does, unless a pause arrived meanwhile). Never steps the broken backend again.
   */
  private async recover(reason: string) {
    const from = this.backend!;
    this.failed.add(from);
    this.disposeModel();
    const after = this.o.available.filter((b) => !this.failed.has(b) && BACKEND_ORDER.indexOf(b) > BACKEND_ORDER.indexOf(from));
    const rest = this.o.available.filter((b) => !this.failed.has(b) && !after.includes(b));
    try {
      await this.selectBackend('auto', [...after, ...rest]);
    } catch (e) {
      this.running = false;
      this.backend = null;
      this.reportError(e, 'fallback');
      this.postState();
      return;
    }
    this.buildModel();
    const ckpt = this.lastGood;
    if (ckpt) await this.applyCheckpoint(ckpt);
    else {
      this.batcher = createBatcher(this.train!, this.batchSize, this.plan!.seed);
      this.history = [];
      this.pending = [];
    }
    this.post({ type: 'fallback', from, to: this.backend!, reason, resumedFromStep: this.step });
    this.lastMetricsTime = performance.now();
    this.lastMetricsStep = this.step;
    this.sendMetrics(true);
    this.postState();
  }

  private simulateFailure(kind: FailureKind) {
    // A lost context or device only means something on the backend that has one.
    if ((kind === 'contextLost' && this.backend !== 'webgl') || (kind === 'deviceLost' && this.backend !== 'webgpu')) return;
    if (kind === 'contextLost' && this.backend === 'webgl') {
      const b = tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } };
      const ext = b.gpgpu?.gl?.getExtension('WEBGL_lose_context');
      if (ext) {
        ext.loseContext();
        // The event may arrive a little later; the flag makes the next step refuse to run either way.
        this.lost ??= 'WebGL context lost';
        return;
      }
    }
    if (kind === 'deviceLost' && this.backend === 'webgpu') {
      const b = tf.backend() as unknown as { device?: { destroy(): void } };
      if (b.device) {
        b.device.destroy();
        this.markLost('WebGPU device lost: destroyed');
        return;
      }
    }
    this.simulated = kind;
  }

  private throwSimulated() {
    const kind = this.simulated;
    if (!kind) return;
    this.simulated = null;
    const b = this.backend;
    switch (kind) {
      case 'kernel':
        throw new Error(`Kernel 'Conv2DBackpropFilter' not registered for backend '${b}' (simulated failure)`);
      case 'oom':
        throw new Error(`Failed to allocate memory on ${b}: out of memory (simulated failure)`);
      case 'contextLost':
        throw new Error('WebGL context lost (simulated failure)');
      case 'deviceLost':
        throw new Error('WebGPU device lost (simulated failure)');
      case 'nan':
        throw new TrainingDiverged(this.step + 1, Object.values(this.plan?.lossNames ?? {})[0] ?? 'loss', NaN);
    }
  }

  // ───────────────────────── documents and models ─────────────────────────

  private async load(doc: GraphDocument, onChange: OnDocChange, resume: boolean) {
    const result = compile(doc, registry);
    if (!result.plan) {
      await this.stopLoop();
      this.post({ type: 'compileErrors', errors: result.errors });
      this.postState();
      return;
    }
    const plan = result.plan;
    const key = docKeyOf(doc);
    if (this.model && this.plan && key === this.docKey && !resume) {
      // Only positions, labels or notes changed: nothing to rebuild.
      this.doc = doc;
      this.post({
        type: 'loaded',
        info: this.info(),
        step: this.step,
        storedCheckpoint: await this.storedInfo(),
        resumed: false,
        warnings: result.errors,
      });
      return;
    }
    const was = await this.stopLoop();
    if (!this.backend) await this.selectBackend(this.backendChoice);

    const old = this.model && this.plan ? { plan: this.plan, state: await this.snapshot(), doc: this.doc!, key: this.docKey } : null;
    this.disposeModel();
    this.plan = plan;
    let dataChanged = true;
    try {
      if (
        old &&
        JSON.stringify(old.plan.byId[old.plan.datasetNode].params) === JSON.stringify(plan.byId[plan.datasetNode].params) &&
        old.plan.seed === plan.seed
      )
        dataChanged = false;
      if (dataChanged || !this.train) {
        this.train = await loadPlanData(plan, 'train');
        this.test = await loadPlanData(plan, 'test');
      }
    } catch (e) {
      if (old) await this.rollback(old);
      throw e;
    }
    this.buildModel();

    let keptFrom: StoredCheckpoint | null = null;
    if (old) {
      const { matching, total, changed } = this.compareVariables(old.state.state);
      const identical =
        changed.length === 0 &&
        matching === total &&
        total === Object.keys(old.state.state.tensors).filter((k) => k.startsWith('var:')).length;
      if (!identical && onChange === 'ask' && old.state.state.step > 0) {
        // Put the old model back and let the user choose.
        this.disposeModel();
        await this.rollback(old);
        this.post({ type: 'docChanged', matching, total, changed });
        if (was) this.startLoop();
        return;
      }
      if (identical || onChange === 'keep') keptFrom = old.state;
    }
    this.doc = doc;
    this.docKey = key;
    this.learningRates = {};
    this.batchSize = plan.data.batchSize;
    this.batcher = createBatcher(this.train!, this.batchSize, plan.seed);
    this.diverged = false;
    this.lastGood = null;
    this.lastCheckpointStep = -1;
    const keptHistory = this.history;
    this.pending = [];
    this.history = [];

    let resumed = false;
    const stored = this.o.store ? await this.o.store.get(ckptKey(key)).catch(() => undefined) : undefined;
    if (resume && stored) {
      await this.applyCheckpoint(stored);
      this.lastGood = stored;
      resumed = true;
    } else if (keptFrom) {
      await this.applyMatching(keptFrom);
      this.history = keptHistory;
    }
    this.lastMetricsStep = this.step;
    this.post({
      type: 'loaded',
      info: this.info(),
      step: this.step,
      storedCheckpoint: stored?.info ?? null,
      resumed,
      warnings: result.errors,
    });
    this.sendMetrics(true);
    if (was && (keptFrom || resumed)) this.startLoop();
    else this.postState();
  }

  private async rollback(old: { plan: Plan; state: StoredCheckpoint; doc: GraphDocument; key: string }) {
    this.plan = old.plan;
    this.doc = old.doc;
    this.docKey = old.key;
    this.buildModel();
    await this.applyCheckpoint(old.state);
  }

  /** Variables of the freshly built model against a saved state: how many keep their name and shape. */
  private compareVariables(state: ModelState) {
    let matching = 0;
    const changed: string[] = [];
    const vars = this.model!.namedVariables;
    for (const [name, v] of vars) {
      const saved = state.tensors[`var:${name}`];
      if (saved && saved.shape.join() === v.shape.join()) matching++;
      else changed.push(saved ? `${name}: ${saved.shape.join('×')} → ${v.shape.join('×')}` : `${name}: new`);
    }
    for (const key of Object.keys(state.tensors))
      if (key.startsWith('var:') && !vars.has(key.slice(4))) changed.push(`${key.slice(4)}: removed`);
    return { matching, total: vars.size, changed };
  }

  /** Keep the weights whose name and shape still match; the rest stay freshly initialised. */
  private async applyMatching(ckpt: StoredCheckpoint) {
    const vars = this.model!.namedVariables;
    const tensors: ModelState['tensors'] = {};
    let kept = 0;
    let same = true;
    for (const [key, t] of Object.entries(ckpt.state.tensors)) {
      if (!key.startsWith('var:')) continue;
      const v = vars.get(key.slice(4));
      if (v && v.shape.join() === t.shape.join()) {
        tensors[key] = t;
        kept++;
      } else same = false;
    }
    if (same && kept === vars.size) {
      // The same variables: keep the optimizer's moments and layer state too.
      for (const [key, t] of Object.entries(ckpt.state.tensors)) if (!key.startsWith('var:')) tensors[key] = t;
    }
    const state = { step: ckpt.state.step, randomCounter: ckpt.state.randomCounter, tensors };
    try {
      await this.model!.loadState(state);
    } catch {
      // Optimizer slots or state that no longer line up: keep the weights, start the rest afresh.
      for (const k of Object.keys(tensors)) if (!k.startsWith('var:')) delete tensors[k];
      this.disposeModel();
      this.buildModel();
      await this.model!.loadState(state);
    }
  }

  private buildModel() {
    this.model = new CompiledModel(this.plan!);
    for (const [opt, lr] of Object.entries(this.learningRates)) this.model.setLearningRate(opt, lr);
  }

  private disposeModel() {
    try {
      this.model?.dispose();
    } catch {
      /* a lost context cannot free its textures; the backend goes with it */
    }
    this.model = null;
  }

  private info(): ModelInfo {
    const plan = this.plan!;
    const doc = this.doc!;
    const labelOf = (id: string) => doc.nodes.find((n) => n.id === id)?.label || id;
    const dataParams = plan.byId[plan.datasetNode].params;
    return {
      title: doc.meta.title,
      optimizers: plan.optimizers.map((o) => ({
        id: o.id,
        label: labelOf(o.id),
        learningRate: this.learningRates[o.id] ?? Number(o.params.learningRate ?? 1e-3),
        stepsPerRound: o.stepsPerRound,
        terms: o.terms.map((t) => plan.lossNames[t]),
      })),
      lossTerms: [
        ...new Set([...plan.optimizers.flatMap((o) => o.terms.map((t) => plan.lossNames[t])), ...plan.optimizers.map((o) => o.id)]),
      ],
      modes: {
        generate: !!plan.modes.generate,
        autoregressive: !!plan.modes.generate?.autoregressive,
        conditional: !!plan.modes.generate?.conditional,
        reconstruct: !!plan.modes.reconstruct,
        encode: !!plan.modes.encode,
      },
      latentSize: plan.modes.encode?.latentSize ?? 0,
      data: { kind: plan.data.kind, shape: plan.data.shape.slice(), numClasses: plan.data.numClasses, source: String(dataParams.source) },
      batchSize: this.batchSize || plan.data.batchSize,
      paramCount: plan.paramCount,
      previewable: [...new Set(plan.nodes.filter((n) => Object.keys(n.outputShapes).length > 0).map((n) => n.docId))],
      hasKl: !!this.klRefs(),
    };
  }

  // ───────────────────────── the run loop ─────────────────────────

  private play() {
    if (!this.model) throw new Error('load a graph before pressing play');
    if (this.running) return;
    if (this.diverged) throw new Error('training diverged: restore the last checkpoint or reset before playing');
    this.startLoop();
  }

  private startLoop() {
    if (!this.model) return;
    this.running = true;
    this.lastMetricsTime = performance.now();
    this.lastMetricsStep = this.step;
    this.postState();
    this.loopDone = this.loop();
  }

  /** Stops the loop and waits for it; returns whether it was running. */
  private async stopLoop(): Promise<boolean> {
    const was = this.running;
    this.running = false;
    await this.loopDone;
    return was;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const end = performance.now() + this.o.sliceMs;
      let failure: string | null = null;
      do {
        if (this.lost) {
          failure = this.lost;
          break;
        }
        const err = await this.tryStep(undefined);
        if (err?.kind === 'backend') {
          failure = err.reason;
          break;
        }
        if (err) break;
      } while (this.running && performance.now() < end);
      if (failure) {
        await this.recover(failure);
        continue;
      }
      this.sendMetrics(false);
      if (this.running && this.checkpointDue()) {
        try {
          await this.checkpoint(true);
        } catch (e) {
          // Reading the weights back is where a lost GPU device often shows first.
          if (!isBackendFailure(e)) throw e;
          await this.recover(e instanceof Error ? e.message : String(e));
          continue;
        }
      }
      if (this.running) await this.o.yieldToQueue();
    }
  }

  /**
   * Whether to read results with `await data()`. WebGPU must: its synchronous read
   * goes through a canvas and in a worker returns zeros (SwiftShader) or hangs. On
   * wasm and cpu the async read resolves at once and costs nothing measurable, so
   * they take the same path; WebGL keeps its synchronous read (no fence polling).
   */
  private get asyncReads(): boolean {
    return this.backend !== 'webgl';
  }

  /** Reads in flight on WebGPU, to be failed at once when the device is lost. */
  private lostWaiters = new Set<(e: Error) => void>();

  /** Never step this backend again, and fail every read still waiting on it. */
  private markLost(reason: string) {
    this.lost ??= reason;
    const err = new Error(this.lost);
    for (const fail of this.lostWaiters) fail(err);
    this.lostWaiters.clear();
  }

  /**
   * A read on WebGPU that settles like `p`, or fails as soon as the device is lost:
   * a mapAsync on a lost device may never settle, and the loop must not hang on it.
   */
  private guard<T>(p: Promise<T>): Promise<T> {
    if (this.backend !== 'webgpu') return p;
    p.catch(() => undefined);
    if (this.lost) return Promise.reject(new Error(this.lost));
    let fail!: (e: Error) => void;
    const lost = new Promise<never>((_, reject) => (fail = reject));
    this.lostWaiters.add(fail);
    return Promise.race([p, lost]).finally(() => this.lostWaiters.delete(fail));
  }

  /** A view's values, read the way this backend reads, with the preview random stream. */
  private view<T>(counter: number, sync: (model: CompiledModel) => T, read: (model: CompiledModel) => Promise<T>): Promise<T> | T {
    const model = this.model!;
    // The async variants draw every random number before their first await, so the fixed stream covers them.
    return this.asyncReads
      ? this.guard(model.withFixedRandom(counter, () => read(model)))
      : model.withFixedRandom(counter, () => sync(model));
  }

  /** One training round. Returns what went wrong, having already reported divergence or graph errors. */
  private async tryStep(only: string | undefined): Promise<null | { kind: 'backend'; reason: string } | { kind: 'other' }> {
    const model = this.model!;
    const batcher = this.batcher!;
    const size = this.batchSize;
    const t0 = performance.now();
    try {
      this.throwSimulated();
      const next = () => {
        const b = batcher.next();
        return { x: b.x, oneHot: b.oneHot, size } satisfies ModelBatch;
      };
      const { step, losses } = this.asyncReads ? await this.guard(model.trainRoundAsync(next, only)) : model.trainRound(next, only);
      // A reset, reload or fallback may have replaced the model while the round was in flight.
      if (this.model !== model) return { kind: 'other' };
      this.pending.push({ step, losses });
      this.history.push({ step, losses });
      if (this.history.length > HISTORY_MAX) this.history = this.history.filter((_, i) => i % 2 === 1);
    } catch (e) {
      if (e instanceof TrainingDiverged) {
        this.diverged = true;
        this.running = false;
        this.sendMetrics(true);
        this.post({ type: 'diverged', step: e.step, term: e.term, value: e.value, checkpoint: this.lastGood?.info ?? null });
        this.postState();
        return { kind: 'other' };
      }
      if (isBackendFailure(e)) return { kind: 'backend', reason: (e as Error).message };
      this.running = false;
      this.reportError(e, 'step');
      this.postState();
      return { kind: 'other' };
    }
    const ms = performance.now() - t0;
    this.msPerStep = this.msPerStep ? this.msPerStep * 0.9 + ms * 0.1 : ms;
    return null;
  }

  private sendMetrics(force: boolean) {
    const now = performance.now();
    const dt = now - this.lastMetricsTime;
    if (!force && dt < this.o.metricsIntervalMs) return;
    if (dt > 0 && this.running) {
      const rate = ((this.step - this.lastMetricsStep) * 1000) / dt;
      this.stepsPerSec = this.stepsPerSec ? this.stepsPerSec * 0.7 + rate * 0.3 : rate;
    }
    this.lastMetricsTime = now;
    this.lastMetricsStep = this.step;
    const mem = tf.memory();
    this.post({
      type: 'metrics',
      points: this.pending,
      step: this.step,
      stepsPerSec: this.running ? this.stepsPerSec : 0,
      numTensors: mem.numTensors,
      numBytes: mem.numBytes,
      msPerStep: this.msPerStep,
    });
    this.pending = [];
  }

  private async pause() {
    await this.stopLoop();
    this.sendMetrics(true);
    if (this.model && !this.diverged && this.step !== this.lastCheckpointStep) await this.checkpoint(true);
    this.postState();
  }

  private async stepOnce(only: string | undefined, count: number) {
    if (!this.model) throw new Error('load a graph before stepping');
    await this.stopLoop();
    if (this.diverged) throw new Error('training diverged: restore the last checkpoint or reset first');
    if (only && !this.plan!.optimizers.some((o) => o.id === only)) throw new Error(`no optimizer "${only}" in this graph`);
    for (let i = 0; i < count; i++) {
      if (this.lost) {
        await this.recover(this.lost);
        return;
      }
      const err = await this.tryStep(only);
      if (err?.kind === 'backend') {
        await this.recover(err.reason);
        return;
      }
      if (err) break;
    }
    this.sendMetrics(true);
    // Single steps are deliberate: keep them across a reload too.
    if (!this.diverged) await this.checkpoint(true);
    this.postState();
  }

  private async reset() {
    await this.stopLoop();
    if (!this.plan) return;
    this.disposeModel();
    this.buildModel();
    this.batcher = createBatcher(this.train!, this.batchSize, this.plan.seed);
    this.diverged = false;
    this.lastGood = null;
    this.lastCheckpointStep = -1;
    this.pending = [];
    this.history = [];
    await this.o.store?.del(ckptKey(this.docKey)).catch(() => undefined);
    this.sendMetrics(true);
    this.postState();
  }

  private setBatchSize(n: number) {
    if (!Number.isInteger(n) || n < 1 || n > 4096) throw new Error(`batch size ${n} must be a whole number from 1 to 4096`);
    if (!this.train || !this.plan) {
      this.batchSize = n;
      return;
    }
    if (n === this.batchSize) return;
    this.batchSize = n;
    // A fresh order at the new size; the seed stays the document's.
    this.batcher = createBatcher(this.train, n, this.plan.seed + this.step);
  }

  // ───────────────────────── checkpoints ─────────────────────────

  private checkpointDue(): boolean {
    const steps = this.step - Math.max(0, this.lastCheckpointStep);
    return steps >= this.o.checkpointEvery || (steps > 0 && performance.now() - this.lastCheckpointTime > this.o.checkpointSeconds * 1000);
  }

  private async snapshot(): Promise<StoredCheckpoint> {
    const state = await this.guard(this.model!.saveState());
    return {
      info: { step: state.step, savedAt: Date.now(), backend: this.backend ?? '' },
      docKey: this.docKey,
      state,
      batcher: this.batcher!.state(),
      batchSize: this.batchSize,
      learningRates: { ...this.learningRates },
      history: this.history.slice(),
    };
  }

  /** Snapshot to memory (the fallback point) and, when `persist`, to the store. */
  private async checkpoint(persist: boolean) {
    if (!this.model || this.diverged) return;
    const ckpt = await this.snapshot();
    this.lastGood = ckpt;
    this.lastCheckpointStep = ckpt.info.step;
    this.lastCheckpointTime = performance.now();
    let stored = false;
    if (persist && this.o.store) {
      try {
        await this.o.store.set(ckptKey(this.docKey), ckpt);
        stored = true;
      } catch (e) {
        this.reportError(e, 'checkpoint');
      }
    }
    this.post({ type: 'checkpoint', info: ckpt.info, stored });
  }

  private async applyCheckpoint(ckpt: StoredCheckpoint) {
    await this.model!.loadState(ckpt.state);
    this.learningRates = { ...ckpt.learningRates };
    for (const [opt, lr] of Object.entries(this.learningRates)) this.model!.setLearningRate(opt, lr);
    if (this.train && this.plan) {
      this.batchSize = ckpt.batchSize;
      this.batcher = createBatcher(this.train, ckpt.batchSize, ckpt.batcher.seed);
      this.batcher.restore(ckpt.batcher);
    }
    this.diverged = false;
    this.lastCheckpointStep = ckpt.info.step;
    // The curve up to the checkpoint; the page replaces whatever it drew past it.
    this.history = (ckpt.history ?? []).filter((p) => p.step <= ckpt.info.step);
    this.pending = this.history.slice();
  }

  private async restoreCheckpoint() {
    await this.stopLoop();
    const ckpt = this.lastGood ?? (this.o.store ? await this.o.store.get(ckptKey(this.docKey)) : undefined);
    if (!ckpt || !this.plan) throw new Error('there is no checkpoint to restore yet');
    // A fresh model rather than assigning into the old one: optimizer slots are replaced cleanly.
    this.disposeModel();
    this.buildModel();
    await this.applyCheckpoint(ckpt);
    this.lastGood = ckpt;
    this.post({ type: 'restored', step: this.step });
    this.sendMetrics(true);
    this.postState();
  }

  private async storedInfo(): Promise<CheckpointInfo | null> {
    if (!this.o.store) return null;
    return (await this.o.store.get(ckptKey(this.docKey)).catch(() => undefined))?.info ?? null;
  }

  // ───────────────────────── views ─────────────────────────

  private need(): { model: CompiledModel; plan: Plan } {
    if (!this.model || !this.plan) throw new Error('load a graph first');
    return { model: this.model, plan: this.plan };
  }

  private testBatch(n: number, offset = 0): ModelBatch & { labels: Uint8Array | null } {
    const ds = this.test ?? this.train!;
    const size = ds.shape.reduce((a, b) => a * b, 1);
    n = Math.min(n, ds.count);
    const x = ds.x.slice(offset * size, (offset + n) * size);
    const labels = ds.labels ? ds.labels.slice(offset, offset + n) : null;
    let oneHot: Float32Array | undefined;
    if (labels && ds.numClasses > 0) {
      oneHot = new Float32Array(n * ds.numClasses);
      labels.forEach((l, i) => (oneHot![i * ds.numClasses + l] = 1));
    }
    return { x, oneHot, size: n, labels };
  }

  private async samples(id: number, n: number, label: number | undefined, seed = 0) {
    const { plan } = this.need();
    if (!plan.modes.generate) throw new Error('this graph cannot generate samples');
    if (plan.modes.generate.autoregressive) return this.autoregressive(id, n, label, seed);
    const images = await this.view(
      PREVIEW_COUNTER + seed * 1000,
      (m) => m.generate(n, label),
      (m) => m.generateAsync(n, label),
    );
    this.post({
      type: 'samples',
      id,
      n,
      shape: plan.data.shape.slice(),
      images,
      step: this.step,
      ...(label !== undefined ? { label } : {}),
    });
  }

  private samplingToken = 0;

  /**
   * Pixel by pixel, yielding between pixels so the worker stays responsive
   * (pause, play and other views still get through) and the page can draw
   * each pixel as it arrives. A newer request, a reload or a reset cancels it.
   */
  private autoregressive(id: number, n: number, label: number | undefined, seed = 0) {
    const { model, plan } = this.need();
    const g = plan.modes.generate;
    if (!g?.autoregressive) throw new Error('this graph is not autoregressive');
    const token = ++this.samplingToken;
    const shape = plan.data.shape.slice();
    const total = shape.reduce((a, b) => a * b, 1);
    const classes = plan.data.numClasses;
    let oneHot: Float32Array | undefined;
    if (classes > 0) {
      oneHot = new Float32Array(n * classes);
      for (let b = 0; b < n; b++) oneHot[b * classes + (label ?? b % classes)] = 1;
    }
    const rng = createRng((plan.seed * 7919 + seed * 104729 + 17) >>> 0);
    const canvas = new Float32Array(n * total);
    const run = async () => {
      let last = 0;
      for (let i = 0; i < total; i++) {
        if (token !== this.samplingToken || this.model !== model) return;
        const batch = { x: canvas, oneHot, size: n };
        const out = this.asyncReads
          ? await this.guard(model.withFixedRandom(PREVIEW_COUNTER, () => model.pixelOutputsAsync(batch, i)))
          : model.withFixedRandom(PREVIEW_COUNTER, () => model.pixelOutputs(batch, i));
        if (token !== this.samplingToken || this.model !== model) return;
        const values = drawPixels(
          out,
          g.transform,
          Array.from({ length: n }, () => rng.next()),
        );
        for (let b = 0; b < n; b++) canvas[b * total + i] = values[b];
        const now = performance.now();
        const done = i === total - 1;
        if (done || now - last > 50) {
          last = now;
          this.post({ type: 'pixels', id, n, shape, index: i, total, canvas: canvas.slice(), done });
          if (!done) await this.o.yieldToQueue();
        }
      }
    };
    // Not awaited: the message queue moves on while the picture fills in.
    void run().catch((e) => this.reportError(e, 'autoregressive sampling'));
  }

  private async reconstructions(id: number, n: number) {
    const { plan } = this.need();
    if (!plan.modes.reconstruct) throw new Error('this graph has no reconstruction to show');
    const batch = this.testBatch(n);
    const outputs = await this.view(
      PREVIEW_COUNTER,
      (m) => m.reconstruct(batch),
      (m) => m.reconstructAsync(batch),
    );
    this.post({ type: 'reconstructions', id, n: batch.size, shape: plan.data.shape.slice(), inputs: batch.x, outputs, step: this.step });
  }

  private async latentMap(id: number, count: number) {
    const { plan } = this.need();
    const enc = plan.modes.encode;
    if (!enc) throw new Error('this graph has no latent code to map');
    const ds = this.test ?? this.train!;
    const n = Math.min(count, ds.count);
    const dim = enc.latentSize;
    const latents = new Float32Array(n * dim);
    for (let off = 0; off < n; off += 250) {
      const batch = this.testBatch(Math.min(250, n - off), off);
      latents.set(
        await this.view(
          PREVIEW_COUNTER,
          (m) => m.encode(batch),
          (m) => m.encodeAsync(batch),
        ),
        off * dim,
      );
    }
    const all = this.testBatch(n);
    let points: Float32Array;
    let mean: Float32Array | null = null;
    let basis: Float32Array | null = null;
    let explained: number | null = null;
    if (dim <= 2) {
      points = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) points[i * 2 + d] = latents[i * dim + d];
    } else {
      ({ mean, basis, explained } = pca2(latents, n, dim));
      points = new Float32Array(n * 2);
      for (let i = 0; i < n; i++)
        for (let k = 0; k < 2; k++) {
          let s = 0;
          for (let d = 0; d < dim; d++) s += (latents[i * dim + d] - mean[d]) * basis[k * dim + d];
          points[i * 2 + k] = s;
        }
    }
    this.post({
      type: 'latentMap',
      id,
      n,
      dim,
      points,
      labels: all.labels,
      latents,
      mean,
      basis,
      inputs: all.x,
      shape: plan.data.shape.slice(),
      explained,
    });
  }

  private async decode(id: number, latents: Float32Array, n: number, label: number | undefined) {
    const { plan } = this.need();
    const images = await this.view(
      PREVIEW_COUNTER,
      (m) => m.decode(latents, n, label),
      (m) => m.decodeAsync(latents, n, label),
    );
    this.post({ type: 'decoded', id, n, shape: plan.data.shape.slice(), images });
  }

  private klRefs(): { mean: PortRef; logVar: PortRef } | null {
    const s = this.plan?.nodes.find((n) => n.def.role === 'sampler' && n.inputs.mean && n.inputs.logVar);
    return s ? { mean: s.inputs.mean, logVar: s.inputs.logVar } : null;
  }

  private async klPerDim(id: number) {
    this.need();
    const refs = this.klRefs();
    if (!refs) throw new Error('this graph has no Gaussian sampler, so no per-dimension KL');
    const batch = this.testBatch(256);
    const probeRefs = [refs.mean, refs.logVar];
    const [mu, lv] = await this.view(
      PREVIEW_COUNTER,
      (m) => m.probe(batch, probeRefs, 'encode'),
      (m) => m.probeAsync(batch, probeRefs, 'encode'),
    );
    const dim = mu.data.length / batch.size;
    const perDim = new Float32Array(dim);
    for (let i = 0; i < batch.size; i++)
      for (let d = 0; d < dim; d++) {
        const m = mu.data[i * dim + d];
        const l = lv.data[i * dim + d];
        perDim[d] += 0.5 * (m * m + Math.exp(l) - l - 1);
      }
    for (let d = 0; d < dim; d++) perDim[d] /= batch.size;
    this.post({ type: 'kl', id, perDim });
  }

  private async preview(id: number, nodeId: string) {
    const { plan } = this.need();
    const flat = plan.byId[nodeId] ?? [...plan.nodes].reverse().find((n) => n.docId === nodeId);
    if (!flat) throw new Error(`node "${nodeId}" has no output to preview`);
    const port = Object.keys(flat.outputShapes)[0];
    if (!port) throw new Error(`node "${nodeId}" has no output to preview`);
    const batch = this.testBatch(8);
    const ref = [{ node: flat.id, port }];
    const [out] = await this.view(
      PREVIEW_COUNTER,
      (m) => m.probe(batch, ref, 'train'),
      (m) => m.probeAsync(batch, ref, 'train'),
    );
    this.post({ type: 'preview', id, nodeId, shape: out.shape, data: out.data, n: batch.size });
  }

  /** Real vs generated points for 2-D data, plus the critic's view of the plane when there is one. */
  private async points2d(id: number, n: number) {
    const { plan } = this.need();
    if (plan.data.kind !== 'points') throw new Error('real-vs-generated scatter needs 2-D data');
    const real = this.testBatch(n).x;
    const fake = plan.modes.generate
      ? await this.view(
          PREVIEW_COUNTER,
          (m) => m.generate(n),
          (m) => m.generateAsync(n),
        )
      : new Float32Array(0);
    let heatmap: { size: number; bounds: [number, number, number, number]; values: Float32Array } | null = null;
    const critic = this.criticRef();
    if (critic) {
      let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
      for (let i = 0; i < real.length; i += 2) {
        x0 = Math.min(x0, real[i]);
        x1 = Math.max(x1, real[i]);
        y0 = Math.min(y0, real[i + 1]);
        y1 = Math.max(y1, real[i + 1]);
      }
      const padX = (x1 - x0) * 0.25 + 1e-3;
      const padY = (y1 - y0) * 0.25 + 1e-3;
      const bounds: [number, number, number, number] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
      const size = 40;
      const grid = new Float32Array(size * size * 2);
      for (let j = 0; j < size; j++)
        for (let i = 0; i < size; i++) {
          grid[(j * size + i) * 2] = bounds[0] + ((i + 0.5) / size) * (bounds[1] - bounds[0]);
          grid[(j * size + i) * 2 + 1] = bounds[3] - ((j + 0.5) / size) * (bounds[3] - bounds[2]);
        }
      const gridBatch = { x: grid, size: size * size };
      const [out] = await this.view(
        PREVIEW_COUNTER,
        (m) => m.probe(gridBatch, [critic], 'train'),
        (m) => m.probeAsync(gridBatch, [critic], 'train'),
      );
      heatmap = { size, bounds, values: out.data };
    }
    this.post({ type: 'points2d', id, real, fake, heatmap });
  }

  /** A one-number-per-example output that reads the real data and no noise: the discriminator on real data. */
  private criticRef(): PortRef | null {
    const plan = this.plan!;
    const upstream = (id: string) => {
      const seen = new Set<string>();
      const stack = [id];
      while (stack.length) {
        const cur = stack.pop()!;
        if (seen.has(cur)) continue;
        seen.add(cur);
        for (const r of Object.values(plan.byId[cur]?.inputs ?? {})) stack.push(r.node);
      }
      return seen;
    };
    let found: PortRef | null = null;
    for (const n of plan.nodes) {
      if (n.def.category === 'losses') continue;
      for (const [port, shape] of Object.entries(n.outputShapes)) {
        if (shape.length !== 2 || shape[1] !== 1) continue;
        const up = upstream(n.id);
        if (!up.has(plan.datasetNode)) continue;
        if ([...up].some((u) => ['noise', 'sampler'].includes(plan.byId[u]?.def.role ?? ''))) continue;
        found = { node: n.id, port };
      }
    }
    return found;
  }

  /** Trained weights in TF.js's weights format: model.json (with a weightsManifest) + one weights.bin. */
  private async exportWeights(id: number) {
    const { model } = this.need();
    const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
    const chunks: Float32Array[] = [];
    for (const [name, v] of model.namedVariables) {
      specs.push({ name, shape: v.shape.slice(), dtype: 'float32' });
      chunks.push((await this.guard(v.data())) as Float32Array);
    }
    const total = chunks.reduce((a, c) => a + c.length, 0);
    const all = new Float32Array(total);
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    const modelJson = JSON.stringify(
      {
        format: 'latent-lab-weights',
        generatedBy: `Latent Lab (TensorFlow.js ${tf.version_core})`,
        convertedBy: null,
        modelTopology: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
        userDefinedMetadata: { step: this.step, backend: this.backend, graph: this.doc },
      },
      null,
      1,
    );
    this.post({ type: 'exported', id, modelJson, weights: all.buffer });
  }
}

/** Top two principal components by power iteration (dim is small: latent sizes). */
export function pca2(x: Float32Array, n: number, dim: number): { mean: Float32Array; basis: Float32Array; explained: number } {
  const mean = new Float32Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += x[i * dim + d] / n;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < dim; a++) {
      const va = x[i * dim + a] - mean[a];
      for (let b = a; b < dim; b++) cov[a * dim + b] += (va * (x[i * dim + b] - mean[b])) / Math.max(1, n - 1);
    }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a];
  let trace = 0;
  for (let a = 0; a < dim; a++) trace += cov[a * dim + a];
  const basis = new Float32Array(2 * dim);
  let explainedSum = 0;
  for (let k = 0; k < 2; k++) {
    let v = new Float64Array(dim).map((_, i) => 1 + ((i * 7 + k * 3) % 5) * 0.1);
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) w[a] += cov[a * dim + b] * v[b];
      const norm = Math.hypot(...w) || 1;
      lambda = norm;
      v = w.map((e) => e / norm);
    }
    basis.set(Array.from(v), k * dim);
    explainedSum += lambda;
    // Deflate so the next pass finds the next component.
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] -= lambda * v[a] * v[b];
  }
  return { mean, basis, explained: trace > 0 ? explainedSum / trace : 0 };
}
