/**
 * End to end: a tiny conv net (conv 4x4 s2 → leakyRelu → conv 3x3 s1 →
 * conv2dTranspose 4x4 s2 → sigmoid) trains on wasm with our kernels as an
 * autoencoder of random blobs; the loss must fall by at least 30% in 40 Adam
 * steps, and no tensors may leak per step.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../../src/runtime/backend';
import { fastWasmKernelsRegistered } from '../../../src/runtime/kernels/index';
import { randTensor } from './helpers';

beforeAll(async () => {
  await setupBackend('wasm');
});

describe('a tiny conv net trains on wasm', () => {
  it('loss falls', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(fastWasmKernelsRegistered()).toBe(true);
    const x = tf.tidy(() => tf.sigmoid(tf.mul(randTensor([8, 12, 12, 1], 5), 4)));
    const w1 = tf.variable(tf.mul(randTensor([4, 4, 1, 8], 1), 0.3));
    const w2 = tf.variable(tf.mul(randTensor([3, 3, 8, 8], 2), 0.2));
    const w3 = tf.variable(tf.mul(randTensor([4, 4, 1, 8], 3), 0.2));
    const opt = tf.train.adam(0.02);
    const loss = () =>
      tf.tidy(() => {
        const h1 = tf.leakyRelu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'), 0.2);
        const h2 = tf.relu(tf.conv2d(h1 as tf.Tensor4D, w2 as tf.Tensor4D, 1, 'same'));
        const y = tf.sigmoid(tf.conv2dTranspose(h2 as tf.Tensor4D, w3 as tf.Tensor4D, [8, 12, 12, 1], 2, 'same'));
        return tf.mean(tf.square(tf.sub(y, x))) as tf.Scalar;
      });
    const losses: number[] = [];
    let tensorsAfter2 = 0;
    for (let i = 0; i < 40; i++) {
      const l = opt.minimize(loss, true)!;
      losses.push(l.dataSync()[0]);
      l.dispose();
      if (i === 1) tensorsAfter2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensorsAfter2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.7 * losses[0]);
    opt.dispose();
    tf.dispose([x, w1, w2, w3]);
  });
});
