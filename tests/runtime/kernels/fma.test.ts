/**
 * The fused multiply-add build of our kernels (relaxed SIMD, which Chromium
 * runs by default and Node 20 behind a flag, set here before anything
 * compiles) against the cpu backend: matmuls in every orientation and
 * convolutions with their gradients. Tolerance as in matmul / conv tests:
 * |wasm − cpu| ≤ 1e-3 + 1e-3·|cpu| (a fused multiply-add rounds once, not twice).
 */
import v8 from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { expectSameOnBoth, initBackends, randTensor } from './helpers';
import { nativeFma } from '../../../src/runtime/kernels/native';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
beforeAll(initBackends);

describe('fused multiply-add kernels', () => {
  it('are the ones this runtime picks once relaxed SIMD is on', () => {
    expect(nativeFma()).toBe(true);
  });

  it('matmul, all orientations, with gradients', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        (m, k, n, ta, tb, seed) => {
          expectSameOnBoth(
            () => {
              const a = randTensor(ta ? [k, m] : [m, k], seed),
                b = randTensor(tb ? [n, k] : [k, n], seed + 1);
              const r = randTensor([m, n], seed + 2);
              const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, ta, tb), r)))([a, b]);
              return [tf.matMul(a, b, ta, tb), ga, gb];
            },
            1e-3,
            1e-3,
            `${m}x${k}x${n} ${ta} ${tb}`,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('conv2d, stride 1 and 2, with gradients', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 4, max: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(1, 3, 4),
        fc.constantFrom(1, 2),
        fc.nat(),
        (nb, hw, cin, cout, k, stride, seed) => {
          expectSameOnBoth(
            () => {
              const x = randTensor([nb, hw, hw, cin], seed) as tf.Tensor4D,
                w = randTensor([k, k, cin, cout], seed + 1) as tf.Tensor4D;
              const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, 'same');
              const r = randTensor(f(x, w).shape, seed + 2);
              const [gx, gw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(f(x, w), r)))([x, w]);
              return [f(x, w), gx, gw];
            },
            1e-3,
            1e-3,
            `n${nb} ${hw}² ${cin}→${cout} k${k} s${stride}`,
          );
        },
      ),
      { numRuns: 30 },
    );
  });
});
