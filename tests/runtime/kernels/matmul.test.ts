/**
 * BatchMatMul and _FusedMatMul on wasm (our transpose-first kernels) against
 * cpu, forward and both gradients, on random shapes, batch sizes (with
 * broadcasting) and every transpose combination.
 * Tolerance: |wasm - cpu| ≤ 1e-4 + 1e-3·|cpu| per element.
 */
import { beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { expectSameOnBoth, initBackends, randTensor } from './helpers';

beforeAll(initBackends);

const dim = fc.integer({ min: 1, max: 17 });
const shapeCase = fc
  .record({
    m: dim,
    k: dim,
    n: dim,
    batchA: fc.constantFrom(0, 1, 2, 3),
    batchB: fc.constantFrom(0, 1, 2, 3),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    seed: fc.nat(),
  })
  .filter((c) => c.batchA === c.batchB || c.batchA <= 1 || c.batchB <= 1);

function operands(c: {
  m: number;
  k: number;
  n: number;
  batchA: number;
  batchB: number;
  transposeA: boolean;
  transposeB: boolean;
  seed: number;
}) {
  const sa = c.transposeA ? [c.k, c.m] : [c.m, c.k];
  const sb = c.transposeB ? [c.n, c.k] : [c.k, c.n];
  const a = randTensor(c.batchA ? [c.batchA, ...sa] : sa, c.seed);
  const b = randTensor(c.batchB ? [c.batchB, ...sb] : sb, c.seed + 1);
  return { a, b };
}

describe('BatchMatMul on wasm matches cpu', () => {
  it('forward and gradients, all transpose combinations', () => {
    // tf.grads of a broadcast matmul fails on every backend (TF.js's
    // BatchMatMul gradient does not reduce broadcast batch dims), so
    // gradients are checked with equal batch dims and broadcasting forward only.
    fc.assert(
      fc.property(
        shapeCase.filter((c) => c.batchA === c.batchB),
        (c) => {
          expectSameOnBoth(
            () => {
              const { a, b } = operands(c);
              const y = tf.matMul(a, b, c.transposeA, c.transposeB);
              const r = randTensor(y.shape, c.seed + 2);
              const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, c.transposeA, c.transposeB), r)))([
                a,
                b,
              ]);
              return [y, ga, gb];
            },
            1e-3,
            1e-4,
            JSON.stringify(c),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('forward with broadcast batch dims', () => {
    fc.assert(
      fc.property(shapeCase, (c) => {
        expectSameOnBoth(
          () => {
            const { a, b } = operands(c);
            return tf.matMul(a, b, c.transposeA, c.transposeB);
          },
          1e-3,
          1e-4,
          JSON.stringify(c),
        );
      }),
      { numRuns: 40 },
    );
  });
});

describe('batched matmul sent to XNNPACK one matrix at a time', () => {
  it('larger batched shapes, forward and gradients', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 16, max: 24 }),
        fc.integer({ min: 16, max: 24 }),
        fc.integer({ min: 16, max: 24 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        (batch, m, k, n, ta, tb, bcast, seed) => {
          const c = { m, k, n, batchA: batch, batchB: bcast ? 1 : batch, transposeA: ta, transposeB: tb, seed };
          expectSameOnBoth(
            () => {
              const { a, b } = operands(c);
              const y = tf.matMul(a, b, ta, tb);
              // batch-1 operand on the right (above) and on the left (below)
              if (bcast) return [y, tf.matMul(tf.slice(a, [0, 0, 0], [1, -1, -1]), tf.tile(b, [batch, 1, 1]), ta, tb)]; // no broadcast gradients in TF.js (see above)
              const r = randTensor(y.shape, seed + 2);
              const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, ta, tb), r)))([a, b]);
              return [y, ga, gb];
            },
            1e-3,
            1e-3,
            JSON.stringify(c),
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('_FusedMatMul on wasm matches cpu', () => {
  const acts = ['linear', 'relu', 'elu', 'sigmoid', 'leakyrelu', 'relu6'] as const;
  it('forward and gradients with bias and activation', () => {
    fc.assert(
      fc.property(
        shapeCase.filter((c) => c.batchA === c.batchB),
        fc.constantFrom(...acts),
        (c, activation) => {
          expectSameOnBoth(
            () => {
              const { a, b } = operands(c);
              const bias = randTensor([c.n], c.seed + 3);
              const f = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
                tf.fused.matMul({
                  a: a as tf.Tensor2D,
                  b: b as tf.Tensor2D,
                  transposeA: c.transposeA,
                  transposeB: c.transposeB,
                  bias,
                  activation,
                  leakyreluAlpha: 0.2,
                });
              const y = f(a, b, bias);
              const r = randTensor(y.shape, c.seed + 2);
              const g = tf.grads((a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) => tf.sum(tf.mul(f(a, b, bias), r)))([a, b, bias]);
              return [y, ...g];
            },
            1e-3,
            1e-4,
            `${activation} ${JSON.stringify(c)}`,
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
