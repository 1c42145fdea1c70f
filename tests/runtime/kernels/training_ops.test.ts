/**
 * The rest of what training needs, on wasm against cpu: activation
 * gradients, logSoftmax, concat, slice / stridedSlice, dropout, moments-based
 * batch norm, sum / mean, and Adam / RMSprop / SGD updates. These run on the
 * shipped wasm kernels (plus ours where they are involved); the test pins
 * that they train correctly.
 * Tolerance: |wasm - cpu| ≤ 1e-4 + 1e-3·|cpu| (optimizers: after 3 steps).
 */
import { beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { expectSameOnBoth, initBackends, randTensor } from './helpers';

beforeAll(initBackends);

const shape = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 });

/** Value and gradient of sum(f(x) · r). */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor, s: number[], seed: number) {
  return () => {
    const x = tf.mul(randTensor(s, seed), 3);
    const y = f(x);
    const r = randTensor(y.shape, seed + 1);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), r)))(x);
    return [y, g];
  };
}

describe('activations: value and gradient', () => {
  const acts: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    relu: tf.relu,
    leakyRelu: (x) => tf.leakyRelu(x, 0.2),
    elu: tf.elu,
    sigmoid: tf.sigmoid,
    tanh: tf.tanh,
    softplus: tf.softplus,
    logSigmoid: tf.logSigmoid,
    exp: tf.exp,
    square: tf.square,
    logSoftmax: (x) => tf.logSoftmax(x),
    softmax: (x) => tf.softmax(x),
  };
  for (const [name, f] of Object.entries(acts)) {
    it(name, () => {
      fc.assert(
        fc.property(shape, fc.nat(), (s, seed) => {
          expectSameOnBoth(valueAndGrad(f, s, seed), 1e-3, 1e-4, `${name} ${s}`);
        }),
        { numRuns: 15 },
      );
    });
  }
});

describe('reductions and moments', () => {
  it('sum / mean / moments-based batch norm', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        (n, h, w, c, seed) => {
          const s = [n, h, w, c];
          expectSameOnBoth(
            valueAndGrad((x) => tf.sum(x, [1, 2]), s, seed),
            1e-3,
            1e-4,
            'sum',
          );
          expectSameOnBoth(
            valueAndGrad((x) => tf.mean(x, 0), s, seed),
            1e-3,
            1e-4,
            'mean',
          );
          expectSameOnBoth(
            valueAndGrad((x) => tf.sum(x, [0, 1, 2]), s, seed),
            1e-3,
            1e-4,
            'sum leading axes',
          );
          expectSameOnBoth(
            valueAndGrad((x) => tf.sum(x, [1, 0], true), s, seed),
            1e-3,
            1e-4,
            'sum leading axes keepDims',
          );
          expectSameOnBoth(
            valueAndGrad((x) => tf.sum(x), s, seed),
            1e-3,
            1e-4,
            'sum all',
          );
          expectSameOnBoth(
            valueAndGrad(
              (x) => {
                const { mean, variance } = tf.moments(x, [0, 1, 2], true);
                return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3)));
              },
              s,
              seed,
            ),
            1e-3,
            1e-3,
            'batchnorm',
          );
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('structural ops: value and gradient', () => {
  it('concat, slice, stridedSlice, reshape, transpose', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        (a, b, c, seed) => {
          const s = [a, b, c];
          expectSameOnBoth(
            valueAndGrad((x) => tf.concat([x, tf.mul(x, 2)], 1), s, seed),
            1e-3,
            1e-4,
            'concat',
          );
          expectSameOnBoth(
            valueAndGrad((x) => tf.slice(x, [1, 0, 0], [a - 1, b - 1, c]), s, seed),
            1e-3,
            1e-4,
            'slice',
          );
          expectSameOnBoth(
            valueAndGrad((x) => tf.stridedSlice(x, [0, 1, 0], [a, b, c], [2, 1, 1]), s, seed),
            1e-3,
            1e-4,
            'stridedSlice',
          );
          expectSameOnBoth(
            valueAndGrad((x) => tf.transpose(tf.reshape(x, [a, b * c]), [1, 0]), s, seed),
            1e-3,
            1e-4,
            'reshape/transpose',
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it('dropout (seeded)', () => {
    expectSameOnBoth(
      valueAndGrad((x) => tf.dropout(x, 0.3, undefined, 42), [8, 16], 3),
      1e-3,
      1e-4,
      'dropout',
    );
  });
});

describe('optimizers: three steps on a small dense + conv model', () => {
  const makers: Record<string, () => tf.Optimizer> = {
    adam: () => tf.train.adam(0.01),
    rmsprop: () => tf.train.rmsprop(0.01),
    sgd: () => tf.train.sgd(0.05),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(name, () => {
      expectSameOnBoth(
        () => {
          const w = tf.variable(randTensor([3, 3, 2, 4], 1));
          const d = tf.variable(randTensor([4 * 4 * 4, 3], 2));
          const x = randTensor([2, 8, 8, 2], 3);
          const opt = make();
          for (let i = 0; i < 3; i++) {
            opt.minimize(() => {
              const h = tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'));
              const logits = tf.matMul(tf.reshape(h, [2, 64]), d);
              return tf.mean(tf.neg(tf.logSoftmax(logits))) as tf.Scalar;
            });
          }
          const out = [tf.clone(w), tf.clone(d)];
          opt.dispose();
          w.dispose();
          d.dispose();
          return out;
        },
        1e-3,
        1e-4,
        name,
      );
    });
  }
});
