/**
 * The loss curve and the metrics messages: every point of the run (thinned,
 * stored with checkpoints so a reload redraws it), the points not yet sent,
 * and the pacing of sends (at most one per interval) with steps/s and ms/step.
 */
import * as tf from './tf';
import type { FromWorker, LossPoint } from './protocol';

const HISTORY_MAX = 4000;

/** Every other point until at most HISTORY_MAX are left: the same thinning a long run's curve gets as it grows. */
function thinned(points: LossPoint[]): LossPoint[] {
  let out = points;
  while (out.length > HISTORY_MAX) out = out.filter((_, i) => i % 2 === 1);
  return out;
}

export class LossLog {
  private pending: LossPoint[] = [];
  /** Every loss point of this run, thinned to at most HISTORY_MAX; stored with checkpoints. */
  private history: LossPoint[] = [];
  private lastTime = 0;
  private lastStep = 0;
  private stepsPerSec = 0;
  private msPerStep = 0;

  constructor(
    private readonly o: {
      post(msg: FromWorker): void;
      intervalMs: number;
      /** The model's step and whether the loop is running, when a message goes out. */
      status(): { step: number; running: boolean };
    },
  ) {}

  /** One finished round and how long it took. */
  record(point: LossPoint, ms: number) {
    this.pending.push(point);
    this.history.push(point);
    this.history = thinned(this.history);
    this.msPerStep = this.msPerStep ? this.msPerStep * 0.9 + ms * 0.1 : ms;
  }

  /** The curve so far, for a checkpoint. */
  curve(): LossPoint[] {
    return this.history.slice();
  }

  /**
   * Start a new curve: `history` (a kept or restored curve) is sent again in full, so the page redraws it;
   * a bundle from a long CLI run brings every logged step, so it is thinned first.
   */
  replace(history: LossPoint[] = []) {
    this.history = thinned(history);
    this.pending = this.history.slice();
  }

  /** Forget unsent points and start a new curve, keeping the current one (the page already has it). */
  continueCurve(history: LossPoint[]) {
    this.history = history;
    this.pending = [];
  }

  /** Measure the rate from `step` on, now (the loop starts, or resumes after a fallback). */
  startTiming(step: number) {
    this.lastTime = performance.now();
    this.lastStep = step;
  }

  /** Posts the pending points, unless one went out less than the interval ago (`force` sends anyway). */
  send(force: boolean) {
    const now = performance.now();
    const dt = now - this.lastTime;
    if (!force && dt < this.o.intervalMs) return;
    const { step, running } = this.o.status();
    if (dt > 0 && running) {
      const rate = ((step - this.lastStep) * 1000) / dt;
      this.stepsPerSec = this.stepsPerSec ? this.stepsPerSec * 0.7 + rate * 0.3 : rate;
    }
    this.lastTime = now;
    this.lastStep = step;
    const mem = tf.memory();
    this.o.post({
      type: 'metrics',
      points: this.pending,
      step,
      stepsPerSec: running ? this.stepsPerSec : 0,
      numTensors: mem.numTensors,
      numBytes: mem.numBytes,
      msPerStep: this.msPerStep,
    });
    this.pending = [];
  }
}
