/**
 * Per-example log-likelihoods are the batch figures `eval` reports, one example
 * at a time: with the same random draws they average to evaluateLosses (ELBO)
 * and importanceSampledNll, an autoregressive model's are exact per example,
 * and a graph without a likelihood is refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import { createBatcher } from '../../src/data/batcher';
import type { DataSet } from '../../src/data/types';
import { setupBackend } from '../../src/runtime/backend';
import { importanceSampledNll, klPerDimension, LIKELIHOOD_COUNTER, logLikelihoods, NoLikelihood } from '../../src/runtime/likelihood';
import { CompiledModel } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import * as tf from '../../src/runtime/tf';
import { preset } from '../compiler/helpers';

function planOf(name: string, batch = 32): Plan {
  const d = preset(name);
  d.nodes.find((n) => n.type === 'dataset')!.params.batchSize = batch;
  const r = compile(d, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
const closeRel = (a: number, b: number, rel = 1e-3) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b));

let data: DataSet;
let vae: CompiledModel;
beforeAll(async () => {
  await setupBackend('wasm');
  const plan = planOf('vae.json');
  data = await loadPlanData(plan);
  vae = new CompiledModel(plan);
  const batcher = createBatcher(data, 32, 3);
  for (let i = 0; i < 30; i++) vae.trainRound(() => ({ ...batcher.next(), size: 32 }));
});

/** 200 examples: two passes of 100, each with the likelihood's fixed draws. */
const N = 200;
const halves = () => [0, 100].map((start) => ({ x: data.x.slice(start * 784, (start + 100) * 784), size: 100 }));

describe('logLikelihoods', () => {
  it('a VAE with K = 0: per-example −ELBO averages to evaluateLosses’ NLL + KL', async () => {
    const r = await logLikelihoods(vae, data.x.subarray(0, N * 784), N, { importanceSamples: 0 });
    expect(r.kind).toBe('neg-elbo');
    expect(r.nats.length).toBe(N);
    const batch = mean(halves().map((b) => vae.withFixedRandom(LIKELIHOOD_COUNTER, () => vae.evaluateLosses(b)).adam));
    closeRel(-mean(r.nats), batch);
  });

  it('a VAE with K = 5: per-example values average to importanceSampledNll, and beat the ELBO', async () => {
    const before = tf.memory().numTensors;
    const r = await logLikelihoods(vae, data.x.subarray(0, N * 784), N, { importanceSamples: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.kind).toBe('is-nll');
    expect(r.note).toContain('K = 5');
    const batch = mean(halves().map((b) => vae.withFixedRandom(LIKELIHOOD_COUNTER, () => importanceSampledNll(vae, b, 5))));
    closeRel(-mean(r.nats), batch);
    const elbo = await logLikelihoods(vae, data.x.subarray(0, N * 784), N, { importanceSamples: 0 });
    expect(mean(r.nats)).toBeGreaterThan(mean(elbo.nats));
    // Fixed draws: the same inputs score the same again.
    expect((await logLikelihoods(vae, data.x.subarray(0, N * 784), N, { importanceSamples: 5 })).nats).toEqual(r.nats);
  });

  it('per-dimension KL sums to the KL term', async () => {
    const perDim = await klPerDimension(vae, data.x.subarray(0, N * 784), N);
    expect(perDim.length).toBe(20);
    for (const kl of perDim) expect(kl).toBeGreaterThanOrEqual(0);
    const term = mean(halves().map((b) => vae.evaluateLosses(b)['KL to prior']));
    closeRel(mean(perDim) * 20, term);
  });

  it('a PixelCNN: each example’s exact log-likelihood, of the thresholded image its Dataset would binarize', async () => {
    const model = new CompiledModel(planOf('pixelcnn.json', 3));
    const grey = data.x.slice(0, 3 * 784);
    const r = await logLikelihoods(model, grey, 3);
    expect(r.kind).toBe('exact');
    expect(r.note).toContain('thresholded at 0.5');
    const binary = grey.map((v) => (v >= 0.5 ? 1 : 0));
    for (let i = 0; i < 3; i++) {
      const one = model.evaluateLosses({ x: binary.slice(i * 784, (i + 1) * 784), size: 1 });
      closeRel(-r.nats[i], one.adam, 1e-5);
    }
    expect((await logLikelihoods(model, binary, 3)).nats).toEqual(r.nats);
    model.dispose();
  });

  it('a CVAE: log p(x) sums p(x | c) over the classes, so it is at least the true class’s ELBO − ln 10; noise scores lower', async () => {
    const plan = planOf('cvae.json');
    const cvae = new CompiledModel(plan);
    const batcher = createBatcher(data, 32, 3);
    for (let i = 0; i < 30; i++) cvae.trainRound(() => ({ ...batcher.next(), size: 32 }));
    const n = 20;
    const x = data.x.subarray(0, n * 784);
    const r = await logLikelihoods(cvae, x, n, { importanceSamples: 0 });
    expect(r.kind).toBe('neg-elbo');
    expect(r.note).toMatch(/over the 10 classes/);
    // The true class's ELBO, through the model's own per-example losses with the data's labels.
    const oneHot = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) oneHot[i * 10 + data.labels![i]] = 1;
    const ev = plan.modes.evaluate!;
    const [nll, kl] = cvae.withFixedRandom(LIKELIHOOD_COUNTER, () =>
      cvae.lossesPerExample({ x, oneHot, size: n }, [ev.nllTerm!, ev.klTerm!]),
    );
    for (let i = 0; i < n; i++) expect(r.nats[i]).toBeGreaterThanOrEqual(-(nll[i] + kl[i]) - Math.log(10) - 1e-3);
    // Its encoder reads the class too: the per-dimension KL takes the labels and sums to the batch's KL.
    const perDim = await klPerDimension(cvae, x, n, oneHot);
    expect(perDim).toHaveLength(plan.modes.encode!.latentSize);
    closeRel(
      Array.from(perDim).reduce((a, b) => a + b, 0),
      mean(kl),
      1e-2,
    );
    const noise = Float32Array.from({ length: n * 784 }, (_, i) => ((Math.sin(i * 12.9898) * 43758.5453) % 1 > 0.5 ? 1 : 0));
    expect(mean((await logLikelihoods(cvae, noise, n, { importanceSamples: 0 })).nats)).toBeLessThan(mean(r.nats));
    cvae.dispose();
  });

  it('refuses a GAN and a plain autoencoder with NoLikelihood', async () => {
    for (const name of ['gan.json', 'ae.json']) {
      const model = new CompiledModel(planOf(name));
      const x = data.x.subarray(0, 2 * 784);
      await expect(logLikelihoods(model, x, 2)).rejects.toThrow(NoLikelihood);
      await expect(klPerDimension(model, x, 2)).rejects.toThrow(NoLikelihood);
      model.dispose();
    }
  });
});
