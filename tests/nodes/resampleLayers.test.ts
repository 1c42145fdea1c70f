/**
 * MaxPool2D, AvgPool2D, UpSample2D and LayerNorm: shapes and their errors,
 * values against hand computations, gradients against central finite
 * differences on the cpu and wasm backends (with our wasm kernels), and a
 * tiny conv autoencoder through all four that trains on both.
 *
 * The gradient checks are what keep these layers off TF.js 4.22's own pooling
 * and resize gradients, each wrong somewhere (see nodes/lib/pool.ts and
 * nodes/upSample2d.ts): inputs are batches of 2 with negative values and odd
 * sizes, where those kernels fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import type { LayerNodeDef, Tensor } from '../../src/graph/nodeApi';
import { setupBackend } from '../../src/runtime/backend';
import { CompiledModel } from '../../src/runtime/model';
import { BATCH, type Shape } from '../../src/graph/shape';
import { buildLayer, callContext, compileOrThrow, graph, mulberry, paramsFor, squaresBatch, tf } from './harness';

const def = (type: string) => registry[type] as LayerNodeDef;
const infer = (type: string, x: Shape, params: Record<string, unknown> = {}) =>
  def(type).inferShapes({ x }, paramsFor(def(type), params), { data: null });

/** One layer applied to `x`, built for x's shape. */
function apply(type: string, params: Record<string, unknown>, x: Tensor): Tensor {
  const { built } = buildLayer(def(type), paramsFor(def(type), params), { x: [BATCH, ...x.shape.slice(1)] });
  return built.forward({ x }, callContext({ batchSize: x.shape[0] })).y;
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('shapes', () => {
  it('max and average pooling shrink 28 → 14 → 7, and "same" takes 7 → 4', () => {
    for (const type of ['maxPool2d', 'avgPool2d']) {
      expect(infer(type, [BATCH, 28, 28, 16])).toEqual({ y: [BATCH, 14, 14, 16] });
      expect(infer(type, [BATCH, 14, 14, 8])).toEqual({ y: [BATCH, 7, 7, 8] });
      expect(infer(type, [BATCH, 7, 7, 8], { padding: 'same' })).toEqual({ y: [BATCH, 4, 4, 8] });
      expect(infer(type, [BATCH, 28, 28, 1], { poolSize: 3, padding: 'same' })).toEqual({ y: [BATCH, 10, 10, 1] });
    }
  });

  it('a 28×28 map cannot pool by 3 with "valid": the error shows the remainder and names the sizes and the padding that work', () => {
    expect(infer('maxPool2d', [BATCH, 28, 28, 1], { poolSize: 3 })).toEqual({
      failure: {
        port: 'x',
        message: 'a 28×28 map does not split into whole 3×3 windows (28 = 9·3 + 1)',
        hint: 'use pool size 2, 4, 7, 14 or 28, or set padding to "same", which pads to 30×30 and gives 10×10',
      },
    });
    expect(infer('avgPool2d', [BATCH, 7, 7, 8])).toMatchObject({ failure: { hint: expect.stringContaining('gives 4×4') } });
  });

  it('upsampling grows 4 → 8 → 16 and 7 → 28 by whole factors; layer norm keeps the shape', () => {
    expect(infer('upSample2d', [BATCH, 4, 4, 8])).toEqual({ y: [BATCH, 8, 8, 8] });
    expect(infer('upSample2d', [BATCH, 8, 8, 8], { method: 'bilinear' })).toEqual({ y: [BATCH, 16, 16, 8] });
    expect(infer('upSample2d', [BATCH, 7, 7, 2], { scale: 4 })).toEqual({ y: [BATCH, 28, 28, 2] });
    expect(infer('layerNorm', [BATCH, 7, 7, 2])).toEqual({ y: [BATCH, 7, 7, 2] });
    expect(infer('layerNorm', [BATCH, 32])).toEqual({ y: [BATCH, 32] });
  });

  it('flat inputs are refused with a fix', () => {
    for (const type of ['maxPool2d', 'avgPool2d', 'upSample2d'])
      expect(infer(type, [BATCH, 784])).toMatchObject({ failure: { port: 'x', hint: expect.stringContaining('Reshape') } });
    expect(infer('layerNorm', [BATCH])).toMatchObject({ failure: { port: 'x' } });
  });
});

describe('values (cpu) match hand computations', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const values = (t: Tensor) => Array.from(t.dataSync());
  // 1×3×3×1 map 1..9; "same" with size 2 pads one row and one column after.
  const nine = () => tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);

  it('max pooling keeps each window’s largest value, padded cells never win', () => {
    const x = tf.tensor4d([1, -5, 2, 0, 3, 4, -1, -2, -9, -8, 6, 5, -7, -6, 8, 7], [1, 4, 4, 1]);
    expect(values(apply('maxPool2d', {}, x))).toEqual([4, 2, -6, 8]);
    expect(values(apply('maxPool2d', { padding: 'same' }, nine().neg()))).toEqual([-1, -3, -7, -9]);
  });

  it('average pooling divides by the cells that exist (as TF and Keras do)', () => {
    expect(values(apply('avgPool2d', { padding: 'same' }, nine()))).toEqual([3, 4.5, 7.5, 9]);
    expect(values(apply('avgPool2d', { poolSize: 3 }, nine()))).toEqual([5]);
  });

  it('nearest upsampling copies each value into a block; bilinear uses half-pixel centres', () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(values(apply('upSample2d', {}, x))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    // A row 0, 1 doubled (into two rows): new pixels sit a quarter of a cell from the old centres, the edges repeat.
    const ramp = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    expect(values(apply('upSample2d', { method: 'bilinear' }, ramp))).toEqual([0, 0.25, 0.75, 1, 0, 0.25, 0.75, 1]);
    const r = tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    for (const scale of [2, 3]) {
      const ours = apply('upSample2d', { method: 'bilinear', scale }, r);
      const theirs = tf.image.resizeBilinear(r, [5 * scale, 4 * scale], false, true);
      expect(tf.abs(ours.sub(theirs)).max().dataSync()[0]).toBeLessThan(1e-5);
    }
  });

  it('layer norm gives each example mean 0 and variance 1 over all its features, then applies gain and bias per channel', () => {
    const y = values(apply('layerNorm', { epsilon: 1e-6 }, tf.tensor2d([[1, 2, 3, 4]])));
    // mean 2.5, variance 1.25
    expect(y).toEqual([-1.5, -0.5, 0.5, 1.5].map((d) => expect.closeTo(d / Math.sqrt(1.25), 4)));
    const x = tf.randomNormal([3, 4, 4, 2], 5, 3, 'float32', 9);
    const { built, variables } = buildLayer(def('layerNorm'), paramsFor(def('layerNorm')), { x: [BATCH, 4, 4, 2] });
    const plain = built.forward({ x }, callContext()).y;
    const { mean, variance } = tf.moments(plain, [1, 2, 3]);
    values(mean).forEach((m) => expect(m).toBeCloseTo(0, 4));
    values(variance).forEach((v) => expect(v).toBeCloseTo(1, 2));
    variables.get('gain')!.assign(tf.tensor1d([2, 3]));
    variables.get('bias')!.assign(tf.tensor1d([1, -1]));
    const scaled = built.forward({ x }, callContext()).y;
    const expected = plain.mul(tf.tensor1d([2, 3])).add(tf.tensor1d([1, -1]));
    expect(tf.abs(scaled.sub(expected)).max().dataSync()[0]).toBeLessThan(1e-5);
  });
});

/** Layers and inputs whose gradients are checked: odd sizes, 'same' padding, batches of 2, negative values. */
const GRADIENT_CASES: [string, string, Record<string, unknown>, number[]][] = [
  ['max pooling, 7 → 4 ("same")', 'maxPool2d', { padding: 'same' }, [2, 7, 7, 2]],
  ['max pooling, 6 → 2 (size 3)', 'maxPool2d', { poolSize: 3 }, [2, 6, 6, 1]],
  ['average pooling, 7 → 4 ("same")', 'avgPool2d', { padding: 'same' }, [2, 7, 7, 2]],
  ['nearest upsampling ×2', 'upSample2d', {}, [2, 3, 4, 2]],
  ['bilinear upsampling ×2', 'upSample2d', { method: 'bilinear' }, [2, 3, 4, 2]],
  ['bilinear upsampling ×3', 'upSample2d', { method: 'bilinear', scale: 3 }, [2, 3, 2, 1]],
  ['layer norm', 'layerNorm', {}, [2, 3, 3, 2]],
];

/** Distinct values 0.1 apart, shuffled and centred on 0, so no max changes under a 1e-2 nudge. */
function distinctInput(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = mulberry(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tf.tensor(
    order.map((v) => (v - n / 2) * 0.1),
    shape,
  );
}

/** Largest |analytic − numeric| gradient of Σ w·layer(x), with central differences of step h. */
function gradientError(type: string, params: Record<string, unknown>, shape: number[]): number {
  const x = distinctInput(shape, 3);
  const { built } = buildLayer(def(type), paramsFor(def(type), params), { x: [BATCH, ...shape.slice(1)] });
  const call = callContext({ batchSize: shape[0] });
  const probe = built.forward({ x }, call).y;
  const w = tf.tensor(
    Array.from({ length: probe.size }, (_, i) => Math.cos(i * 0.7)),
    probe.shape,
  );
  const f = (v: Tensor) => built.forward({ x: v }, call).y.mul(w).sum();
  const analytic = tf.grad(f)(x).dataSync();
  const base = x.dataSync();
  const h = 1e-2;
  let worst = 0;
  for (let i = 0; i < base.length; i++) {
    const nudged = (d: number) =>
      tf.tidy(() => {
        const v = base.slice();
        v[i] += d;
        return f(tf.tensor(v, shape)).dataSync()[0];
      });
    worst = Math.max(worst, Math.abs(analytic[i] - (nudged(h) - nudged(-h)) / (2 * h)));
  }
  return worst;
}

/** A tiny conv autoencoder through all four layers: 28 → conv → max pool 14 → avg pool 7 → ×2 nearest → layer norm → ×2 bilinear → conv → 28. */
const tinyAe = () =>
  graph(
    [
      { id: 'data', type: 'dataset', params: { source: 'mnist', batchSize: 4 } },
      { id: 'conv', type: 'conv2d', params: { filters: 4, kernelSize: 3, activation: 'linear' } },
      { id: 'max', type: 'maxPool2d' },
      { id: 'avg', type: 'avgPool2d' },
      { id: 'near', type: 'upSample2d' },
      { id: 'norm', type: 'layerNorm' },
      { id: 'bil', type: 'upSample2d', params: { method: 'bilinear' } },
      { id: 'out', type: 'conv2d', params: { filters: 1, kernelSize: 3, activation: 'linear' } },
      { id: 'recon', type: 'bce', params: { fromLogits: true, reduction: 'sum' } },
      { id: 'opt', type: 'optimizer', params: { algorithm: 'adam', learningRate: 0.01 } },
    ],
    [
      'data.x -> conv.x',
      'conv.y -> max.x',
      'max.y -> avg.x',
      'avg.y -> near.x',
      'near.y -> norm.x',
      'norm.y -> bil.x',
      'bil.y -> out.x',
      'out.y -> recon.prediction',
      'data.x -> recon.target',
      'recon.loss -> opt.loss',
    ],
  );

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await setupBackend('wasm');
    else await tf.setBackend('cpu');
    expect(tf.getBackend()).toBe(backend);
  });

  it.each(GRADIENT_CASES)('%s: gradient matches central finite differences to 1e-2', (_name, type, params, shape) => {
    expect(gradientError(type, params, shape)).toBeLessThan(1e-2);
  });

  it('a tiny conv autoencoder through all four trains: loss falls by ≥ 40 % in 12 Adam steps and the first convolution’s weights move', () => {
    const model = new CompiledModel(compileOrThrow(tinyAe()).plan!);
    const kernel = model.namedVariables.get('conv/kernel')!;
    const before = kernel.dataSync().slice();
    const rng = mulberry(5);
    const losses: number[] = [];
    for (let i = 0; i < 12; i++) losses.push(model.trainRound(() => squaresBatch(4, rng)).losses.opt);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean3 = (xs: number[]) => (xs[0] + xs[1] + xs[2]) / 3;
    expect(mean3(losses.slice(-3))).toBeLessThanOrEqual(0.6 * mean3(losses));
    const moved = Array.from(kernel.dataSync()).reduce((m, v, i) => Math.max(m, Math.abs(v - before[i])), 0);
    expect(moved).toBeGreaterThan(1e-3);
    model.dispose();
  });
});
