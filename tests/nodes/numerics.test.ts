import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import type { LayerNodeDef, Tensor } from '../../src/graph/nodeApi';
import { BATCH, type Shape } from '../../src/graph/shape';
import { buildLayer, callContext, paramsFor, tf, underTape } from './harness';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs one layer on concrete tensors and returns an output as numbers. */
function run(type: string, params: Record<string, unknown>, inputs: Record<string, Tensor>, port = 'loss', training = false): number[] {
  const def = registry[type] as LayerNodeDef;
  const shapes: Record<string, Shape> = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, [BATCH, ...t.shape.slice(1)]]));
  const { built } = buildLayer(def, paramsFor(def, params), shapes);
  return Array.from(built.forward(inputs, callContext({ training, batchSize: inputs[Object.keys(inputs)[0]].shape[0] }))[port].dataSync());
}

const softplus = (x: number) => Math.log1p(Math.exp(x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('Gaussian KL', () => {
  it('is 0 for N(0, I)', () => {
    expect(run('gaussianKl', {}, { mean: tf.zeros([4, 3]), logVar: tf.zeros([4, 3]) })[0]).toBeCloseTo(0, 6);
  });

  it('matches a Monte-Carlo estimate of E_q[log q(z) − log p(z)]', () => {
    const mu = [0.5, -1.2];
    const sigma = [0.7, 1.5];
    const closed = run('gaussianKl', {}, { mean: tf.tensor2d([mu]), logVar: tf.tensor2d([sigma.map((s) => Math.log(s * s))]) })[0];
    const n = 200_000;
    const eps = tf.randomNormal([n, 2], 0, 1, 'float32', 7);
    const z = eps.mul(tf.tensor1d(sigma)).add(tf.tensor1d(mu));
    // log q − log p per dimension: −½ε² − log σ + ½z² (the ½·log 2π terms cancel).
    const mc = eps
      .square()
      .mul(-0.5)
      .sub(tf.log(tf.tensor1d(sigma)))
      .add(z.square().mul(0.5))
      .sum(1)
      .mean()
      .dataSync()[0];
    expect(Math.abs(closed - mc)).toBeLessThan(0.02);
    expect(closed).toBeGreaterThan(0.5);
  });
});

describe('binary cross-entropy', () => {
  it('matches a hand computation from logits and from probabilities', () => {
    const logits = [2, -1, 0.5, -3];
    const x = [1, 0, 0.25, 1];
    const expected = logits.reduce((s, l, i) => s - (x[i] * Math.log(sigmoid(l)) + (1 - x[i]) * Math.log(1 - sigmoid(l))), 0);
    const fromLogits = run(
      'bce',
      { fromLogits: true, reduction: 'sum' },
      { prediction: tf.tensor2d([logits]), target: tf.tensor2d([x]) },
    )[0];
    expect(fromLogits).toBeCloseTo(expected, 4);
    const fromProbs = run(
      'bce',
      { fromLogits: false, reduction: 'mean' },
      { prediction: tf.tensor2d([logits.map(sigmoid)]), target: tf.tensor2d([x]) },
    )[0];
    expect(fromProbs).toBeCloseTo(expected / 4, 4);
  });
});

describe('MSE and L1 activity', () => {
  it('match hand computations', () => {
    const p = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const t = tf.tensor2d([
      [0, 2],
      [1, 1],
    ]);
    expect(run('mse', { reduction: 'mean' }, { prediction: p, target: t })[0]).toBeCloseTo((1 + 0 + 4 + 9) / 4, 5);
    expect(run('mse', { reduction: 'sum' }, { prediction: p, target: t })[0]).toBeCloseTo((1 + 13) / 2, 5);
    expect(
      run(
        'l1Activity',
        { weight: 2 },
        {
          x: tf.tensor2d([
            [1, -3],
            [0, 2],
          ]),
        },
      )[0],
    ).toBeCloseTo((2 * 6) / 4, 5);
  });
});

describe('GAN losses', () => {
  const real = [1.5, -0.5];
  const fake = [-2, 0.3];
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const loss = (player: string, kind: string) =>
    run('ganLoss', { player, kind }, { realLogits: tf.tensor2d(real, [2, 1]), fakeLogits: tf.tensor2d(fake, [2, 1]) })[0];
  const D = sigmoid;
  const cases: [string, string, number][] = [
    ['discriminator', 'minimax', mean(real.map((l) => -Math.log(D(l)))) + mean(fake.map((l) => -Math.log(1 - D(l))))],
    ['generator', 'minimax', mean(fake.map((l) => Math.log(1 - D(l))))],
    ['discriminator', 'nonSaturating', mean(real.map((l) => -Math.log(D(l)))) + mean(fake.map((l) => -Math.log(1 - D(l))))],
    ['generator', 'nonSaturating', mean(fake.map((l) => -Math.log(D(l))))],
    ['discriminator', 'wasserstein', mean(fake) - mean(real)],
    ['generator', 'wasserstein', -mean(fake)],
    ['discriminator', 'leastSquares', 0.5 * mean(real.map((l) => (l - 1) ** 2)) + 0.5 * mean(fake.map((l) => l * l))],
    ['generator', 'leastSquares', 0.5 * mean(fake.map((l) => (l - 1) ** 2))],
    ['discriminator', 'hinge', mean(real.map((l) => Math.max(0, 1 - l))) + mean(fake.map((l) => Math.max(0, 1 + l)))],
    ['generator', 'hinge', -mean(fake)],
  ];
  it.each(cases)('%s %s matches its formula', (player, kind, expected) => {
    expect(loss(player, kind)).toBeCloseTo(expected, 4);
  });

  it('stays finite for extreme logits', () => {
    const v = run(
      'ganLoss',
      { player: 'discriminator', kind: 'minimax' },
      { realLogits: tf.tensor2d([[200]]), fakeLogits: tf.tensor2d([[-200]]) },
    )[0];
    expect(v).toBeCloseTo(0, 5);
    const g = run('ganLoss', { player: 'generator', kind: 'nonSaturating' }, { fakeLogits: tf.tensor2d([[-200]]) })[0];
    expect(g).toBeCloseTo(200, 2);
    expect(softplus(-3)).toBeCloseTo(-Math.log(D(3)), 6);
  });

  it('the minimax generator gradient vanishes where the non-saturating one does not', () => {
    const grad = (kind: string) =>
      tf
        .grad((l: Tensor) => {
          const { built } = buildLayer(registry.ganLoss as LayerNodeDef, paramsFor(registry.ganLoss, { player: 'generator', kind }), {
            fakeLogits: [BATCH, 1],
          });
          return built.forward({ fakeLogits: l }, callContext()).loss;
        })(tf.tensor2d([[-8]]))
        .dataSync()[0];
    expect(Math.abs(grad('minimax'))).toBeLessThan(1e-3);
    expect(Math.abs(grad('nonSaturating'))).toBeGreaterThan(0.99);
  });
});

describe('256-way categorical', () => {
  it('is near 0 for a confident correct prediction and log 256 for a uniform one', () => {
    const target = tf.tensor2d([[0, 1, 128 / 255]]);
    const levels = [0, 255, 128];
    const confident = tf
      .oneHot(tf.tensor1d(levels, 'int32'), 256)
      .mul(50)
      .reshape([1, 3 * 256]);
    expect(run('categorical256', { reduction: 'sum' }, { prediction: confident, target })[0]).toBeCloseTo(0, 4);
    const uniform = tf.zeros([1, 3, 256]);
    expect(run('categorical256', { reduction: 'mean' }, { prediction: uniform, target: target.reshape([1, 3]) })[0]).toBeCloseTo(
      Math.log(256),
      4,
    );
    // One-hot-ish: logit 2 on the right level, 0 elsewhere → −log(e²/(e² + 255)).
    const oneHotish = tf.oneHot(tf.tensor1d(levels, 'int32'), 256).mul(2).reshape([1, 3, 256]);
    const expected = -Math.log(Math.exp(2) / (Math.exp(2) + 255));
    expect(run('categorical256', { reduction: 'sum' }, { prediction: oneHotish, target })[0]).toBeCloseTo(3 * expected, 4);
  });
});

describe('gradient penalty', () => {
  it('equals λ·mean((‖∇D(x̂)‖ − 1)²) for a critic with a known gradient', () => {
    // D(x) = Σ c·x² has ∇D = 2c·x, so ‖∇D‖ = 2|c|·‖x‖.
    const xs = tf.tensor2d([
      [0.3, 0.4],
      [1, 0],
    ]);
    const out = underTape(() => {
      const { built } = buildLayer(registry.gradientPenalty as LayerNodeDef, paramsFor(registry.gradientPenalty, { weight: 10 }), {
        interpolates: [BATCH, 2],
        criticOutput: [BATCH, 1],
      });
      return built.forward({ interpolates: xs, criticOutput: xs.square().mul(1.5).sum(1, true) }, callContext({ training: true }));
    });
    const norms = [3 * 0.5, 3 * 1];
    expect(out.loss.dataSync()[0]).toBeCloseTo((10 * ((norms[0] - 1) ** 2 + (norms[1] - 1) ** 2)) / 2, 4);
  });
});

describe('dropout, corruption, batch norm', () => {
  it('dropout is the identity outside training and keeps the mean while training', () => {
    const x = tf.ones([200, 50]);
    expect(run('dropout', { rate: 0.5 }, { x }, 'y', false).every((v) => v === 1)).toBe(true);
    const y = run('dropout', { rate: 0.5 }, { x }, 'y', true);
    expect(y.filter((v) => v === 0).length / y.length).toBeCloseTo(0.5, 1);
    expect(y.reduce((a, b) => a + b, 0) / y.length).toBeCloseTo(1, 1);
  });

  it('masking noise zeroes about the given fraction, only while training or reconstructing', () => {
    const def = registry.addNoise as LayerNodeDef;
    const { built } = buildLayer(def, paramsFor(def, { kind: 'masking', amount: 0.25 }), { x: [BATCH, 100] });
    const x = tf.ones([100, 100]);
    const zeros = (mode: 'train' | 'reconstruct' | 'encode') =>
      Array.from(built.forward({ x }, callContext({ mode })).y.dataSync()).filter((v) => v === 0).length / 1e4;
    expect(zeros('train')).toBeCloseTo(0.25, 1);
    expect(zeros('reconstruct')).toBeCloseTo(0.25, 1);
    expect(zeros('encode')).toBe(0);
  });

  it('batch norm normalizes with batch statistics while training and uses running averages otherwise', () => {
    const def = registry.batchNorm as LayerNodeDef;
    const { built, state } = buildLayer(def, paramsFor(def, { momentum: 0 }), { x: [BATCH, 2, 2, 3] });
    const x = tf.randomNormal([8, 2, 2, 3], 5, 2, 'float32', 3);
    const y = built.forward({ x }, callContext({ training: true })).y;
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    mean.dataSync().forEach((m) => expect(m).toBeCloseTo(0, 4));
    variance.dataSync().forEach((v) => expect(v).toBeCloseTo(1, 2));
    // momentum 0: the running averages are exactly this batch's statistics, so inference agrees.
    const moments = tf.moments(x, [0, 1, 2]);
    expect(Array.from(state.get('runningMean')!.dataSync())).toEqual(Array.from(moments.mean.dataSync()).map((v) => expect.closeTo(v, 4)));
    const yEval = built.forward({ x }, callContext({ mode: 'generate', training: false })).y;
    expect(tf.abs(yEval.sub(y)).max().dataSync()[0]).toBeLessThan(1e-3);
  });
});

describe('convolution shapes', () => {
  it('stride-2 up-convolutions grow 7 → 14 → 28 and stride-2 convolutions shrink 28 → 14 → 7', () => {
    const up = registry.convTranspose2d as LayerNodeDef;
    const down = registry.conv2d as LayerNodeDef;
    const ctx = { data: null };
    expect(up.inferShapes({ x: [BATCH, 7, 7, 8] }, paramsFor(up, { stride: 2 }), ctx)).toEqual({ y: [BATCH, 14, 14, 32] });
    expect(up.inferShapes({ x: [BATCH, 14, 14, 8] }, paramsFor(up, { stride: 2, filters: 1 }), ctx)).toEqual({
      y: [BATCH, 28, 28, 1],
    });
    expect(down.inferShapes({ x: [BATCH, 28, 28, 1] }, paramsFor(down, { stride: 2 }), ctx)).toEqual({ y: [BATCH, 14, 14, 32] });
    expect(down.inferShapes({ x: [BATCH, 14, 14, 1] }, paramsFor(down, { stride: 2 }), ctx)).toEqual({ y: [BATCH, 7, 7, 32] });
    const { built } = buildLayer(up, paramsFor(up, { padding: 'valid', kernelSize: 3 }), { x: [BATCH, 7, 7, 2] });
    expect(built.forward({ x: tf.ones([2, 7, 7, 2]) }, callContext()).y.shape).toEqual([2, 15, 15, 32]);
  });

  it('explains shape mismatches with both shapes and a fix', () => {
    const concat = registry.concat as LayerNodeDef;
    const r = concat.inferShapes({ a: [BATCH, 28, 28, 1], b: [BATCH, 10] }, {}, { data: null });
    expect(r).toMatchObject({
      failure: { port: 'b', message: expect.stringContaining('B×28×28×1'), hint: expect.stringContaining('Flatten') },
    });
    const conv = registry.conv2d as LayerNodeDef;
    expect(conv.inferShapes({ x: [BATCH, 784] }, paramsFor(conv), { data: null })).toMatchObject({
      failure: { hint: expect.stringContaining('Reshape') },
    });
  });
});
