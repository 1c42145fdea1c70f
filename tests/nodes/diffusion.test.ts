/**
 * Diffusion, checked against closed forms on the cpu backend: the schedules
 * against their papers' formulas, forward noising's q(x_t | x₀) by Monte
 * Carlo, the sinusoidal embedding against its formula, the U-Net's expansion
 * on 28×28×1, the sampler's DDPM and DDIM steps against each other and
 * against the probability-flow ODE of Gaussian data (whose exact ε̂ is known),
 * and the compiler's diffusion facts and the miswirings it names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { alphaBars, cosineBetas, linearBetas } from '../../nodes/lib/diffusion';
import { embeddingFrequencies } from '../../nodes/timeEmbedding';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import type { CallContext, LayerNodeDef, Tensor } from '../../src/graph/nodeApi';
import { BATCH } from '../../src/graph/shape';
import {
  chainSteps,
  ddimStep,
  ddpmStep,
  diffusionTrajectory,
  runChain,
  scheduleOf,
  type DiffusionOptions,
} from '../../src/runtime/diffusion';
import { CompiledModel, type Given } from '../../src/runtime/model';
import { buildLayer, compileOrThrow, graph, inferOrThrow, mulberry, paramsFor, squaresBatch, tf } from './harness';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const layer = (type: string) => registry[type] as LayerNodeDef;
const values = (t: Tensor) => Array.from(t.dataSync());

/** The nodes of a 2-D DDPM: ring data, linear schedule, an MLP on [x_t, embedding(t)], the ε-MSE and a sampler. */
function ddpm2d(
  o: {
    sampler?: Record<string, unknown>;
    schedule?: Record<string, unknown>;
    extraNodes?: Parameters<typeof graph>[0];
    edges?: string[];
  } = {},
) {
  return graph(
    [
      { id: 'data', type: 'dataset', params: { source: 'ring', batchSize: 16 } },
      { id: 'schedule', type: 'noiseSchedule', params: o.schedule ?? {} },
      { id: 'noising', type: 'forwardNoising' },
      { id: 'embed', type: 'timeEmbedding', params: { dim: 8 } },
      { id: 'join', type: 'concat' },
      { id: 'h', type: 'dense', params: { units: 16 } },
      { id: 'epsHat', type: 'dense', params: { units: 2, activation: 'linear' } },
      { id: 'loss', type: 'epsMse' },
      { id: 'opt', type: 'optimizer' },
      { id: 'sampler', type: 'diffusionSampler', params: o.sampler ?? {} },
      ...(o.extraNodes ?? []),
    ],
    o.edges ?? [
      'data.x -> noising.x0',
      'schedule.alphaBar -> noising.schedule',
      'noising.xt -> join.a',
      'noising.t -> embed.t',
      'embed.y -> join.b',
      'join.y -> h.x',
      'h.y -> epsHat.x',
      'epsHat.y -> loss.prediction',
      'noising.eps -> loss.target',
      'loss.loss -> opt.loss',
      'epsHat.y -> sampler.eps',
    ],
  );
}

const defaultEdges = ddpm2d().edges.map((e) => e.id);
const withEdges = (replace: Record<string, string | null>, add: string[] = []) => [
  ...defaultEdges.flatMap((e) => (e in replace ? (replace[e] === null ? [] : [replace[e]!]) : [e])),
  ...add,
];

describe('noise schedules', () => {
  it('linear (Ho et al. 2020): β rises evenly from 1e-4 to 0.02 over T = 1000 steps, and ᾱ_T ≈ 4.0e-5 (exp Σ log(1 − β), to 1e-12)', () => {
    const betas = linearBetas(1000, 1e-4, 0.02);
    expect(betas[0]).toBeCloseTo(1e-4, 15);
    expect(betas[999]).toBeCloseTo(0.02, 15);
    for (let i = 1; i < 1000; i++) expect(betas[i] - betas[i - 1]).toBeCloseTo(0.0199 / 999, 15);
    const bars = alphaBars(betas);
    let log = 0;
    betas.forEach((b, i) => {
      log += Math.log1p(-b);
      expect(Math.abs(bars[i] - Math.exp(log)) / Math.exp(log)).toBeLessThan(1e-12);
    });
    expect(bars[999]).toBeGreaterThan(3.9e-5);
    expect(bars[999]).toBeLessThan(4.2e-5);
  });

  it('cosine (Nichol & Dhariwal 2021, eq. 17): ᾱ_t = f(t)/f(0) with f(t) = cos²(((t/T + s)/(1 + s))·π/2), to 1e-9, where β is below its 0.999 cap', () => {
    const T = 1000;
    const s = 0.008;
    const f = (t: number) => Math.cos(((t / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    const betas = cosineBetas(T, s);
    const bars = alphaBars(betas);
    let capped = 0;
    for (let i = 0; i < T; i++) {
      if (betas[i] >= 0.999) capped++;
      else expect(Math.abs(bars[i] - f(i + 1) / f(0)) / (f(i + 1) / f(0))).toBeLessThan(1e-9);
    }
    // Only the very last step (where f reaches 0) is capped; half-way, about half the signal's variance is left.
    expect(capped).toBe(1);
    expect(bars[T / 2 - 1]).toBeCloseTo(f(T / 2) / f(0), 9);
    expect(bars[T / 2 - 1]).toBeGreaterThan(0.45);
    expect(bars[T / 2 - 1]).toBeLessThan(0.55);
  });

  it.each(['linear', 'cosine'])('the %s Noise schedule node outputs those ᾱ_t (float32, to 1e-6)', (kind) => {
    const def = layer('noiseSchedule');
    const params = paramsFor(def, { kind, steps: 200, betaEnd: 0.05 });
    const { built } = buildLayer(def, params, {});
    const out = built.forward({}, {} as CallContext).alphaBar;
    const want = alphaBars(kind === 'cosine' ? cosineBetas(200, 0.008) : linearBetas(200, 1e-4, 0.05));
    expect(out.shape).toEqual([200]);
    values(out).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
  });

  it('a schedule that leaves the data in x_T is refused with the ᾱ_T it leaves and a fix', () => {
    const def = layer('noiseSchedule');
    const r = def.inferShapes({}, paramsFor(def, { steps: 50 }), { data: null });
    expect(r).toMatchObject({ failure: { message: expect.stringContaining('ᾱ_T = 0.6'), hint: expect.stringContaining('more steps') } });
  });
});

/** A call of n rows with seeded noise and no data batch (forward noising reads x₀ from its input). */
function call(n: number, mode: 'train' | 'generate' = 'train'): CallContext {
  let seed = 11;
  return {
    tf,
    mode,
    training: mode === 'train',
    batchSize: n,
    randomNormal: (shape) => tf.randomNormal(shape, 0, 1, 'float32', seed++),
    randomUniform: (shape, low, high) => tf.randomUniform(shape, low, high, 'float32', seed++),
    batch: { x: tf.zeros([n, 2]), labels: null },
  };
}

describe('forward noising q(x_t | x₀)', () => {
  const abar = [0.9, 0.5, 0.2, 0.01];
  const x0 = [1.5, -0.5];
  const n = 40_000;

  it('draws t uniformly and x_t with mean √ᾱ_t·x₀ (within 4 standard errors) and variance 1 − ᾱ_t (within 5 %), Monte Carlo over 40,000 rows', () => {
    const def = layer('forwardNoising');
    const { built } = buildLayer(def, {}, { x0: [BATCH, 2], schedule: [4] });
    tf.tidy(() => {
      const out = built.forward({ x0: tf.tensor2d(x0, [1, 2]).tile([n, 1]), schedule: tf.tensor1d(abar) }, call(n));
      const t = values(out.t);
      const xt = values(out.xt);
      const eps = values(out.eps);
      for (let step = 0; step < 4; step++) {
        const rows = t.flatMap((v, i) => (v === step ? [i] : []));
        // Binomial(n, 1/4): 5 standard deviations is 433 rows.
        expect(Math.abs(rows.length - n / 4)).toBeLessThan(433);
        for (let d = 0; d < 2; d++) {
          const xs = rows.map((i) => xt[2 * i + d]);
          const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
          const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
          const se = Math.sqrt((1 - abar[step]) / xs.length);
          expect(Math.abs(mean - Math.sqrt(abar[step]) * x0[d])).toBeLessThan(4 * se);
          expect(Math.abs(variance / (1 - abar[step]) - 1)).toBeLessThan(0.05);
          // And x_t is exactly √ᾱ·x₀ + √(1 − ᾱ)·ε with the ε it reports, the loss's target.
          for (const i of rows.slice(0, 50))
            expect(xt[2 * i + d]).toBeCloseTo(Math.sqrt(abar[step]) * x0[d] + Math.sqrt(1 - abar[step]) * eps[2 * i + d], 5);
        }
      }
      expect(new Set(t)).toEqual(new Set([0, 1, 2, 3]));
    });
  });

  it('when generating it starts the chain instead: x_T ~ N(0, I) at the last step, with no data read', () => {
    const def = layer('forwardNoising');
    expect(def.inputsUsedIn?.('generate')).toEqual([]);
    const { built } = buildLayer(def, {}, { x0: [BATCH, 2], schedule: [4] });
    tf.tidy(() => {
      const out = built.forward({}, call(5, 'generate'));
      expect(values(out.t)).toEqual([3, 3, 3, 3, 3]);
      expect(values(out.xt)).toEqual(values(out.eps));
      expect(out.xt.shape).toEqual([5, 2]);
    });
  });
});

describe('sinusoidal embedding', () => {
  it('timesteps: [sin(t·f_i), cos(t·f_i)] with f_i = 10000^(−i/half), to 1e-4 (float32 angles up to 999 rad)', () => {
    const def = layer('timeEmbedding');
    const params = paramsFor(def, { dim: 8 });
    const { built } = buildLayer(def, params, { t: [BATCH] });
    const ts = [0, 1, 37, 999];
    const got = tf.tidy(() => values(built.forward({ t: tf.tensor1d(ts) }, call(4)).y));
    ts.forEach((t, b) => {
      for (let i = 0; i < 4; i++) {
        const f = Math.pow(10000, -i / 4);
        expect(Math.abs(got[b * 8 + i] - Math.sin(t * f))).toBeLessThan(1e-4);
        expect(Math.abs(got[b * 8 + 4 + i] - Math.cos(t * f))).toBeLessThan(1e-4);
      }
    });
    expect(Array.from(embeddingFrequencies(8, 10000))).toEqual([1, 0.1, 0.01, 0.001].map((v) => Math.fround(v)));
  });

  it('points: each of the F values is coded on its own after multiplying by the scale (Fourier features), B×F → B×(F·dim)', () => {
    const def = layer('timeEmbedding');
    const params = paramsFor(def, { dim: 4, scale: 25, maxPeriod: 100 });
    expect(inferOrThrow(def, { t: [BATCH, 2] }, params)).toEqual({ y: [BATCH, 8] });
    const { built } = buildLayer(def, params, { t: [BATCH, 2] });
    const p = [0.3, -1.2];
    const got = tf.tidy(() => values(built.forward({ t: tf.tensor2d(p, [1, 2]) }, call(1)).y));
    p.forEach((x, k) => {
      [1, 0.1].forEach((f, i) => {
        expect(got[k * 4 + i]).toBeCloseTo(Math.sin(25 * x * f), 4);
        expect(got[k * 4 + 2 + i]).toBeCloseTo(Math.cos(25 * x * f), 4);
      });
    });
  });
});

/** A conditional MNIST diffusion model: U-Net on x_t with the step's embedding and a dropped-out label. */
function mnistDoc(unet: Record<string, unknown> = {}, sampler: Record<string, unknown> = { method: 'ddim', steps: 2 }) {
  return graph(
    [
      { id: 'data', type: 'dataset', params: { source: 'mnist', batchSize: 4 } },
      { id: 'label', type: 'label' },
      { id: 'drop', type: 'labelDropout' },
      { id: 'schedule', type: 'noiseSchedule', params: { kind: 'cosine' } },
      { id: 'noising', type: 'forwardNoising' },
      { id: 'embed', type: 'timeEmbedding' },
      { id: 'unet', type: 'unet', params: { filters: 4, ...unet } },
      { id: 'loss', type: 'epsMse' },
      { id: 'opt', type: 'optimizer' },
      { id: 'sampler', type: 'diffusionSampler', params: sampler },
    ],
    [
      'data.x -> noising.x0',
      'schedule.alphaBar -> noising.schedule',
      'noising.xt -> unet.x',
      'noising.t -> embed.t',
      'embed.y -> unet.time',
      'label.y -> drop.label',
      'drop.y -> unet.condition',
      'unet.y -> loss.prediction',
      'noising.eps -> loss.target',
      'loss.loss -> opt.loss',
      'unet.y -> sampler.eps',
    ],
  );
}

describe('U-Net block', () => {
  it('expands to registered layers (conv, pooling, upsampling, concat skips, dense + reshape + add for the time) and works on 28×28×1', () => {
    const { plan, shapes } = compileOrThrow(mnistDoc());
    const inner = plan!.nodes.filter((n) => n.docId === 'unet');
    expect(new Set(inner.map((n) => n.type))).toEqual(new Set(['conv2d', 'avgPool2d', 'upSample2d', 'concat', 'add', 'dense', 'reshape']));
    expect(shapes.unet.outputs.y).toEqual([BATCH, 28, 28, 1]);
    // Two levels down: 28 → 14 → 7 and back, each skip joined at its own size.
    expect(plan!.byId['unet/mida'].outputShapes.y).toEqual([BATCH, 7, 7, 16]);
    expect(plan!.byId['unet/up1Skip'].outputShapes.y).toEqual([BATCH, 14, 14, 16 + 8]);
    expect(plan!.byId['unet/up0Skip'].outputShapes.y).toEqual([BATCH, 28, 28, 8 + 4]);
    expect(plan!.paramCount).toBeLessThan(1_000_000);
    const model = new CompiledModel(plan!);
    const rng = mulberry(3);
    const { losses } = model.trainRound(() => squaresBatch(4, rng));
    expect(Number.isFinite(losses.opt)).toBe(true);
    const samples = model.generate(2, 7);
    expect(samples.length).toBe(2 * 784);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(1);
    model.dispose();
  });

  it('a depth that does not halve the image evenly is an error on the U-Net naming the size it needs', () => {
    const r = compile(mnistDoc({ depth: 3 }), registry);
    const e = r.errors.find((x) => x.nodeId === 'unet');
    expect(e?.message).toContain('divisible by 8');
    expect(e?.message).toContain('lower its depth');
  });
});

const linear = scheduleOf(linearBetas(1000, 1e-4, 0.02));

describe('DDPM and DDIM steps', () => {
  it('chainSteps: ddpm visits all T steps; ddim k evenly spaced from T − 1 to 0 (k = T: every step); a k outside 1…T is refused', () => {
    expect(chainSteps(1000, { method: 'ddpm', steps: 3 })).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));
    expect(chainSteps(1000, { method: 'ddim', steps: 1000 })).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));
    expect(chainSteps(1000, { method: 'ddim', steps: 4 })).toEqual([999, 666, 333, 0]);
    expect(chainSteps(1000, { method: 'ddim', steps: 1 })).toEqual([999]);
    expect(() => chainSteps(1000, { method: 'ddim', steps: 1001 })).toThrow('from 1 to T = 1000');
  });

  it('a DDIM step with η = 1 to the previous step is the DDPM ancestral step (σ² = β̃_t) given the same ε̂ and noise z, to 1e-5', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([64, 2], 0, 1, 'float32', 1);
      const eps = tf.randomNormal([64, 2], 0, 1, 'float32', 2);
      const z = tf.randomNormal([64, 2], 0, 1, 'float32', 3);
      for (const i of [999, 500, 10, 1, 0]) {
        const ddpm = values(ddpmStep(x, eps, i, linear, z));
        const ddim = values(ddimStep(x, eps, i, i - 1, linear, 1, z));
        ddpm.forEach((v, k) => expect(Math.abs(v - ddim[k])).toBeLessThan(1e-5));
      }
    });
  });
});

/**
 * Gaussian data N(μ, s²I) has the exact ε̂(x_t, t) = √(1 − ᾱ)·(x_t − √ᾱ·μ)/v_t with v_t = ᾱ·s² + 1 − ᾱ,
 * and its probability-flow ODE maps x_T to μ + s·(x_T − √ᾱ_T·μ)/√v_T (each marginal is an affine image of the last).
 */
const MU = [1, -2];
const S = 0.5;
function exactDenoiser(plan: Plan) {
  const s = scheduleOf(plan.diffusion!.betas);
  const mu = tf.tensor2d(MU, [1, 2]);
  return (givens: Given[]) => {
    const [x, t] = givens.map((g) => g.value);
    const a = s.alphaBars[t.dataSync()[0]];
    return x.sub(mu.mul(Math.sqrt(a))).mul(Math.sqrt(1 - a) / (a * S * S + 1 - a));
  };
}

/** runChain on the compiled 2-D graph with the exact denoiser; also returns x_T, the chain's first draw. */
function chainOnGaussian(plan: Plan, options: DiffusionOptions, n = 2000) {
  let seed = 100;
  let xT: number[] = [];
  const randomNormal = (shape: number[]) => {
    const z = tf.randomNormal(shape, 0, 1, 'float32', seed++);
    if (!xT.length) xT = values(z);
    return z;
  };
  const chain = runChain(plan, { n, labels: null, randomNormal }, exactDenoiser(plan), options);
  return { x: values(chain.x), xT, frames: chain.frames.map((f) => ({ t: f.t, x: values(f.x) })) };
}

describe('the sampling chain (runChain) with the exact denoiser of Gaussian data', () => {
  const plan = compileOrThrow(ddpm2d()).plan!;
  const aT = scheduleOf(plan.diffusion!.betas).alphaBars[999];
  const flowMap = (xT: number[]) => xT.map((v, k) => MU[k % 2] + (S * (v - Math.sqrt(aT) * MU[k % 2])) / Math.sqrt(aT * S * S + 1 - aT));

  it('DDIM with k = T and η = 0 reproduces the deterministic limit, the probability-flow map of each x_T, within 1 % of the data scale s; its error shrinks like 1/k', () => {
    tf.tidy(() => {
      const full = chainOnGaussian(plan, { method: 'ddim', steps: 1000, eta: 0 }, 200);
      const tenth = chainOnGaussian(plan, { method: 'ddim', steps: 100, eta: 0 }, 200);
      const want = flowMap(full.xT);
      const err = (x: number[]) => Math.max(...x.map((v, k) => Math.abs(v - want[k])));
      expect(tenth.xT).toEqual(full.xT);
      expect(err(full.x)).toBeLessThan(0.01 * S);
      // DDIM is a first-order solver of the flow: a tenth of the steps, about ten times the error.
      expect(err(tenth.x) / err(full.x)).toBeGreaterThan(5);
      expect(err(tenth.x) / err(full.x)).toBeLessThan(15);
    });
  });

  it('DDPM (all T steps) draws the data distribution: mean μ and standard deviation s per coordinate within 0.05 (2,000 samples)', () => {
    tf.tidy(() => {
      const { x } = chainOnGaussian(plan, { method: 'ddpm' });
      for (let d = 0; d < 2; d++) {
        const xs = x.filter((_, k) => k % 2 === d);
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
        expect(Math.abs(mean - MU[d])).toBeLessThan(0.05);
        expect(Math.abs(sd - S)).toBeLessThan(0.05);
      }
    });
  });

  it('DDIM with k = T and η = 1 gives the same samples as DDPM from the same noise (to 1e-3 after 1,000 steps)', () => {
    tf.tidy(() => {
      const ddpm = chainOnGaussian(plan, { method: 'ddpm' }, 200);
      const ddim = chainOnGaussian(plan, { method: 'ddim', steps: 1000, eta: 1 }, 200);
      ddpm.x.forEach((v, k) => expect(Math.abs(v - ddim.x[k])).toBeLessThan(1e-3));
    });
  });

  it('keeps the frames asked for, x_T at t = T first and the sample at t = 0 last', () => {
    tf.tidy(() => {
      const { x, xT, frames } = chainOnGaussian(plan, { method: 'ddim', steps: 8, frames: 5 }, 10);
      // Steps 999, 856, 714, 571, 428, 285, 143, 0; frames at chain positions 0, 2, 4, 6 and the end.
      expect(frames.map((f) => f.t)).toEqual([1000, 715, 429, 144, 0]);
      expect(frames[0].x).toEqual(xT);
      expect(frames[4].x).toEqual(x);
    });
  });

  it('classifier-free guidance mixes the two predictions as (1 + w)·ε̂(x_t, c) − w·ε̂(x_t, ∅)', () => {
    const cond = compileOrThrow(
      ddpm2d({
        extraNodes: [
          { id: 'label', type: 'label' },
          { id: 'drop', type: 'labelDropout' },
        ],
        edges: withEdges({}, ['label.y -> drop.label', 'drop.y -> join.c']),
        sampler: { method: 'ddim', steps: 1, guidance: 2 },
      }),
    ).plan!;
    expect(cond.diffusion!.condition).toEqual({ node: 'drop', port: 'y' });
    tf.tidy(() => {
      // ε̂ = 1 with the class, 0 without ("no class" is the condition given as zeros).
      const denoise = (givens: Given[]) => tf.fill([3, 2], givens.length > 2 ? 0 : 1);
      const xT = tf.randomNormal([3, 2], 0, 1, 'float32', 9);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 8).toFloat();
      const chain = runChain(cond, { n: 3, labels, randomNormal: () => xT.clone() }, denoise);
      const a = scheduleOf(cond.diffusion!.betas).alphaBars[999];
      // One DDIM step from T to the data with ε̃ = (1 + 2)·1 − 2·0 = 3.
      values(xT).forEach((v, k) => expect(values(chain.x)[k]).toBeCloseTo((v - Math.sqrt(1 - a) * 3) / Math.sqrt(a), 3));
    });
  });
});

describe('diffusion in the compiler and the model', () => {
  it('the plan says where x_t and t stand in, which output is ε̂, the schedule and the sampler; generate is a diffusion chain', () => {
    const { plan, errors } = compileOrThrow(ddpm2d({ sampler: { method: 'ddim', steps: 10 } }));
    expect(errors).toEqual([]);
    const d = plan!.diffusion!;
    expect(d.noisy).toEqual({ node: 'noising', port: 'xt' });
    expect(d.timestep).toEqual({ node: 'noising', port: 't' });
    expect(d.prediction).toEqual({ node: 'epsHat', port: 'y' });
    expect(d.condition).toBeNull();
    expect(d.betas).toEqual(linearBetas(1000, 1e-4, 0.02));
    expect(d.settings).toEqual({ method: 'ddim', steps: 10, eta: 0, guidance: 0 });
    expect(plan!.modes.generate).toMatchObject({ output: d.prediction, diffusion: true, autoregressive: false, transform: 'identity' });
    // ε̂ is no reconstruction, there is no code to decode, and t (one number per example) is no critic.
    expect(plan!.modes.reconstruct).toBeNull();
    expect(plan!.modes.decode).toBeNull();
    expect(plan!.critic).toBeNull();
    expect(plan!.modes.evaluate?.why).toContain('not a likelihood');
    expect(plan!.lossUnits.loss).toBe('squared error per value');
  });

  const problem = (doc: ReturnType<typeof ddpm2d>) => compile(doc, registry).errors.filter((e) => e.code === 'diffusion');

  it.each([
    ['the loss target is the data, not ε', withEdges({ 'noising.eps -> loss.target': 'data.x -> loss.target' }), 'loss', 'noising.eps'],
    ['the denoiser reads ε', withEdges({}, ['noising.eps -> join.c']), 'sampler', 'ε is the target'],
    ['the denoiser reads the clean data', withEdges({}, ['data.x -> join.c']), 'sampler', 'not the data'],
  ])('%s: an error on the node that is wrong, with a fix', (_, edges, node, hint) => {
    const found = problem(ddpm2d({ edges })).filter((e) => e.severity === 'error');
    expect(found.map((e) => e.nodeId)).toContain(node);
    expect(found.map((e) => e.hint).join(' ')).toContain(hint);
  });

  it('a denoiser blind to t is a warning; ddim with k > T, or guidance with no Label dropout, an error', () => {
    const blindDoc = ddpm2d({ edges: withEdges({ 'embed.y -> join.b': 'noising.xt -> join.b', 'noising.t -> embed.t': null }) });
    blindDoc.nodes = blindDoc.nodes.filter((n) => n.id !== 'embed');
    const blind = problem(blindDoc);
    expect(blind).toMatchObject([{ nodeId: 'sampler', severity: 'warning', message: expect.stringContaining("does not see noising's t") }]);
    expect(problem(ddpm2d({ sampler: { method: 'ddim', steps: 200 }, schedule: { steps: 100, betaEnd: 0.1 } }))).toMatchObject([
      { nodeId: 'sampler', message: expect.stringContaining('only T = 100'), hint: 'use at most 100 steps' },
    ]);
    expect(problem(ddpm2d({ sampler: { guidance: 1 } }))).toMatchObject([
      { nodeId: 'sampler', hint: expect.stringContaining('Label dropout') },
    ]);
  });

  it('without a sampler it trains but cannot generate, and the Forward noising node says so', () => {
    const doc = ddpm2d({ edges: withEdges({ 'epsHat.y -> sampler.eps': null }) });
    doc.nodes = doc.nodes.filter((n) => n.id !== 'sampler');
    const r = compile(doc, registry);
    expect(r.errors).toMatchObject([{ nodeId: 'noising', severity: 'warning', hint: expect.stringContaining('Diffusion sampler') }]);
    expect(r.plan?.diffusion).toBeNull();
    expect(r.plan?.modes.generate).toBeNull();
  });

  it('the model samples by the chain: seeded, no tensors left behind, steps changeable when sampling, and the trajectory ends at the samples', () => {
    const model = new CompiledModel(compileOrThrow(ddpm2d({ sampler: { method: 'ddim', steps: 10 } })).plan!);
    const before = tf.memory().numTensors;
    const a = model.withFixedRandom(5, () => model.generate(6));
    const b = model.withFixedRandom(5, () => model.generate(6));
    expect(tf.memory().numTensors).toBe(before);
    expect(a.length).toBe(12);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(b).toEqual(a);
    expect(model.withFixedRandom(5, () => model.generate(6, undefined, { steps: 3 }))).not.toEqual(a);
    expect(() => model.generate(6, undefined, { steps: 5000 })).toThrow('from 1 to T = 1000');
    expect(() => model.generate(6, undefined, { eta: 2 })).toThrow('η must be from 0 to 1');
    const trajectory = diffusionTrajectory(model, 4, { frames: 3, method: 'ddpm' });
    expect(trajectory.t).toEqual([1000, 500, 0]);
    expect(trajectory.x.map((x) => x.length)).toEqual([8, 8, 8]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
