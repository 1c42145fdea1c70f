/**
 * Everything that (re)builds the model: loading a document (keeping, asking
 * about or discarding the trained weights when it changed), switching backend,
 * reset and restoring the last checkpoint. Each first stops the run loop.
 */
import type { GraphError } from '../compiler/errors';
import type { Plan } from '../compiler/plan';
import type { GraphDocument } from '../graph/document';
import { registry } from '../../nodes/index';
import type { BackendManager } from './backends';
import { nonFinite, type Checkpoints, type StoredCheckpoint } from './checkpoints';
import type { LossLog } from './metrics';
import { compileWithData, type GraphData } from './planData';
import type { BackendChoice, FromWorker, OnDocChange } from './protocol';
import type { Trainer } from './trainer';
import type { Workspace } from './workspace';

/** The model a new document replaces, kept until the new one is known to be wanted. */
interface Previous {
  plan: Plan;
  state: StoredCheckpoint;
  doc: GraphDocument;
  key: string;
  data: GraphData | null;
}

export class ModelLifecycle {
  constructor(
    private readonly ws: Workspace,
    private readonly backends: BackendManager,
    private readonly checkpoints: Checkpoints,
    private readonly log: LossLog,
    private readonly trainer: Trainer,
    private readonly post: (msg: FromWorker) => void,
  ) {}

  /** `uploaded`: a run's checkpoint (the history, a bundle) to continue from instead of anything stored. */
  async load(doc: GraphDocument, onChange: OnDocChange, resume: boolean, uploaded?: StoredCheckpoint) {
    const { ws, checkpoints } = this;
    const { result, data } = await compileWithData(doc, registry, ws.data);
    if (!result.plan || !data) {
      await this.trainer.stop();
      const errors = result.errors.filter((e) => e.severity === 'error');
      ws.loadProblem = `it has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}: ${describe(errors[0] ?? result.errors[0])}`;
      this.post({ type: 'compileErrors', errors: result.errors });
      this.trainer.postState();
      return;
    }
    const plan = result.plan;
    const key = plan.modelKey;
    if (ws.model && ws.plan && key === ws.docKey && data === ws.data && !resume && !uploaded) {
      // Only positions, labels or notes changed: nothing to rebuild.
      ws.doc = doc;
      ws.loadProblem = null;
      const storedCheckpoint = (await checkpoints.stored().catch(() => undefined))?.info ?? null;
      this.post({
        type: 'loaded',
        info: ws.info(),
        step: ws.step,
        storedCheckpoint,
        resumed: false,
        warnings: result.errors,
        measurements: ws.measurements,
      });
      return;
    }
    const was = await this.trainer.stop();
    if (!this.backends.name) await this.backends.select();

    // Continuing an uploaded run replaces the model outright: there is nothing to ask about keeping.
    const old: Previous | null =
      ws.model && ws.plan && !uploaded
        ? { plan: ws.plan, state: await checkpoints.snapshot(), doc: ws.doc!, key: ws.docKey, data: ws.data }
        : null;
    ws.disposeModel();
    ws.plan = plan;
    ws.data = data;
    ws.buildModel(this.backends.reader);

    let keptFrom: StoredCheckpoint | null = null;
    if (old) {
      const { matching, total, changed } = checkpoints.compare(old.state.state);
      const identical =
        changed.length === 0 &&
        matching === total &&
        total === Object.keys(old.state.state.tensors).filter((k) => k.startsWith('var:')).length;
      if (!identical && onChange === 'ask' && old.state.state.step > 0) {
        // Put the old model back and let the user choose (the new document itself loaded fine).
        ws.loadProblem = null;
        ws.disposeModel();
        await this.rollback(old);
        this.post({ type: 'docChanged', matching, total, changed });
        if (was) this.trainer.start();
        return;
      }
      if (identical || onChange === 'keep') keptFrom = old.state;
    }
    ws.doc = doc;
    ws.docKey = key;
    ws.loadProblem = null;
    ws.learningRates = {};
    ws.batchSize = plan.data.batchSize;
    ws.restartBatches();
    ws.diverged = false;
    // Kept weights under a changed graph are another model: its predecessor's measurements do not describe it.
    ws.measurements = [];
    checkpoints.forget();
    const keptCurve = this.log.curve();
    this.log.replace();

    let resumed = false;
    let stored = await checkpoints.stored(key).catch(() => undefined);
    if (uploaded) {
      resumed = await this.continueFrom(uploaded);
      if (resumed) stored = (await checkpoints.stored(key).catch(() => undefined)) ?? stored;
    } else if (resume && stored) {
      await checkpoints.apply(stored);
      checkpoints.lastGood = stored;
      resumed = true;
    } else if (keptFrom) {
      await checkpoints.applyMatching(keptFrom);
      this.log.continueCurve(keptCurve);
      // The kept weights under the new settings (a document lr or batch edit) are the point a fallback or restore returns to.
      if (ws.step > 0) await checkpoints.save(true);
    }
    this.post({
      type: 'loaded',
      info: ws.info(),
      step: ws.step,
      storedCheckpoint: stored?.info ?? null,
      resumed,
      warnings: result.errors,
      measurements: ws.measurements,
    });
    this.log.send(true);
    if (was && (keptFrom || resumed)) this.trainer.start();
    else this.trainer.postState();
  }

  /**
   * Applies a run's checkpoint to the freshly built model and keeps it as this document's stored
   * checkpoint, so a reload continues from it. One that does not fit the graph is refused by what
   * differs, and the fresh model stays.
   */
  private async continueFrom(ckpt: StoredCheckpoint): Promise<boolean> {
    const { ws, checkpoints } = this;
    const refuse = (why: string) => {
      this.post({ type: 'error', message: `the run's checkpoint does not fit this graph: ${why}`, where: 'load' });
      return false;
    };
    const misfit = checkpoints.misfit(ckpt);
    if (misfit) return refuse(misfit);
    if (nonFinite(ckpt.state) > 0) return refuse('it holds NaN or infinite values (the run had diverged)');
    const own = { ...ckpt, docKey: ws.docKey };
    try {
      await this.backends.guard(() => checkpoints.apply(own));
    } catch (e) {
      // Layer state or a batch order that does not line up: back to the fresh model this document builds.
      await this.backends.guard(() => {
        ws.disposeModel();
        ws.buildModel(this.backends.reader);
      });
      ws.learningRates = {};
      ws.batchSize = ws.plan!.data.batchSize;
      ws.restartBatches();
      ws.measurements = [];
      checkpoints.forget();
      this.log.replace();
      return refuse(e instanceof Error ? e.message : String(e));
    }
    checkpoints.lastGood = own;
    await checkpoints.save(true);
    return true;
  }

  /** The model as it is now, for the run history or a bundle; null, with why, when there is none worth keeping. */
  async exportCheckpoint(id: number) {
    const { ws } = this;
    const unavailable = !ws.model
      ? 'no model is loaded yet'
      : ws.loadProblem
        ? `the latest graph did not load (${ws.loadProblem}); the model is the previous graph's`
        : ws.diverged
          ? 'training has diverged: restore the last checkpoint or reset first'
          : null;
    if (unavailable) {
      this.post({ type: 'checkpointData', id, checkpoint: null, unavailable });
      return;
    }
    // A snapshot reads every tensor: no round may run in between (the GPU reads are asynchronous).
    const was = await this.trainer.stop();
    try {
      const checkpoint = await this.checkpoints.snapshot();
      if (nonFinite(checkpoint.state) > 0)
        this.post({
          type: 'checkpointData',
          id,
          checkpoint: null,
          unavailable: 'the weights hold NaN or infinite values: restore or reset',
        });
      else this.post({ type: 'checkpointData', id, checkpoint });
    } finally {
      if (was) this.trainer.start();
    }
  }

  private async rollback(old: Previous) {
    this.ws.plan = old.plan;
    this.ws.doc = old.doc;
    this.ws.docKey = old.key;
    this.ws.data = old.data;
    this.ws.buildModel(this.backends.reader);
    await this.checkpoints.apply(old.state);
  }

  async switchBackend(choice: BackendChoice) {
    const { ws } = this;
    this.backends.choose(choice);
    const was = await this.trainer.stop();
    const snapshot = ws.model && !ws.diverged ? await this.checkpoints.snapshot() : this.checkpoints.lastGood;
    ws.disposeModel();
    await this.backends.select(choice);
    if (ws.plan) {
      ws.buildModel(this.backends.reader);
      if (snapshot) await this.checkpoints.apply(snapshot);
      this.log.send(true);
      this.trainer.postState();
    }
    if (was) this.trainer.start();
  }

  /** Re-initialise weights and optimizer state; forget the checkpoints and every learning-rate and batch-size override. */
  async reset() {
    const { ws } = this;
    await this.trainer.stop();
    if (!ws.plan) return;
    ws.learningRates = {};
    ws.batchSize = ws.plan.data.batchSize;
    await this.backends.guard(() => {
      ws.disposeModel();
      ws.buildModel(this.backends.reader);
    });
    ws.restartBatches();
    ws.diverged = false;
    ws.measurements = [];
    this.checkpoints.forget();
    this.log.replace();
    await this.checkpoints.deleteStored();
    this.log.send(true);
    this.trainer.postState();
  }

  /**
   * Back to the last good checkpoint, on a fresh model. After a divergence the learning rates go back
   * to the document's: an override in the checkpoint is most likely the one that diverged.
   */
  async restore() {
    const { ws, checkpoints } = this;
    await this.trainer.stop();
    const stored = checkpoints.lastGood ? undefined : await checkpoints.stored();
    const ckpt = checkpoints.lastGood ?? (stored && nonFinite(stored.state) === 0 ? stored : null);
    if (!ckpt || !ws.plan)
      throw new Error(
        stored ? 'the stored checkpoint holds NaN or infinite values: reset instead' : 'there is no checkpoint to restore yet',
      );
    const plan = ws.plan;
    const isOptimizer = (id: string) => plan.optimizers.some((o) => o.id === id);
    // After a divergence: every override, the one in effect and the checkpoint's, is suspect.
    const dropped = ws.diverged
      ? [...new Set([...Object.keys(ws.learningRates), ...Object.keys(ckpt.learningRates)])].filter(isOptimizer)
      : [];
    // A fresh model rather than assigning into the old one: optimizer slots are replaced cleanly.
    await this.backends.guard(async () => {
      ws.disposeModel();
      ws.buildModel(this.backends.reader);
      await checkpoints.apply(ckpt);
    });
    checkpoints.lastGood = ckpt;
    if (dropped.length) {
      ws.learningRates = {};
      for (const opt of plan.optimizers) ws.model!.setLearningRate(opt.id, opt.learningRate);
    }
    const learningRates = Object.fromEntries(plan.optimizers.map((o) => [o.id, ws.learningRates[o.id] ?? o.learningRate]));
    const note = `training had diverged: learning rates are back to the document's (${dropped.map((id) => `${id}: ${learningRates[id]}`).join(', ')})`;
    this.post({ type: 'restored', step: ws.step, learningRates, measurements: ws.measurements, ...(dropped.length ? { note } : {}) });
    this.log.send(true);
    this.trainer.postState();
  }
}

/** One compile error in a sentence, with the node it is on. */
function describe(e: GraphError | undefined): string {
  if (!e) return 'it did not compile';
  return e.nodeId ? `${e.nodeId}: ${e.message}` : e.message;
}
