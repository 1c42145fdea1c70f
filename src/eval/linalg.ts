/**
 * Dense float64 linear algebra for small symmetric matrices (d ≈ 100), enough for
 * the Fréchet distance: a cyclic Jacobi eigen-solver and products. Jacobi is
 * chosen over QR for being short, unconditionally convergent on symmetric input,
 * and accurate to the last bits on small eigenvalues (Demmel & Veselić 1992).
 */

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** n × n row-major; column j is the unit eigenvector of values[j]. */
  vectors: Float64Array;
  /** Full sweeps over the off-diagonal taken to converge. */
  sweeps: number;
}

const MAX_SWEEPS = 100;

/**
 * Eigen-decomposition A = V diag(λ) Vᵀ of a symmetric n × n row-major matrix by
 * cyclic Jacobi rotations (Golub & Van Loan §8.5). Stops when the off-diagonal
 * Frobenius norm is ≤ n·ε·‖A‖_F: by Weyl's inequality every eigenvalue is then
 * within that of the diagonal, the same O(n ε ‖A‖) bound a LAPACK solver gives.
 * `a` is symmetrised first, (A + Aᵀ)/2, so the rounding asymmetry of a product
 * such as S Σ S does not matter.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: ${n} × ${n} needs ${n * n} values, got ${a.length}`);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;

  let norm2 = 0;
  for (let k = 0; k < n * n; k++) norm2 += A[k] * A[k];
  // NaN would fail every comparison below and come back as an "eigenvalue".
  if (!Number.isFinite(norm2)) throw new Error('symmetricEigen: the matrix has a non-finite entry');
  const tol2 = (n * Number.EPSILON) ** 2 * norm2;
  const offNorm2 = () => {
    let s = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) s += 2 * A[p * n + q] * A[p * n + q];
    return s;
  };

  let sweeps = 0;
  while (offNorm2() > tol2) {
    if (sweeps === MAX_SWEEPS) throw new Error(`symmetricEigen: no convergence after ${MAX_SWEEPS} sweeps`);
    sweeps++;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        // The rotation angle that zeroes A[p][q]; the smaller root of t² + 2θt − 1 = 0 keeps |angle| ≤ π/4 (stable).
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J: columns p, q, then rows p, q; V ← V J.
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        A[p * n + q] = 0;
        A[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i * n + i] - A[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = A[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = V[k * n + src];
  });
  return { values, vectors, sweeps };
}

/** C = A B for row-major n × m and m × p matrices. */
export function matMul(a: Float64Array, b: Float64Array, n: number, m: number, p: number): Float64Array {
  const c = new Float64Array(n * p);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < p; j++) c[i * p + j] += aik * b[k * p + j];
    }
  return c;
}

/**
 * Eigenvalues below zero are rounding noise on a positive semi-definite matrix
 * (a covariance of n ≤ d samples, or of features a ReLU never turns on, is
 * singular and comes back with λ ≈ −1e-17): clamping them to 0 is exact up to
 * the solver's own error and keeps √λ real.
 */
const clampPsd = (x: number) => (x > 0 ? x : 0);

/** The symmetric PSD square root V diag(√λ₊) Vᵀ of a symmetric n × n matrix. */
export function sqrtPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const r = Math.sqrt(clampPsd(values[j]));
    if (r === 0) continue;
    for (let i = 0; i < n; i++) {
      const vij = vectors[i * n + j] * r;
      for (let k = 0; k < n; k++) out[i * n + k] += vij * vectors[k * n + j];
    }
  }
  return out;
}

/** Tr(A^{1/2}) = Σ √λ₊ of a symmetric PSD n × n matrix. */
export function traceSqrtPsd(a: Float64Array, n: number): number {
  let s = 0;
  for (const v of symmetricEigen(a, n).values) s += Math.sqrt(clampPsd(v));
  return s;
}
