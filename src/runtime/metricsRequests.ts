/**
 * The Metrics view's request: judge the model's samples against real data
 * (./sampleQuality.ts) with progress messages, at the step training stands at.
 *
 * Training pauses while it measures and resumes afterwards: measureSamples runs
 * its stages without yielding to the worker's queue, so rounds cannot be
 * interleaved with it, and a pause makes the result's step exact.
 *
 * The embedded classifier is loaded once per worker and reused; its weights are
 * tensors on one backend, so a backend switch or fallback loads it again there.
 */
import type { BackendManager } from './backends';
import type { Checkpoints } from './checkpoints';
import { BackendFailure } from './failures';
import { loadClassifier, type Classifier } from './classifier';
import type { FromWorker } from './protocol';
import { likelihoodReport } from './likelihoodReport';
import { classifierReads, measureSamples } from './sampleQuality';
import * as tf from './tf';
import type { Trainer } from './trainer';
import type { Workspace } from './workspace';

/** The most samples one measurement draws (each real reference set is as large). */
export const MAX_MEASURE_SAMPLES = 10_000;
/** The most posterior samples per example for the importance-sampled NLL. */
export const MAX_IMPORTANCE_SAMPLES = 1_000;

export class SampleMeasurer {
  private loaded: { backend: tf.KernelBackend; classifier: Promise<Classifier> } | null = null;

  constructor(
    private readonly ws: Workspace,
    private readonly backends: BackendManager,
    private readonly trainer: Trainer,
    private readonly checkpoints: Checkpoints,
    private readonly post: (msg: FromWorker) => void,
  ) {}

  async measure(id: number, n: number, importanceSamples = 0) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_MEASURE_SAMPLES)
      throw new Error(`measure with a whole number of samples from 1 to ${MAX_MEASURE_SAMPLES}, not ${n}`);
    if (!Number.isInteger(importanceSamples) || importanceSamples < 0 || importanceSamples > MAX_IMPORTANCE_SAMPLES)
      throw new Error(`measure with 0 to ${MAX_IMPORTANCE_SAMPLES} importance samples, not ${importanceSamples}`);
    const { model, plan } = this.ws.need();
    const t0 = performance.now();
    const reply = { type: 'measured', id, step: this.ws.step, modelKey: this.ws.docKey, backend: this.backends.name } as const;
    if (!plan.modes.generate) {
      const unavailable = 'this graph cannot generate (no Sampler or Noise feeds a data-shaped output), so it has no samples to judge';
      this.post({ ...reply, metrics: null, unavailable, ms: 0 });
      return;
    }
    const was = await this.trainer.stop();
    this.trainer.postState('measuring samples');
    try {
      const test = this.ws.test ?? this.ws.train!;
      const hasLikelihood = !!plan.modes.evaluate && plan.modes.evaluate.kind !== 'objective';
      if (hasLikelihood) this.post({ type: 'measureProgress', id, done: 0, of: 1, what: 'likelihood of the test examples' });
      // The same n real examples as the samples are judged against, at most the test split.
      const likelihood = hasLikelihood
        ? await this.backends.guard(() => likelihoodReport(model, { train: this.ws.train!, test }, { maxExamples: n, importanceSamples }))
        : undefined;
      const classifier = plan.data.kind === 'image' && classifierReads(plan.data.shape) ? await this.classifier() : undefined;
      // measureSamples draws at its own fixed stream position, so training's draws are the same as without it.
      const metrics = await this.backends.guard(() =>
        measureSamples({
          model,
          train: this.ws.train!,
          test,
          n,
          classifier,
          onProgress: (done, of, what) => this.post({ type: 'measureProgress', id, done, of, what }),
        }),
      );
      const ms = performance.now() - t0;
      if (likelihood) metrics.likelihood = likelihood;
      // Sample metrics that do not apply (data the classifier cannot read) leave the likelihood, which still does.
      const nothing = !!metrics.unavailable && !likelihood;
      this.post(nothing ? { ...reply, metrics: null, unavailable: metrics.unavailable, ms } : { ...reply, metrics, ms });
      if (!nothing) {
        // A later measurement at an earlier step means the weights were rewound: what came after is gone.
        this.ws.measurements = [...this.ws.measurements.filter((m) => m.step < reply.step), { step: reply.step, metrics }];
        // Stored with the weights it describes, so the history survives a reload even while training is paused.
        await this.checkpoints.save(true);
      }
    } catch (e) {
      // A broken backend is the session's to recover from (it falls back); anything else leaves training as it was.
      if (was && !(e instanceof BackendFailure)) this.trainer.start();
      throw e;
    }
    if (was && this.ws.model === model) this.trainer.start();
    else this.trainer.postState();
  }

  private classifier(): Promise<Classifier> {
    const backend = tf.engine().backend;
    if (this.loaded?.backend === backend) return this.loaded.classifier;
    void this.loaded?.classifier.then(
      (c) => {
        try {
          c.dispose();
        } catch {
          /* its backend is gone, and its tensors with it */
        }
      },
      () => undefined,
    );
    const classifier = this.backends.guard(() => loadClassifier());
    // A failed load is not kept: the next request tries again.
    void classifier.catch(() => {
      if (this.loaded?.classifier === classifier) this.loaded = null;
    });
    this.loaded = { backend, classifier };
    return classifier;
  }
}
