/**
 * The likelihood figures of a model on its test split, as `eval` prints them and the Metrics view shows
 * them: the negative ELBO (reconstruction NLL + KL, whatever their training weights), the exact NLL of an
 * autoregressive model, the importance-sampled NLL with K posterior samples, bits/dim, and the KL of each
 * latent dimension. Beside them, a reference: the best model that ignores every dependency between pixels.
 */
import { createBatcher, oneHotRows } from '../data/batcher';
import type { DataSet } from '../data/types';
import { exampleSize } from '../graph/shape';
import { importanceSampledNll, klPerDimension, NoLikelihood } from './likelihood';
import type { CompiledModel } from './model';
import type { ReadMode } from './reads';

export interface LikelihoodReport {
  kind: 'elbo' | 'nll' | 'objective';
  /** The negative ELBO (NLL term + KL term), the exact NLL, or the training objective, per example. */
  nats: number;
  /** Only for a likelihood (an ELBO bound or an NLL): a plain objective has no bits/dim. */
  bitsPerDim: number | null;
  examples: number;
  /** False when the "test" examples are the training examples (one IDX file or a PNG folder). */
  heldOut: boolean;
  /** What the optimizer minimised, with its weights; it differs from the ELBO when the KL weight is not 1. */
  objective: number;
  /** Why no likelihood is reported (kind 'objective'). */
  why: string | null;
  /** For kind 'nll': whether it is exact, and what it is the NLL of. */
  nll?: { exact: boolean; meaning: string };
  terms: Record<string, number>;
  /** Importance-sampled NLL (VAEs), when asked for and available. */
  importanceSampled?: { samples: number; nats: number; bitsPerDim: number };
  /** Why the importance-sampled NLL was not computed though it was asked for. */
  importanceUnavailable?: string;
  /** Mean KL(q(z_j|x) ‖ N(0, 1)) per latent dimension j, in nats, for a Gaussian posterior (posterior collapse). */
  klPerDim?: number[];
  /**
   * For a Bernoulli likelihood: the NLL of the same examples when every pixel is an independent Bernoulli
   * with its training-set mean. A model that learned anything about how pixels go together beats it.
   */
  independentPixels?: { nats: number; bitsPerDim: number };
}

function nllMeaning(plan: CompiledModel<ReadMode>['plan']): { exact: boolean; meaning: string } {
  if (!plan.flow) return { exact: true, meaning: 'the autoregressive model’s own −log p(x)' };
  if (!plan.flow.dequantized) return { exact: true, meaning: 'the flow’s −log p(x), exact by the change of variables' };
  return {
    exact: false,
    meaning:
      'the flow’s −log p of the dequantized data (uniform noise within each level): exact for that density, an upper bound on the discrete data’s NLL',
  };
}

export interface LikelihoodOptions {
  maxExamples: number;
  importanceSamples?: number;
}

/** Whether two data sets hold the same examples (a single file serves both splits). */
function sameExamples(a: DataSet, b: DataSet): boolean {
  if (a.count !== b.count || a.x.length !== b.x.length) return false;
  const n = Math.min(a.x.length, 100_000);
  for (let i = 0; i < n; i++) if (a.x[i] !== b.x[i]) return false;
  return true;
}

/** Per-pixel means of the training examples, clamped away from 0 and 1 so every log is finite. */
function pixelMeans(train: DataSet): Float64Array {
  const d = exampleSize(train.shape);
  const p = new Float64Array(d);
  for (let i = 0; i < train.count; i++) for (let j = 0; j < d; j++) p[j] += train.x[i * d + j];
  return p.map((v) => Math.min(Math.max(v / train.count, 1e-6), 1 - 1e-6));
}

/** Summed NLL of the examples in `x` under independent Bernoullis with means `p`. */
function independentNll(p: Float64Array, x: Float32Array): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const q = p[i % p.length];
    total -= x[i] * Math.log(q) + (1 - x[i]) * Math.log(1 - q);
  }
  return total;
}

/** Throws NoLikelihood for a graph with no single objective to evaluate (a GAN). */
export async function likelihoodReport(
  model: CompiledModel<ReadMode>,
  data: { train: DataSet; test: DataSet },
  o: LikelihoodOptions,
): Promise<LikelihoodReport> {
  const { plan } = model;
  const ev = plan.modes.evaluate;
  if (!ev) throw new NoLikelihood('this graph has no single likelihood to evaluate (a GAN is judged by its samples only)');
  const test = data.test;
  const heldOut = !sameExamples(test, data.train);
  const batchSize = Math.min(100, test.count);
  const batches = Math.max(1, Math.floor(Math.min(test.count, o.maxExamples) / batchSize));
  const batcher = createBatcher(test, batchSize, 0);
  const sums: Record<string, number> = {};
  const gaussianPosterior = !!plan.posterior?.logVar;
  const iwAvailable = ev.kind === 'elbo' && gaussianPosterior && !!ev.bernoulli;
  const iw = iwAvailable && o.importanceSamples ? o.importanceSamples : 0;
  let iwNats = 0;
  // Bernoulli logits: the per-pixel baseline is a likelihood of the same kind, on the same examples.
  const bernoulli =
    ev.kind !== 'objective' && plan.data.kind === 'image' && (plan.modes.reconstruct ?? plan.modes.generate)?.transform === 'sigmoid';
  const means = bernoulli ? pixelMeans(data.train) : null;
  let independent = 0;
  for (let i = 0; i < batches; i++) {
    const batch = { ...batcher.next(), size: batchSize };
    if (means) independent += independentNll(means, batch.x) / (batches * batchSize);
    const losses = await model.evaluateLosses(batch);
    for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v / batches;
    if (iw) iwNats += (await importanceSampledNll(model, batch, iw)) / batches;
  }
  const perDim = (nats: number) => nats / (exampleSize(plan.data.shape) * Math.LN2);
  const term = (id: string | null) => (id ? sums[plan.lossNames[id]] : 0);
  const objective = sums[ev.optimizer];
  const nats = ev.kind === 'objective' ? objective : term(ev.nllTerm) + (ev.kind === 'elbo' ? term(ev.klTerm) : 0);
  // An exact NLL needs no importance sampling, so it is not "unavailable" there.
  const importanceUnavailable =
    o.importanceSamples && !iwAvailable && ev.kind !== 'nll'
      ? ev.kind !== 'elbo'
        ? 'it needs an ELBO'
        : 'it needs a Gaussian sampler (μ, log σ²) and a Bernoulli decoder given as logits'
      : undefined;
  const examples = batches * batchSize;
  const klPerDim = gaussianPosterior
    ? Array.from(
        await klPerDimension(
          model,
          test.x.subarray(0, examples * exampleSize(plan.data.shape)),
          examples,
          test.labels && test.numClasses > 0 ? oneHotRows(test.labels.subarray(0, examples), test.numClasses) : undefined,
        ),
      )
    : undefined;
  return {
    kind: ev.kind,
    nats,
    bitsPerDim: ev.kind === 'objective' ? null : perDim(nats),
    examples,
    heldOut,
    objective,
    why: ev.why,
    ...(ev.kind === 'nll' ? { nll: nllMeaning(plan) } : {}),
    // Optimizer totals are the objective, printed apart; listed by id here they would read as a loss named "adam".
    terms: Object.fromEntries(Object.entries(sums).filter(([k]) => !plan.optimizers.some((opt) => opt.id === k))),
    ...(iw ? { importanceSampled: { samples: iw, nats: iwNats, bitsPerDim: perDim(iwNats) } } : {}),
    ...(importanceUnavailable ? { importanceUnavailable } : {}),
    ...(klPerDim ? { klPerDim } : {}),
    ...(means ? { independentPixels: { nats: independent, bitsPerDim: perDim(independent) } } : {}),
  };
}
