/**
 * The codes the code-space views decode: points drawn uniformly from the box
 * the encoded examples fill (seed 004: a plain autoencoder's codes occupy a thin
 * part of that box, so most of it decodes to no digit), and the grid of a 2-D
 * latent space (Kingma & Welling's manifold figure).
 */
import { createRng } from '../../graph/random';

/** Per latent dimension, the smallest and largest value among `n` codes of `dim` values. */
export function codeBox(latents: Float32Array, n: number, dim: number): { lo: Float32Array; hi: Float32Array } {
  const lo = new Float32Array(dim).fill(Infinity);
  const hi = new Float32Array(dim).fill(-Infinity);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++) {
      const v = latents[i * dim + d];
      if (v < lo[d]) lo[d] = v;
      if (v > hi[d]) hi[d] = v;
    }
  return { lo, hi };
}

/** `count` codes drawn uniformly from the box, every dimension independently (seeded: the same codes each time). */
export function uniformCodes(box: { lo: Float32Array; hi: Float32Array }, count: number, seed: number): Float32Array {
  const dim = box.lo.length;
  const rng = createRng(seed);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) out[i * dim + d] = box.lo[d] + rng.next() * (box.hi[d] - box.lo[d]);
  return out;
}

/**
 * Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation (relative error < 1.2e-9):
 * a manifold grid evenly spaced in probability covers N(0, I) as the prior weighs it.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * A side × side grid of 2-D codes, row by row from the top (largest z₂) so it reads like a plot: at the
 * prior's quantiles (i + ½)/side for a model with a N(0, I) prior, else evenly over the encoded codes' box.
 */
export function manifoldGrid(side: number, over: { prior: true } | { lo: [number, number]; hi: [number, number] }): Float32Array {
  const at = (k: number, axis: 0 | 1) =>
    'prior' in over ? normalQuantile((k + 0.5) / side) : over.lo[axis] + ((k + 0.5) / side) * (over.hi[axis] - over.lo[axis]);
  const out = new Float32Array(side * side * 2);
  for (let row = 0; row < side; row++)
    for (let col = 0; col < side; col++) {
      out[(row * side + col) * 2] = at(col, 0);
      out[(row * side + col) * 2 + 1] = at(side - 1 - row, 1);
    }
  return out;
}
