/**
 * The OOD view's requests: score images by the model's log p(x) and place them
 * among the test set's (./likelihood.ts). The test set's log-likelihoods are
 * computed once per model and step and kept, so scoring a drawing costs only
 * its own passes; the page ranks it against the sorted values it is sent.
 *
 * Training pauses while it scores, as for sample measurements: the weights
 * then stay those the test set was scored with.
 */
import { strangeInputs } from '../data/strangeInputs';
import type { BackendManager } from './backends';
import { BackendFailure } from './failures';
import { logLikelihoods, NoLikelihood } from './likelihood';
import type { FromWorker, OodScores, OodTest } from './protocol';
import type { Trainer } from './trainer';
import type { SessionModel, Workspace } from './workspace';

/** Test examples the images are ranked against. */
export const OOD_TEST_EXAMPLES = 500;
/** Posterior samples per estimate: fewer than the CLI's 50, so the first score in the page takes seconds, not minutes. */
const IMPORTANCE_SAMPLES = 16;
/** Fixed, so the built-in strange images are the same every time (the CLI's seed). */
const STRANGE_SEED = 2019;
const SIDE = 28;
const SHAPE = `${SIDE}×${SIDE}×1`;

type Scored = Omit<OodScores, 'id' | 'modelKey'>;

export class OodScorer {
  private cached: { model: SessionModel; key: string; test: OodTest } | null = null;

  constructor(
    private readonly ws: Workspace,
    private readonly backends: BackendManager,
    private readonly trainer: Trainer,
    private readonly post: (msg: FromWorker) => void,
  ) {}

  async scoreImages(id: number, images: Float32Array, n: number) {
    const reply = this.reply(id);
    const size = SIDE * SIDE;
    if (!Number.isInteger(n) || n < 1 || images.length !== n * size)
      throw new Error(`scoreImages: expected ${n} images of ${size} values, got ${images.length} values`);
    const got = await this.score(() => Array.from({ length: n }, (_, i) => images.subarray(i * size, (i + 1) * size)));
    this.post({ type: 'scored', ...reply, ...got });
  }

  /** One image of each built-in strange set, scored. */
  async scoreStrange(id: number) {
    const reply = this.reply(id);
    let sets: ReturnType<typeof strangeInputs> = [];
    const got = await this.score(() => {
      sets = strangeInputs(this.ws.test ?? this.ws.train!, 1, STRANGE_SEED);
      return sets.map((s) => s.x);
    });
    const strange = got.unavailable ? [] : sets.map((s) => ({ name: s.name, description: s.description, image: s.x }));
    this.post({ type: 'strangeScored', ...reply, ...got, strange });
  }

  private reply(id: number) {
    return { id, modelKey: this.ws.docKey };
  }

  /**
   * The images' log-likelihoods beside the test set's (at the step training paused at), or why the model has none.
   * Each image is scored alone, so its posterior draws, and its number, do not depend on what it is scored with.
   */
  private async score(images: () => Float32Array[]): Promise<Scored> {
    const { model, plan } = this.ws.need();
    if (plan.data.shape.join('×') !== SHAPE)
      return {
        step: this.ws.step,
        logLikelihoods: [],
        test: null,
        unavailable: `the OOD view scores 28×28 grey images, but this graph models data of shape ${plan.data.shape.join('×')}`,
      };
    const was = await this.trainer.stop();
    this.trainer.postState('scoring log-likelihoods');
    let got: Scored;
    try {
      const test = await this.testScores(model);
      const own = [];
      for (const x of images())
        own.push(await this.backends.guard(() => logLikelihoods(model, x, 1, { importanceSamples: IMPORTANCE_SAMPLES })));
      got = { step: this.ws.step, logLikelihoods: own.map((o) => o.nats[0]), test, kind: own[0]?.kind, note: own[0]?.note };
    } catch (e) {
      if (!(e instanceof NoLikelihood)) {
        // A broken backend is the session's to recover from (it falls back); anything else leaves training as it was.
        if (was && !(e instanceof BackendFailure)) this.trainer.start();
        throw e;
      }
      got = {
        step: this.ws.step,
        logLikelihoods: [],
        test: null,
        unavailable: `${e.message}; the OOD check needs an explicit model (a VAE or PixelCNN)`,
      };
    }
    if (was && this.ws.model === model) this.trainer.start();
    else this.trainer.postState();
    return got;
  }

  private async testScores(model: SessionModel): Promise<OodTest> {
    const key = `${this.ws.docKey}@${this.ws.step}`;
    if (this.cached?.model === model && this.cached.key === key) return this.cached.test;
    const ds = this.ws.test ?? this.ws.train!;
    const n = Math.min(OOD_TEST_EXAMPLES, ds.count);
    const size = ds.x.length / ds.count;
    const { nats } = await this.backends.guard(() =>
      logLikelihoods(model, ds.x.subarray(0, n * size), n, { importanceSamples: IMPORTANCE_SAMPLES }),
    );
    const test = { n, sorted: Array.from(nats).sort((a, b) => a - b) };
    this.cached = { model, key, test };
    return test;
  }
}
