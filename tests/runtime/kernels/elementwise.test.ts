/**
 * Our native elementwise kernels on wasm against the cpu backend: Exp, Log, Log1p,
 * Softplus, Sqrt, LeakyRelu, the comparisons, Maximum/Minimum with a scalar,
 * Select and leading-axes Sum and Mean — on random shapes (including lengths that are
 * not a multiple of the SIMD width), values over the whole useful range, and
 * the special values (±0, ±inf, NaN, subnormals, overflow).
 * Tolerance: exp/log/softplus ≤ 4 ulp-ish (|Δ| ≤ 1e-37 + 5e-7·|cpu|); the rest
 * exact, except Sum (1e-5 relative: a different summation order).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { expectSameOnBoth, initBackends, randData, runOn, switchBackend } from './helpers';
import { fastWasmKernelsRegistered } from '../../../src/runtime/kernels/index';

beforeAll(initBackends);

const length = fc.integer({ min: 1, max: 70 });
const SPECIALS = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  1e-45,
  1e-40,
  1.2e-38,
  -1e-40,
  88.7,
  88.71,
  88.722,
  88.73,
  89,
  -87.3,
  -88,
  -104,
  1e30,
  -1e30,
  -13.94,
  -13.95,
  13.94,
  13.95,
  1,
  -1,
  0.5,
];

/** Values spread over [-scale, scale], with the special values mixed in. */
function values(n: number, seed: number, scale: number): Float32Array {
  const d = randData(n, seed).map((v) => v * scale);
  for (let i = 0; i < n; i += 3) d[i] = SPECIALS[(seed + i) % SPECIALS.length];
  return d;
}

/** Same on both backends, treating NaN = NaN. */
function expectClose(f: () => tf.Tensor, rtol: number, atol: number, what: string) {
  const [w] = runOn('wasm', f);
  const [c] = runOn('cpu', f);
  switchBackend('wasm');
  for (let i = 0; i < c.length; i++) {
    if (Number.isNaN(c[i]) && Number.isNaN(w[i])) continue;
    if (c[i] === w[i]) continue; // includes infinities
    const err = Math.abs(w[i] - c[i]);
    if (!(err <= atol + rtol * Math.abs(c[i]))) throw new Error(`${what}[${i}]: wasm ${w[i]} vs cpu ${c[i]}`);
  }
}

describe('native elementwise kernels match cpu', () => {
  it('are the ones registered on wasm', () => {
    expect(fastWasmKernelsRegistered()).toBe(true);
  });

  const unary: Record<string, [(x: tf.Tensor) => tf.Tensor, number, number]> = {
    exp: [tf.exp, 5e-7, 1e-37],
    log: [(x) => tf.log(tf.abs(x)), 5e-7, 1e-37],
    logSigned: [tf.log, 5e-7, 1e-37],
    log1p: [(x) => tf.log1p(tf.abs(x)), 5e-7, 1e-37],
    log1pSigned: [tf.log1p, 5e-7, 1e-37],
    softplus: [tf.softplus, 5e-7, 1e-37],
    sqrt: [(x) => tf.sqrt(tf.abs(x)), 0, 0],
    // cpu rounds α·x from double, we multiply in float32: 1 ulp apart
    leakyRelu: [(x) => tf.leakyRelu(x, 0.2), 2.5e-7, 0],
    maxScalar: [(x) => tf.maximum(x, 0.25), 0, 0],
    minScalarFirst: [(x) => tf.minimum(-0.5, x), 0, 0],
  };
  for (const [name, [f, rtol, atol]] of Object.entries(unary)) {
    it(name, () => {
      fc.assert(
        fc.property(length, fc.nat(), fc.constantFrom(1, 20, 100), (n, seed, scale) => {
          expectClose(() => f(tf.tensor1d(values(n, seed, scale))), rtol, atol, `${name} n=${n} seed=${seed}`);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('comparisons, scalar on either side and same shape', () => {
    const ops = [tf.greater, tf.greaterEqual, tf.less, tf.lessEqual];
    fc.assert(
      fc.property(length, fc.nat(), fc.nat(3), fc.constantFrom('scalarB', 'scalarA', 'same'), (n, seed, k, form) => {
        const op = ops[k];
        const f = () => {
          const a = tf.tensor2d(values(n, seed, 3), [1, n]);
          const b = form === 'same' ? tf.tensor2d(values(n, seed + 1, 3), [1, n]) : tf.scalar(0.5);
          return tf.cast(form === 'scalarA' ? op(b, a) : op(a, b), 'float32');
        };
        expectSameOnBoth(f, 0, 0, `${op.name} ${form} n=${n}`);
      }),
      { numRuns: 60 },
    );
  });

  it('select with a bool mask, and leaky-relu gradient through it', () => {
    fc.assert(
      fc.property(length, fc.nat(), (n, seed) => {
        expectSameOnBoth(
          () => {
            const x = tf.tensor1d(randData(n, seed).map((v) => v * 3));
            const y = tf.where(tf.greater(x, 0), x, tf.mul(x, -2));
            const g = tf.grad((x: tf.Tensor) => tf.sum(tf.leakyRelu(x, 0.2)))(x);
            return [y, g];
          },
          0,
          0,
          `n=${n}`,
        );
      }),
      { numRuns: 40 },
    );
  });

  it('sum and mean over leading axes, with and without keepDims', () => {
    const shapeAndLead = fc
      .array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 })
      .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 1, max: shape.length - 1 })));
    fc.assert(
      fc.property(shapeAndLead, fc.nat(), fc.boolean(), ([shape, lead], seed, keep) => {
        const axes = shape.slice(0, lead).map((_, i) => i);
        expectSameOnBoth(
          () => {
            const x = tf.tensor(
              randData(
                shape.reduce((a, b) => a * b, 1),
                seed,
              ),
              shape,
            );
            return [tf.sum(x, axes, keep), tf.mean(x, axes, keep)];
          },
          1e-5,
          // float32 sums taken in a different order differ by up to ~n·eps·max|x| when terms cancel
          1e-6 * axes.reduce((n, a) => n * shape[a], 1),
          `${shape} axes ${axes}`,
        );
      }),
      { numRuns: 40 },
    );
  });
});
