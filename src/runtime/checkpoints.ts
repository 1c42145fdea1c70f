/**
 * Checkpoints: snapshots of the model, the batch order, the settings and the
 * curve, kept in memory (the fallback point) and in a store (a reload resumes
 * from it); applying one; and keeping the matching weights when the document
 * changes under a trained model.
 */
import { createBatcher, type BatcherState } from '../data/batcher';
import type { BackendManager } from './backends';
import type { LossLog } from './metrics';
import type { ModelState } from './model';
import type { CheckpointInfo, FromWorker, LossPoint, Measurement } from './protocol';
import type { Workspace } from './workspace';

export interface StoredCheckpoint {
  info: CheckpointInfo;
  docKey: string;
  state: ModelState;
  batcher: BatcherState;
  batchSize: number;
  learningRates: Record<string, number>;
  /** The loss curve so far (thinned), so a reload or restore redraws it. */
  history?: LossPoint[];
  /** Sample-quality measurements up to this step, so the Metrics view's history survives a reload. */
  measurements?: Measurement[];
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

const storeKey = (docKey: string) => `latent-lab:checkpoint:${docKey}`;

/** How many values of a saved state (weights, layer state, optimizer slots) are NaN or infinite. */
export function nonFinite(state: ModelState): number {
  let bad = 0;
  for (const t of Object.values(state.tensors)) for (const x of t.data) if (!Number.isFinite(x)) bad++;
  return bad;
}

export class Checkpoints {
  /** The last checkpoint taken or applied: where a fallback resumes and what restore goes back to. */
  lastGood: StoredCheckpoint | null = null;
  /** The checkpoint taken before lastGood: where a restore goes when lastGood itself fails to train. */
  private previous: StoredCheckpoint | null = null;
  /** Steps between automatic checkpoints (also every `seconds`). */
  every: number;
  private readonly seconds: number;
  private lastStep = -1;
  private lastTime = 0;

  constructor(
    private readonly ws: Workspace,
    private readonly backends: BackendManager,
    private readonly log: LossLog,
    private readonly o: { store: CheckpointStore | null; every: number; seconds: number; post(msg: FromWorker): void },
  ) {
    this.every = o.every;
    this.seconds = o.seconds;
  }

  /** Whether the current step is already checkpointed. */
  get current(): boolean {
    return this.ws.step === this.lastStep;
  }

  due(): boolean {
    const steps = this.ws.step - Math.max(0, this.lastStep);
    return steps >= this.every || (steps > 0 && performance.now() - this.lastTime > this.seconds * 1000);
  }

  /** Forget the in-memory checkpoint (a new document, a reset). */
  forget() {
    this.lastGood = null;
    this.previous = null;
    this.lastStep = -1;
  }

  async snapshot(): Promise<StoredCheckpoint> {
    const model = this.ws.model!;
    const state = await this.backends.guard(() => model.saveState());
    return {
      info: { step: state.step, savedAt: Date.now(), backend: this.backends.name ?? '' },
      docKey: this.ws.docKey,
      state,
      batcher: this.ws.batcher!.state(),
      batchSize: this.ws.batchSize,
      learningRates: { ...this.ws.learningRates },
      history: this.log.curve(),
      measurements: this.ws.measurements.filter((m) => m.step <= state.step),
    };
  }

  /**
   * Snapshot to memory (the fallback point) and, when `persist`, to the store. A snapshot with a
   * non-finite weight or optimizer slot (a run on its way to diverging) is no checkpoint: restoring
   * it would diverge again, so the last good one stays.
   */
  async save(persist: boolean) {
    if (!this.ws.model || this.ws.diverged) return;
    const ckpt = await this.snapshot();
    this.lastStep = ckpt.info.step;
    this.lastTime = performance.now();
    if (nonFinite(ckpt.state) > 0) return;
    if (this.lastGood && this.lastGood.info.step < ckpt.info.step) this.previous = this.lastGood;
    this.lastGood = ckpt;
    let stored = false;
    if (persist && this.o.store) {
      try {
        await this.o.store.set(storeKey(this.ws.docKey), ckpt);
        stored = true;
      } catch (e) {
        this.o.post({ type: 'error', message: e instanceof Error ? e.message : String(e), where: 'checkpoint' });
      }
    }
    this.o.post({ type: 'checkpoint', info: ckpt.info, stored });
  }

  /**
   * Training diverged in round `step`. When that round started from the last checkpoint, that
   * checkpoint is good only if its weights still give finite losses (a learning rate far too high
   * leaves finite weights a forward pass overflows on); otherwise the one before it, which a finite
   * round did start from, takes its place, in the store too. Loads checkpoints into the (diverged,
   * to be rebuilt) model to find out.
   */
  async diverged(step: number) {
    const last = this.lastGood;
    if (!last || last.info.step < step - 1 || (await this.trains(last))) return;
    this.lastGood = this.previous && this.previous.info.step < last.info.step ? this.previous : null;
    this.previous = null;
    const store = this.o.store;
    if (!store || (await this.stored().catch(() => undefined))?.info.step !== last.info.step) return;
    await (this.lastGood ? store.set(storeKey(this.ws.docKey), this.lastGood) : this.deleteStored()).catch(() => undefined);
  }

  /** Whether `ckpt` gives finite losses on the batch it would train on next (true when it cannot tell). */
  private async trains(ckpt: StoredCheckpoint): Promise<boolean> {
    const { model, train } = this.ws;
    if (!model || !train) return true;
    try {
      return await this.backends.guard(async () => {
        await model.loadState(ckpt.state);
        const batcher = createBatcher(train, ckpt.batcher.batchSize, ckpt.batcher.seed);
        batcher.restore(ckpt.batcher);
        const b = batcher.next();
        const losses = await model.evaluateLosses({ x: b.x, oneHot: b.oneHot, size: ckpt.batcher.batchSize });
        return Object.values(losses).every(Number.isFinite);
      });
    } catch {
      return true;
    }
  }

  /** Puts the model, settings, batch order and curve back as `ckpt` has them. */
  async apply(ckpt: StoredCheckpoint) {
    const ws = this.ws;
    const model = ws.model!;
    await model.loadState(ckpt.state);
    ws.learningRates = { ...ckpt.learningRates };
    // Every optimizer: one the checkpoint has no override for goes back to the document's rate.
    for (const opt of ws.plan?.optimizers ?? []) model.setLearningRate(opt.id, ws.learningRates[opt.id] ?? opt.learningRate);
    if (ws.train && ws.plan) {
      ws.batchSize = ckpt.batchSize;
      ws.restartBatches(ckpt.batcher.seed);
      ws.batcher!.restore(ckpt.batcher);
    }
    ws.diverged = false;
    this.lastStep = ckpt.info.step;
    // The curve up to the checkpoint; the page replaces whatever it drew past it.
    this.log.replace((ckpt.history ?? []).filter((p) => p.step <= ckpt.info.step));
    ws.measurements = (ckpt.measurements ?? []).filter((m) => m.step <= ckpt.info.step);
  }

  /** The stored checkpoint of document `docKey`, if there is one. */
  async stored(docKey = this.ws.docKey): Promise<StoredCheckpoint | undefined> {
    return this.o.store?.get(storeKey(docKey));
  }

  async deleteStored() {
    await this.o.store?.del(storeKey(this.ws.docKey)).catch(() => undefined);
  }

  /** Variables of the freshly built model against a saved state: how many keep their name and shape. */
  compare(state: ModelState): { matching: number; total: number; changed: string[] } {
    let matching = 0;
    const changed: string[] = [];
    const vars = this.ws.model!.namedVariables;
    for (const [name, v] of vars) {
      const saved = state.tensors[`var:${name}`];
      if (saved && saved.shape.join() === v.shape.join()) matching++;
      else changed.push(saved ? `${name}: ${saved.shape.join('×')} → ${v.shape.join('×')}` : `${name}: new`);
    }
    for (const key of Object.keys(state.tensors))
      if (key.startsWith('var:') && !vars.has(key.slice(4))) changed.push(`${key.slice(4)}: removed`);
    return { matching, total: vars.size, changed };
  }

  /**
   * What keeps `ckpt` (a run from the history or a bundle) from fitting the freshly built model, in
   * the learner's terms, or null when it fits: every variable and layer state by name and shape, and
   * the size of the data its batch order walks.
   */
  misfit(ckpt: StoredCheckpoint): string | null {
    const model = this.ws.model!;
    const here = new Map([...model.namedVariables].map(([name, v]) => [`var:${name}`, v.shape]));
    const differs: string[] = [];
    const dims = (shape: readonly number[]) => shape.join('×') || 'scalar';
    for (const [key, shape] of here) {
      const saved = ckpt.state.tensors[key];
      if (!saved) differs.push(`${key.slice(4)} is here, not in the run`);
      else if (saved.shape.join() !== shape.join()) differs.push(`${key.slice(4)} ${dims(shape)} here, ${dims(saved.shape)} in the run`);
    }
    for (const key of Object.keys(ckpt.state.tensors))
      if (key.startsWith('var:') && !here.has(key)) differs.push(`${key.slice(4)} is in the run, not here`);
    const examples = this.ws.train?.count;
    if (examples !== undefined && ckpt.batcher.count !== examples)
      differs.push(`the run trained on ${ckpt.batcher.count} examples, this graph's data has ${examples}`);
    if (!differs.length) return null;
    const more = differs.length > 4 ? ` and ${differs.length - 4} more` : '';
    return `${differs.slice(0, 4).join('; ')}${more}`;
  }

  /** Keep the weights whose name and shape still match; the rest stay freshly initialised. */
  async applyMatching(ckpt: StoredCheckpoint) {
    const vars = this.ws.model!.namedVariables;
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
      await this.ws.model!.loadState(state);
    } catch {
      // Optimizer slots or state that no longer line up: keep the weights, start the rest afresh.
      for (const k of Object.keys(tensors)) if (!k.startsWith('var:')) delete tensors[k];
      this.ws.disposeModel();
      this.ws.buildModel(this.backends.reader);
      await this.ws.model!.loadState(state);
    }
  }
}
