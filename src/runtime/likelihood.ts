/**
 * Per-example log-likelihoods of an explicit model (the OOD check) and the
 * per-dimension KL of a VAE's posterior (posterior collapse). The batch figures
 * of `eval` are means of these; here every example keeps its own number.
 */
import { bernoulliNllFromLogits } from '../../nodes/lib/bernoulli';
import { exampleSize } from '../graph/shape';
import type { Tensor } from '../graph/nodeApi';
import { flowLogDensity } from './flowRuntime';
import type { Batch, CompiledModel } from './model';
import type { Read, ReadMode } from './reads';
import * as tf from './tf';
import { oneHotRows } from '../data/batcher';

/**
 * The likelihood's random draws (posterior samples) start here, so the same
 * inputs score the same every time; apart from the preview (1.5e9) and the
 * sample-measuring (2e9) streams.
 */
export const LIKELIHOOD_COUNTER = 1_800_000_000;

/** At most this many examples per forward pass. */
const BATCH = 100;
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Importance-sampled negative log-likelihood (Burda et al. 2015) of a VAE with a
 * Bernoulli decoder: −log (1/K) Σₖ p(x|zₖ) p(zₖ) / q(zₖ|x), zₖ ~ q(z|x), in nats per
 * example, averaged over the batch. Tighter than the ELBO; it approaches the true NLL as K grows.
 */
export function importanceSampledNll<M extends ReadMode>(model: CompiledModel<M>, batch: Batch, samples: number): Read<M, number> {
  const q = model.plan.posterior;
  const p = model.plan.modes.evaluate?.bernoulli;
  if (!q?.logVar || !p) throw new Error('importance sampling needs a Gaussian sampler and a Bernoulli (logit) reconstruction loss');
  const refs = [p.logits, p.target, q.mean, q.logVar, q.z];
  return model.compute(
    (run) => {
      const logWeights: Tensor[] = [];
      for (let k = 0; k < samples; k++) {
        const value = run(refs, 'evaluate', batch);
        const [logits, x, mean, logVar, z] = refs.map((ref) => value(ref).reshape([batch.size, -1]));
        const logPx = tf.neg(bernoulliNllFromLogits(tf, logits, x)).sum(1);
        const logPz = z.square().add(LOG_2PI).mul(-0.5).sum(1);
        const logQz = z.sub(mean).square().div(tf.exp(logVar)).add(logVar).add(LOG_2PI).mul(-0.5).sum(1);
        logWeights.push(logPx.add(logPz).sub(logQz));
      }
      return [tf.logSumExp(tf.stack(logWeights, 1), 1).sub(Math.log(samples)).neg().mean()];
    },
    ([nll]) => nll[0],
  );
}

/** The graph defines no log-likelihood of its inputs (a GAN, a plain autoencoder). */
export class NoLikelihood extends Error {}

/** How log p(x) was found; 'dequantized' is a flow's density of noise-spread data, a lower bound for discrete data. */
export type LikelihoodKind = 'is-nll' | 'neg-elbo' | 'exact' | 'dequantized';

export interface LogLikelihoods {
  /** log p(x) per example, natural log: higher = more likely. */
  nats: Float32Array;
  kind: LikelihoodKind;
  /** What the numbers are, in a sentence (bound or exact, K, binarization). */
  note: string;
}

type Model = CompiledModel<ReadMode>;

/**
 * The inputs as the model sees its data: a Dataset that binarizes hands the
 * model 0/1 pixels, so others are thresholded at 0.5 (for 'stochastic' too —
 * a fixed, reproducible answer instead of one random draw).
 */
function asModelled(model: Model, x: Float32Array): { x: Float32Array; note: string } {
  const mode = model.plan.dataSpec.binarize;
  if (!mode || mode === 'none' || model.plan.data.kind !== 'image') return { x, note: '' };
  return {
    x: x.map((v) => (v >= 0.5 ? 1 : 0)),
    note: `; inputs thresholded at 0.5, as the Dataset binarizes ('${mode}')`,
  };
}

function* batches(x: Float32Array, n: number, size: number): Generator<Batch & { start: number }> {
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    yield { x: x.subarray(start * size, (start + count) * size), size: count, start };
  }
}

function checkInput(model: Model, x: Float32Array, n: number): number {
  const size = exampleSize(model.plan.data.shape);
  if (!Number.isInteger(n) || n < 1 || x.length !== n * size)
    throw new Error(`logLikelihoods: expected ${n} examples of ${size} values, got ${x.length} values`);
  return size;
}

/**
 * log p(x) per example: the importance-sampled estimate (K posterior samples,
 * Burda et al. 2015) for a VAE with a Gaussian posterior and a Bernoulli
 * decoder, the ELBO when K = 0 or importance sampling does not apply, and the
 * exact log-likelihood of an autoregressive model. A conditional model scores
 * log p(x) = log Σ_c p(x | c) / C, every class equally likely a priori. Throws
 * NoLikelihood for a graph without one.
 */
export async function logLikelihoods(
  model: Model,
  x: Float32Array,
  n: number,
  opts: { importanceSamples?: number } = {},
): Promise<LogLikelihoods> {
  const { plan } = model;
  const ev = plan.modes.evaluate;
  if (!ev) throw new NoLikelihood('this graph defines no likelihood (a GAN is judged by its samples only)');
  if (ev.kind === 'objective') throw new NoLikelihood(`this graph has no likelihood: ${ev.why}`);
  const size = checkInput(model, x, n);
  const seen = asModelled(model, x);
  const K = opts.importanceSamples ?? 50;
  if (!plan.modes.generate?.conditional) {
    const got = await given(model, seen.x, n, size, K);
    return { ...got, note: got.note + seen.note };
  }
  const C = plan.data.numClasses;
  if (!C) throw new NoLikelihood('this graph is conditional on a class, but its data has no classes to sum over');
  // log p(x) = logsumexp_c log p(x | c) − log C, accumulated class by class so only two rows are held.
  const total = new Float64Array(n).fill(-Infinity);
  let kind: LikelihoodKind = 'exact';
  let note = '';
  for (let c = 0; c < C; c++) {
    const got = await given(model, seen.x, n, size, K, (count) => oneHotRows(new Array<number>(count).fill(c), C));
    ({ kind, note } = got);
    for (let i = 0; i < n; i++) total[i] = logAddExp(total[i], got.nats[i]);
  }
  const nats = Float32Array.from(total, (v) => v - Math.log(C));
  const bound = kind === 'exact' ? 'exact' : 'a lower bound, as each term is';
  return {
    nats,
    kind,
    note: `log p(x) = log Σ_c p(x | c) / ${C} over the ${C} classes (${bound}); each p(x | c) is the ${note}${seen.note}`,
  };
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** log p(x) per example, or log p(x | c) when `labels` gives every example the class c. */
async function given(
  model: Model,
  x: Float32Array,
  n: number,
  size: number,
  K: number,
  labels?: (count: number) => Float32Array,
): Promise<LogLikelihoods> {
  const { plan } = model;
  const ev = plan.modes.evaluate!;
  const nats = new Float32Array(n);
  const withLabels = (b: Batch & { start: number }) => (labels ? { ...b, oneHot: labels(b.size) } : b);
  const q = plan.posterior;
  const canImportanceSample = ev.kind === 'elbo' && !!q?.logVar && !!ev.bernoulli;
  if (canImportanceSample && K > 0) {
    const p = ev.bernoulli!;
    const refs = [p.logits, p.target, q.mean, q.logVar!, q.z];
    for (const raw of batches(x, n, size)) {
      const batch = withLabels(raw);
      // Every draw is made before the first read, so the fixed counter covers them all.
      const reads = model.withFixedRandom(LIKELIHOOD_COUNTER, () => Array.from({ length: K }, () => model.probe(batch, refs, 'evaluate')));
      const logW: Float64Array[] = [];
      for (const read of reads)
        logW.push(
          logWeights(
            (await read).map((v) => v.data),
            batch.size,
          ),
        );
      for (let i = 0; i < batch.size; i++) {
        let max = -Infinity;
        for (const w of logW) max = Math.max(max, w[i]);
        let sum = 0;
        for (const w of logW) sum += Math.exp(w[i] - max);
        nats[batch.start + i] = max + Math.log(sum / K);
      }
    }
    return {
      nats,
      kind: 'is-nll',
      note: `importance-sampled log p(x) with K = ${K} posterior samples (a lower bound, tighter than the ELBO)`,
    };
  }
  if (plan.flow) {
    for (const raw of batches(x, n, size)) {
      const logP = await model.withFixedRandom(LIKELIHOOD_COUNTER, () => flowLogDensity(model, withLabels(raw)));
      nats.set(logP, raw.start);
    }
    return plan.flow.dequantized
      ? {
          nats,
          kind: 'dequantized',
          note: 'log p of the dequantized data under the flow (exact for that density; a lower bound on the discrete data’s log p(x))',
        }
      : { nats, kind: 'exact', note: 'exact log p(x) of the flow (change of variables)' };
  }
  const terms = [ev.nllTerm!, ...(ev.kind === 'elbo' ? [ev.klTerm!] : [])];
  for (const raw of batches(x, n, size)) {
    const batch = withLabels(raw);
    const perTerm = await model.withFixedRandom(LIKELIHOOD_COUNTER, () => model.lossesPerExample(batch, terms));
    for (let i = 0; i < batch.size; i++) nats[batch.start + i] = -perTerm.reduce((s, t) => s + t[i], 0);
  }
  if (ev.kind === 'nll') return { nats, kind: 'exact', note: 'exact log p(x) of the autoregressive model' };
  const why = K > 0 ? ' (importance sampling needs a Gaussian sampler and a Bernoulli decoder given as logits)' : '';
  return { nats, kind: 'neg-elbo', note: `the ELBO, a lower bound on log p(x), from one posterior sample${why}` };
}

/** log p(x|z) + log p(z) − log q(z|x) per example, from [logits, target, μ, log σ², z] read as flat rows. */
function logWeights([logits, target, mean, logVar, z]: Float32Array[], b: number): Float64Array {
  const out = new Float64Array(b);
  const d = logits.length / b;
  const l = mean.length / b;
  for (let i = 0; i < b; i++) {
    let s = 0;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const y = logits[j];
      s -= Math.max(y, 0) - y * target[j] + Math.log1p(Math.exp(-Math.abs(y)));
    }
    for (let j = i * l; j < (i + 1) * l; j++) {
      const dz = z[j] - mean[j];
      s += -0.5 * (z[j] * z[j] + LOG_2PI) + 0.5 * ((dz * dz) / Math.exp(logVar[j]) + logVar[j] + LOG_2PI);
    }
    out[i] = s;
  }
  return out;
}

/**
 * Mean over the examples of KL(q(z_j|x) ‖ N(0, 1)) for every latent dimension j,
 * in nats: a dimension near 0 carries no information about x (posterior collapse).
 * A conditional encoder also reads each example's class (`labels`, n × classes one-hot).
 */
export async function klPerDimension(model: Model, x: Float32Array, n: number, labels?: Float32Array): Promise<Float32Array> {
  const q = model.plan.posterior;
  if (!q?.logVar) throw new NoLikelihood('this graph has no Gaussian sampler (μ, log σ²), so no per-dimension KL');
  const size = checkInput(model, x, n);
  let sums: Float64Array | null = null;
  const C = model.plan.data.numClasses;
  for (const raw of batches(asModelled(model, x).x, n, size)) {
    const batch = labels ? { ...raw, oneHot: labels.subarray(raw.start * C, (raw.start + raw.size) * C) } : raw;
    const [mu, lv] = await model.probe(batch, [q.mean, q.logVar], 'encode');
    const dims = mu.data.length / batch.size;
    sums ??= new Float64Array(dims);
    for (let i = 0; i < batch.size; i++)
      for (let j = 0; j < dims; j++) {
        const m = mu.data[i * dims + j];
        const v = lv.data[i * dims + j];
        sums[j] += 0.5 * (m * m + Math.exp(v) - v - 1);
      }
  }
  return Float32Array.from(sums!, (s) => s / n);
}
