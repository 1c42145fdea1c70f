/**
 * Convolutions on wasm against cpu: tf.conv2d forward + dx + dW
 * (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter), tf.conv2dTranspose
 * forward + gradients, and a masked (PixelCNN-style) convolution's weight
 * gradient — on random batch sizes, image sizes, channels, kernel sizes,
 * strides 1..3 and 'same' / 'valid' / explicit padding, NHWC.
 * Also runs with a tiny column budget so the chunked (multi-GEMM) path of the
 * im2col kernels is exercised.
 * Tolerance: |wasm - cpu| ≤ 1e-3 + 1e-3·|cpu| per element (sums of up to a
 * few hundred products of values in [-1, 1]).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { expectSameOnBoth, initBackends, randTensor, switchBackend } from './helpers';
import { setColsBudget } from '../../../src/runtime/kernels/conv_geom';

beforeAll(initBackends);

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
const convCase = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    cin: fc.integer({ min: 1, max: 6 }),
    cout: fc.integer({ min: 1, max: 6 }),
    kh: fc.integer({ min: 1, max: 5 }),
    kw: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 3 }),
    padKind: fc.constantFrom('same', 'valid', 'explicit'),
    pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    seed: fc.nat(),
  })
  .map((c) => {
    const pad: Pad =
      c.padKind === 'explicit'
        ? [
            [0, 0],
            [c.pads[0], c.pads[1]],
            [c.pads[2], c.pads[3]],
            [0, 0],
          ]
        : (c.padKind as 'same' | 'valid');
    return { ...c, pad };
  })
  .filter((c) => {
    // the output must be non-empty
    if (c.pad === 'same') return true;
    const ph = c.pad === 'valid' ? 0 : c.pad[1][0] + c.pad[1][1];
    const pw = c.pad === 'valid' ? 0 : c.pad[2][0] + c.pad[2][1];
    return c.h + ph >= c.kh && c.w + pw >= c.kw;
  });

interface ConvCase {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  stride: number;
  pad: Pad;
  seed: number;
}

function convGradCase(c: ConvCase) {
  return () => {
    const x = randTensor([c.n, c.h, c.w, c.cin], c.seed) as tf.Tensor4D;
    const w = randTensor([c.kh, c.kw, c.cin, c.cout], c.seed + 1) as tf.Tensor4D;
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
    const y = f(x, w);
    const r = randTensor(y.shape, c.seed + 2);
    const [gx, gw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(f(x, w), r)))([x, w]);
    return [y, gx, gw];
  };
}

describe('conv2d on wasm matches cpu', () => {
  it('forward, input gradient, filter gradient', () => {
    fc.assert(
      fc.property(convCase, (c) => {
        expectSameOnBoth(convGradCase(c), 1e-3, 1e-3, JSON.stringify(c));
      }),
      { numRuns: 80 },
    );
  });

  describe('with a tiny column budget (chunked im2col / col2im)', () => {
    let prev = 0;
    beforeAll(() => {
      prev = setColsBudget(64);
    });
    afterAll(() => {
      setColsBudget(prev);
    });
    it('forward, input gradient, filter gradient', () => {
      fc.assert(
        fc.property(convCase, (c) => {
          expectSameOnBoth(convGradCase(c), 1e-3, 1e-3, JSON.stringify(c));
        }),
        { numRuns: 30 },
      );
    });
  });

  it('DCGAN-like layer (4x4 stride 2 same, 14x14, 24→32 channels)', () => {
    expectSameOnBoth(
      convGradCase({ n: 2, h: 14, w: 14, cin: 24, cout: 32, kh: 4, kw: 4, stride: 2, pad: 'same', seed: 7 }),
      1e-3,
      1e-3,
      'dcgan layer',
    );
  });
});

describe('conv2dTranspose on wasm matches cpu', () => {
  const tCase = fc.record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 6 }),
    w: fc.integer({ min: 1, max: 6 }),
    cin: fc.integer({ min: 1, max: 6 }),
    cout: fc.integer({ min: 1, max: 6 }),
    k: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.constantFrom('same', 'valid') as fc.Arbitrary<'same' | 'valid'>,
    seed: fc.nat(),
  });
  it('forward and gradients (x and filter)', () => {
    fc.assert(
      fc.property(tCase, (c) => {
        const outH = c.pad === 'same' ? c.h * c.stride : (c.h - 1) * c.stride + c.k;
        const outW = c.pad === 'same' ? c.w * c.stride : (c.w - 1) * c.stride + c.k;
        const shape: [number, number, number, number] = [c.n, outH, outW, c.cout];
        expectSameOnBoth(
          () => {
            const x = randTensor([c.n, c.h, c.w, c.cin], c.seed) as tf.Tensor4D;
            const w = randTensor([c.k, c.k, c.cout, c.cin], c.seed + 1) as tf.Tensor4D;
            const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, shape, c.stride, c.pad);
            const y = f(x, w);
            const r = randTensor(y.shape, c.seed + 2);
            const [gx, gw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(f(x, w), r)))([x, w]);
            return [y, gx, gw];
          },
          1e-3,
          1e-3,
          JSON.stringify(c),
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('masked convolution (conv2d with weights × constant mask)', () => {
  it('matches cpu and never sees the future pixel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (k2, ch, seed) => {
        const k = 2 * k2 + 1;
        const c = k >> 1;
        const maskData = new Float32Array(k * k * ch * ch);
        for (let ky = 0; ky < k; ky++)
          for (let kx = 0; kx < k; kx++) {
            if (ky < c || (ky === c && kx < c)) maskData.fill(1, (ky * k + kx) * ch * ch, (ky * k + kx + 1) * ch * ch);
          }
        const f = () => {
          const x = randTensor([2, 7, 7, ch], seed) as tf.Tensor4D;
          const w = randTensor([k, k, ch, ch], seed + 1);
          const mask = tf.tensor4d(maskData, [k, k, ch, ch]);
          const conv = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, tf.mul(w, mask) as tf.Tensor4D, 1, 'same');
          // gradient of output pixel (3,3) w.r.t. the input: zero at and after (3,3)
          const pick = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.slice(conv(x, w), [0, 3, 3, 0], [1, 1, 1, ch]));
          const [gx, gw] = tf.grads(pick)([x, w]);
          return [conv(x, w), gx, gw];
        };
        expectSameOnBoth(f, 1e-3, 1e-3, `masked k${k} ch${ch}`);
        switchBackend('wasm');
        const gx = tf.tidy(() => f()[1].arraySync() as number[][][][]);
        for (let y = 3; y < 7; y++)
          for (let x = y === 3 ? 3 : 0; x < 7; x++) {
            for (const v of gx[0][y][x]) if (v !== 0) throw new Error(`masked conv sees future pixel (${y},${x})`);
          }
      }),
      { numRuns: 12 },
    );
  });
});
