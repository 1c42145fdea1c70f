/**
 * Window arithmetic shared by the pooling layers: non-overlapping k×k windows
 * (stride = pool size, as Keras's default) on NHWC images.
 *
 * The layers pool with reshapes, slices, maximum and sum instead of
 * tf.maxPool / tf.avgPool, whose gradients are wrong in TF.js 4.22: the wasm
 * MaxPoolGrad drops the gradient of windows whose maximum is negative (all
 * but the first in the tensor), and AvgPoolGrad (cpu and wasm) divides
 * padded windows by k² while the forward pass divides by the cells that exist. The ops used here have correct
 * gradients on every backend (tests/nodes/resampleLayers.test.ts).
 */
import { fail, type InferResult, type Tensor, type TF } from '../../src/graph/nodeApi';
import { choice, int } from '../../src/graph/params';
import { type Shape } from '../../src/graph/shape';
import { needImage } from './conv';

export const POOL_PADDINGS = ['valid', 'same'] as const;

/** Both pooling nodes' parameters. */
export const POOL_PARAMS = {
  poolSize: int({ default: 2, min: 2, max: 16, doc: 'height and width of each window; the windows do not overlap' }),
  padding: choice(
    POOL_PADDINGS,
    'valid',
    'valid: the windows must tile the map exactly; same: pad the last row and column so they do (7 → 4 with size 2)',
  ),
};

/** TF's 'same' rule for stride = window: pad up to whole windows, the odd cell after (bottom / right). */
export function poolPads(n: number, k: number): [number, number] {
  const total = Math.ceil(n / k) * k - n;
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Cells of a side of n in each window: k, fewer in a window that 'same' padded. */
export function cellsPerWindow(n: number, k: number): number[] {
  const [before] = poolPads(n, k);
  return Array.from({ length: Math.ceil(n / k) }, (_, i) => Math.min(n, (i + 1) * k - before) - Math.max(0, i * k - before));
}

/** Pool sizes above 1 that split both sides into whole windows. */
function commonDivisors(h: number, w: number): number[] {
  const out: number[] = [];
  for (let k = 2; k <= Math.min(h, w); k++) if (h % k === 0 && w % k === 0) out.push(k);
  return out;
}

const list = (xs: number[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}` : String(xs[0]));

/** B×H×W×C → B×⌈H/k⌉×⌈W/k⌉×C; 'valid' refuses a map that does not split into whole windows, and says what would. */
export function inferPool(x: Shape, k: number, padding: string): InferResult {
  const notImage = needImage(x);
  if (notImage) return notImage;
  const [batch, h, w, c] = x;
  const out = (n: number) => Math.ceil(n / k);
  if (padding === 'valid' && (h % k !== 0 || w % k !== 0)) {
    const n = h % k !== 0 ? h : w;
    const divisors = commonDivisors(h, w);
    const sizes = divisors.length ? `use pool size ${list(divisors)}, or ` : '';
    return fail(
      'x',
      `a ${h}×${w} map does not split into whole ${k}×${k} windows (${n} = ${Math.floor(n / k)}·${k} + ${n % k})`,
      `${sizes}set padding to "same", which pads to ${out(h) * k}×${out(w) * k} and gives ${out(h)}×${out(w)}`,
    );
  }
  return { y: [batch, out(h), out(w), c] };
}

/** The map padded with `padValue` where 'same' needs it, so its sides are whole numbers of windows. */
function padToWindows(tf: TF, x: Tensor, k: number, padValue: number): Tensor {
  const [, h, w] = x.shape;
  const [top, bottom] = poolPads(h, k);
  const [left, right] = poolPads(w, k);
  if (top + bottom + left + right === 0) return x;
  return tf.pad(
    x,
    [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
    padValue,
  );
}

/** Sum of each k×k window: B×H′×W′×C. */
export function windowSums(tf: TF, x: Tensor, k: number): Tensor {
  const p = padToWindows(tf, x, k, 0);
  const [, h, w, c] = p.shape;
  return p.reshape([-1, h / k, k, w / k, k, c]).sum([2, 4]);
}

/** Max over axis 1 of A×k×R as a chain of tf.maximum over its k slices: ties go to the first, as in TF. */
function maxOfSlices(tf: TF, v: Tensor, k: number): Tensor {
  const [a, , r] = v.shape;
  let m = tf.slice(v, [0, 0, 0], [a, 1, r]);
  for (let i = 1; i < k; i++) m = tf.maximum(m, tf.slice(v, [0, i, 0], [a, 1, r]));
  return m;
}

/**
 * Largest value of each k×k window: B×H′×W′×C, the rows of each window
 * first, then its columns. Padded with −∞, so padding never wins. (A max
 * over reshaped window axes would be simpler, but its gradient's broadcast
 * Equal costs more than the whole convolution step on wasm.)
 */
export function windowMaxima(tf: TF, x: Tensor, k: number): Tensor {
  const p = padToWindows(tf, x, k, -Infinity);
  const [b, h, w, c] = p.shape;
  const rows = maxOfSlices(tf, p.reshape([(b * h) / k, k, w * c]), k);
  return maxOfSlices(tf, rows.reshape([((b * h) / k) * (w / k), k, c]), k).reshape([b, h / k, w / k, c]);
}
