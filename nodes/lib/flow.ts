/**
 * What the normalizing-flow layers share: their ports and shape rule, the
 * per-example log-determinant, the 2×2 squeeze and a float64 matrix inverse.
 */
import { fail, type InferResult, type PortDecl, type Tensor, type TF } from '../../src/graph/nodeApi';
import { formatShape, type Shape } from '../../src/graph/shape';

export const FLOW_CAPABILITY = { input: 'x', output: 'y', logDet: 'logDet' } as const;

export const FLOW_INPUTS: Record<string, PortDecl> = { x: { type: 'tensor', doc: 'B×features or B×H×W×C' } };
export const FLOW_OUTPUTS: Record<string, PortDecl> = {
  y: { type: 'tensor', doc: 'same shape as x' },
  logDet: { type: 'tensor', kind: 'logDet', doc: 'B: log |det ∂y/∂x| of each example' },
};

/** A flow layer that keeps the shape: a batch of vectors or of images, and one log-determinant per example. */
export function flowShapes(x: Shape): InferResult {
  if (x.length !== 2 && x.length !== 4)
    return fail(
      'x',
      `needs B×features or B×H×W×C, got ${formatShape(x)}`,
      x.length < 2 ? 'connect a batch of examples' : 'add a Flatten (vectors) or a Reshape to height×width×channels (images) before it',
    );
  return { y: x, logDet: [x[0]] };
}

/** The same log-determinant for every example (it does not depend on x): a B vector. */
export function sameForEach(tf: TF, logDet: Tensor, batch: number): Tensor {
  return tf.ones([batch]).mul(logDet);
}

/** Σ over every value of each example: B×… → B. */
export function sumPerExample(t: Tensor): Tensor {
  return t.reshape([t.shape[0], -1]).sum(1);
}

/** B×H×W×C → B×H/2×W/2×4C: each 2×2 block of pixels becomes one pixel, its four pixels side by side as channels. */
export function squeeze2x2(x: Tensor): Tensor {
  const [, h, w, c] = x.shape;
  return x
    .reshape([-1, h / 2, 2, w / 2, 2, c])
    .transpose([0, 1, 3, 2, 4, 5])
    .reshape([-1, h / 2, w / 2, 4 * c]);
}

/** The inverse of squeeze2x2: B×H×W×4C → B×2H×2W×C. */
export function unsqueeze2x2(x: Tensor): Tensor {
  const [, h, w, c4] = x.shape;
  const c = c4 / 4;
  return x
    .reshape([-1, h, w, 2, 2, c])
    .transpose([0, 1, 3, 2, 4, 5])
    .reshape([-1, 2 * h, 2 * w, c]);
}

/**
 * The inverse of the n×n matrix `a` (row-major) by Gauss–Jordan elimination
 * with partial pivoting, in float64: TF.js has no matrix inverse.
 */
export function invertMatrix(a: ArrayLike<number>, n: number): Float64Array {
  const m = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(2 * n);
    for (let j = 0; j < n; j++) row[j] = a[i * n + j];
    row[n + i] = 1;
    return row;
  });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (m[pivot][col] === 0) throw new Error('the matrix is singular, so the layer cannot be inverted');
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const scale = 1 / m[col][col];
    for (let j = 0; j < 2 * n; j++) m[col][j] *= scale;
    for (let r = 0; r < n; r++) {
      if (r === col || m[r][col] === 0) continue;
      const f = m[r][col];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[col][j];
    }
  }
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inverse.set(m[i].subarray(n), i * n);
  return inverse;
}
