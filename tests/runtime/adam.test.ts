/**
 * Our Adam (src/runtime/adam.ts) against TF.js's AdamOptimizer: the same
 * updates on cpu and on wasm (fused kernel), and an exact resume from its
 * slots, which TF.js's own Adam does not give.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { AdamOptimizer } from '../../src/runtime/adam';
import { initBackends, randData, switchBackend } from './kernels/helpers';

beforeAll(initBackends);

/** Train a tiny least-squares model for `steps` steps; return the weights. */
function train(make: () => tf.Optimizer, backend: 'cpu' | 'wasm', steps: number): Float32Array {
  switchBackend(backend);
  const w = tf.variable(tf.tensor2d(randData(12, 1), [4, 3]));
  const x = tf.tensor2d(randData(20, 2), [5, 4]),
    y = tf.tensor2d(randData(15, 3), [5, 3]);
  const opt = make();
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      opt.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(x, w), y))) as tf.Scalar, false, [w]);
    });
  }
  const out = Float32Array.from(w.dataSync());
  opt.dispose();
  tf.dispose([w, x, y]);
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]) / (1e-6 + Math.abs(b[i]))));
}

describe('AdamOptimizer', () => {
  it('matches TF.js Adam on cpu and, fused, on wasm', () => {
    const reference = train(() => tf.train.adam(0.01, 0.9, 0.999, 1e-7), 'cpu', 30);
    const oursCpu = train(() => new AdamOptimizer(0.01, 0.9, 0.999, 1e-7), 'cpu', 30);
    const oursWasm = train(() => new AdamOptimizer(0.01, 0.9, 0.999, 1e-7), 'wasm', 30);
    // TF.js multiplies β into a float32 product each step; we use β^t in double: ~1e-6 apart after 30 steps.
    expect(maxRelDiff(oursCpu, reference)).toBeLessThan(1e-4);
    expect(maxRelDiff(oursWasm, oursCpu)).toBeLessThan(1e-5);
    expect(
      maxRelDiff(
        reference,
        train(() => tf.train.adam(0.01), 'cpu', 0),
      ),
    ).toBeGreaterThan(1e-2); // it did move
  });

  it('resumes exactly from its slots, and holds no extra tensors', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      switchBackend(backend);
      const w = tf.variable(tf.tensor2d(randData(12, 1), [4, 3]));
      const x = tf.tensor2d(randData(20, 2), [5, 4]),
        y = tf.tensor2d(randData(15, 3), [5, 3]);
      const loss = () => tf.mean(tf.square(tf.sub(tf.matMul(x, w), y))) as tf.Scalar;
      const start = w.dataSync().slice();
      const straight = new AdamOptimizer(0.01);
      for (let i = 0; i < 40; i++)
        tf.tidy(() => {
          straight.minimize(loss, false, [w]);
        });
      const expected = w.dataSync().slice();
      straight.dispose();

      w.assign(tf.tensor2d(start, [4, 3]));
      const first = new AdamOptimizer(0.01);
      for (let i = 0; i < 25; i++)
        tf.tidy(() => {
          first.minimize(loss, false, [w]);
        });
      const slots = (await first.getWeights()).map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }));
      first.dispose();
      const before = tf.memory().numTensors;
      const resumed = new AdamOptimizer(0.01);
      await resumed.setWeights(slots);
      tf.dispose(slots.map((s) => s.tensor));
      for (let i = 0; i < 15; i++)
        tf.tidy(() => {
          resumed.minimize(loss, false, [w]);
        });
      expect(Array.from(w.dataSync())).toEqual(Array.from(expected));
      expect(resumed.iterations).toBe(40);
      resumed.dispose();
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
      tf.dispose([w, x, y]);
    }
  });
});
