/**
 * Fréchet distance between Gaussian fits of two feature sets — FID (Heusel et al.
 * 2017, "GANs trained by a two time-scale update rule…") on our classifier's
 * penultimate features, hence FLD (Fréchet LeNet Distance):
 *
 *   FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2})
 *
 * the squared 2-Wasserstein distance between N(μ₁, Σ₁) and N(μ₂, Σ₂) (Dowson &
 * Landau 1982). Means and covariances (unbiased, n − 1 like numpy.cov) are in
 * float64. The trace term uses Tr((Σ₁Σ₂)^{1/2}) = Tr((Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}),
 * whose argument is symmetric PSD, so both roots come from symmetric
 * eigen-decompositions (no complex parts to discard, as scipy.linalg.sqrtm
 * leaves on the non-symmetric Σ₁Σ₂). It is biased upward for small n; compare a
 * value only with a floor computed on the same n.
 */
import { sqrtPsd, traceSqrtPsd, matMul } from './linalg';
import type { Matrix } from './matrix';

export interface GaussianFit {
  d: number;
  n: number;
  mean: Float64Array;
  /** d × d row-major, unbiased (divides by n − 1). */
  cov: Float64Array;
}

export function gaussianFit(x: Matrix): GaussianFit {
  const { rows: n, cols: d, data } = x;
  if (n < 2) throw new Error(`gaussianFit: need ≥ 2 samples for a covariance, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += data[i * d + k];
  for (let k = 0; k < d; k++) mean[k] /= n;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) c[k] = data[i * d + k] - mean[k];
    for (let k = 0; k < d; k++) {
      const ck = c[k];
      for (let l = k; l < d; l++) cov[k * d + l] += ck * c[l];
    }
  }
  for (let k = 0; k < d; k++)
    for (let l = k; l < d; l++) {
      cov[k * d + l] /= n - 1;
      cov[l * d + k] = cov[k * d + l];
    }
  return { d, n, mean, cov };
}

/** FD between two Gaussian fits (symmetric in its arguments). */
export function frechetDistance(g1: GaussianFit, g2: GaussianFit): number {
  const d = g1.d;
  if (g2.d !== d) throw new Error(`frechetDistance: ${d} vs ${g2.d} features`);
  let meanTerm = 0;
  for (let k = 0; k < d; k++) meanTerm += (g1.mean[k] - g2.mean[k]) ** 2;
  let trace = 0;
  for (let k = 0; k < d; k++) trace += g1.cov[k * d + k] + g2.cov[k * d + k];
  const s1 = sqrtPsd(g1.cov, d);
  const cross = traceSqrtPsd(matMul(matMul(s1, g2.cov, d, d, d), s1, d, d, d), d);
  // ≥ 0 exactly; rounding can leave −1e-13 for identical fits, which would read as nonsense.
  return Math.max(0, meanTerm + trace - 2 * cross);
}

/** FLD of two feature sets: frechetDistance of their Gaussian fits. Its floor is fld(realA, realB). */
export function fld(a: Matrix, b: Matrix): number {
  return frechetDistance(gaussianFit(a), gaussianFit(b));
}
