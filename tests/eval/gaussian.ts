import { createRng } from '../../src/graph/random';
import { matrix, type Matrix } from '../../src/eval/matrix';

/** n × d standard-normal draws times `scale`, plus `shift`, from a seeded stream. */
export function normalMatrix(n: number, d: number, seed: number, shift = 0, scale = 1): Matrix {
  const rng = createRng(seed);
  const a = new Float64Array(n * d);
  for (let i = 0; i < a.length; i++) a[i] = shift + scale * rng.normal();
  return matrix(n, d, a);
}

/** A random orthogonal d × d matrix (Gram–Schmidt on Gaussian columns), row-major. */
export function randomOrthogonal(d: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const q = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i] * q[i * d + p];
      for (let i = 0; i < d; i++) v[i] -= dot * q[i * d + p];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < d; i++) q[i * d + j] = v[i] / norm;
  }
  return q;
}

/** Q diag(λ) Qᵀ. */
export function withEigenvalues(q: Float64Array, lambda: number[]): Float64Array {
  const d = lambda.length;
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) a[i * d + j] += q[i * d + k] * lambda[k] * q[j * d + k];
  return a;
}
