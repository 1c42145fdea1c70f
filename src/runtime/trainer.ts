/**
 * The run loop: it runs training rounds for a short slice, then yields to the
 * message queue, so pause is handled within one slice. It stops at divergence,
 * checkpoints as it goes, and when the backend breaks it moves to the next one
 * and resumes from the last checkpoint.
 */
import type { BackendManager } from './backends';
import type { Checkpoints } from './checkpoints';
import { BackendFailure } from './failures';
import type { LossLog } from './metrics';
import { GradientNorms } from './gradientNorms';
import { TrainingDiverged, type CompiledModel } from './model';
import { MAX_ROUND_DELAY_MS, type BackendName, type FromWorker } from './protocol';
import type { ReadMode } from './reads';
import type { Workspace } from './workspace';

/** What went wrong in a round, having already reported divergence or graph errors. */
type StepOutcome = null | { kind: 'backend'; reason: string } | { kind: 'other' };

export class Trainer {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** Slow motion: ms the loop waits after each round (0: full speed, rounds batched into slices). */
  private roundDelayMs = 0;
  /** Each model's gradient norms (./gradientNorms.ts); they hold no tensors, so a dropped model's go with it. */
  private readonly gradientNorms = new WeakMap<CompiledModel<ReadMode>, GradientNorms>();

  constructor(
    private readonly ws: Workspace,
    private readonly backends: BackendManager,
    private readonly checkpoints: Checkpoints,
    private readonly log: LossLog,
    private readonly o: {
      post(msg: FromWorker): void;
      yieldToQueue(): Promise<void>;
      /** How long the loop runs rounds before yielding. */
      sliceMs: number;
    },
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** Resolves when the run loop has stopped. */
  idle(): Promise<void> {
    return this.loopDone;
  }

  /** Stop after the current round, without waiting (a pause must not queue behind a long request). */
  halt() {
    this.running = false;
  }

  setRoundDelay(ms: number) {
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_ROUND_DELAY_MS)
      throw new Error(`a round delay of ${ms} ms must be 0 to ${MAX_ROUND_DELAY_MS} ms`);
    this.roundDelayMs = ms;
  }

  postState(busy?: string) {
    this.o.post({ type: 'state', running: this.running, step: this.ws.step, ...(busy ? { busy } : {}) });
  }

  play() {
    if (this.ws.loadProblem) throw new Error(`cannot play: the latest graph did not load (${this.ws.loadProblem}); fix it first`);
    if (!this.ws.model) throw new Error('load a graph before pressing play');
    if (this.running) return;
    if (this.ws.diverged) throw new Error('training diverged: restore the last checkpoint or reset before playing');
    this.start();
  }

  start() {
    if (!this.ws.model) return;
    this.running = true;
    this.log.startTiming(this.ws.step);
    this.postState();
    this.loopDone = this.loop();
  }

  /** Stops the loop and waits for it; returns whether it was running. */
  async stop(): Promise<boolean> {
    const was = this.running;
    this.running = false;
    await this.loopDone;
    return was;
  }

  async pause() {
    await this.stop();
    this.log.send(true);
    if (this.ws.model && !this.ws.diverged && !this.checkpoints.current) await this.checkpoints.save(true);
    this.postState();
  }

  async stepOnce(only: string | undefined, count: number) {
    if (this.ws.loadProblem) throw new Error(`cannot step: the latest graph did not load (${this.ws.loadProblem}); fix it first`);
    if (!this.ws.model) throw new Error('load a graph before stepping');
    await this.stop();
    if (this.ws.diverged) throw new Error('training diverged: restore the last checkpoint or reset first');
    if (only && !this.ws.plan!.optimizers.some((o) => o.id === only)) throw new Error(`no optimizer "${only}" in this graph`);
    for (let i = 0; i < count; i++) {
      const err = await this.tryStep(only);
      if (err?.kind === 'backend') {
        await this.recover(err.reason);
        return;
      }
      if (err) break;
    }
    this.log.send(true);
    // Single steps are deliberate: keep them across a reload too.
    if (!this.ws.diverged) await this.checkpoints.save(true);
    this.postState();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const end = performance.now() + this.o.sliceMs;
      let failure: string | null = null;
      do {
        const err = await this.tryStep(undefined);
        if (err?.kind === 'backend') {
          failure = err.reason;
          break;
        }
        if (err) break;
        // Slow motion: one round per slice, so each is reported and drawn before the next.
      } while (this.running && !this.roundDelayMs && performance.now() < end);
      if (failure) {
        await this.recover(failure);
        continue;
      }
      this.log.send(false);
      if (this.running && this.checkpoints.due()) {
        try {
          await this.checkpoints.save(true);
        } catch (e) {
          // Reading the weights back is where a lost GPU device often shows first.
          if (!(e instanceof BackendFailure)) throw e;
          await this.recover(e.message);
          continue;
        }
      }
      if (this.running) await this.o.yieldToQueue();
      if (this.running && this.roundDelayMs) await new Promise((r) => setTimeout(r, this.roundDelayMs));
    }
  }

  private gradientsOf(model: CompiledModel<ReadMode>): GradientNorms {
    let norms = this.gradientNorms.get(model);
    if (!norms) this.gradientNorms.set(model, (norms = new GradientNorms(model.plan, model.namedVariables)));
    return norms;
  }

  /** One training round. */
  private async tryStep(only: string | undefined): Promise<StepOutcome> {
    const model = this.ws.model!;
    const t0 = performance.now();
    try {
      // Single steps are each worth a look; a running loop samples the gradient norms at their own pace.
      const gradients = this.gradientsOf(model).due(!this.running) ? this.gradientsOf(model) : undefined;
      const { step, losses } = await this.backends.guard(() => model.trainRound(() => this.ws.nextBatch(), only, gradients));
      // A reset, reload or fallback may have replaced the model while the round was in flight.
      if (this.ws.model !== model) return { kind: 'other' };
      this.log.record({ step, losses }, performance.now() - t0);
      if (gradients) this.o.post({ type: 'gradients', layers: gradients.layers, ...gradients.sample(step) });
    } catch (e) {
      if (e instanceof TrainingDiverged) {
        this.ws.diverged = true;
        this.running = false;
        this.log.send(true);
        await this.checkpoints.diverged(e.step);
        this.o.post({ type: 'diverged', step: e.step, term: e.term, value: e.value, checkpoint: this.checkpoints.lastGood?.info ?? null });
        this.postState();
        return { kind: 'other' };
      }
      if (e instanceof BackendFailure) return { kind: 'backend', reason: e.message };
      this.running = false;
      this.reportError(e, 'step');
      this.postState();
      return { kind: 'other' };
    }
    return null;
  }

  /**
   * The backend broke: move to the next backend, rebuild, restore the last good
   * checkpoint and say what happened. The caller decides whether to carry on
   * (the loop does, unless a pause arrived meanwhile). Never steps the broken backend again.
   */
  async recover(reason: string) {
    this.ws.disposeModel();
    let moved: { from: BackendName; to: BackendName };
    try {
      moved = await this.backends.failover();
    } catch (e) {
      this.running = false;
      this.reportError(e, 'fallback');
      this.postState();
      return;
    }
    this.ws.buildModel(this.backends.reader);
    const ckpt = this.checkpoints.lastGood;
    if (ckpt) await this.checkpoints.apply(ckpt);
    else {
      this.ws.restartBatches();
      this.log.replace();
    }
    this.o.post({ type: 'fallback', from: moved.from, to: moved.to, reason, resumedFromStep: this.ws.step });
    this.log.startTiming(this.ws.step);
    this.log.send(true);
    this.postState();
  }

  private reportError(e: unknown, where: string) {
    this.o.post({ type: 'error', message: e instanceof Error ? e.message : String(e), where });
  }
}
