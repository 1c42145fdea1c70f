import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matMul, sqrtPsd, symmetricEigen, traceSqrtPsd } from '../../src/eval/linalg';
import { createRng } from '../../src/graph/random';
import { randomOrthogonal, withEigenvalues } from './gaussian';

const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const diff = (a: Float64Array, b: Float64Array) => a.map((v, i) => v - b[i]);

function reconstruct(values: Float64Array, vectors: Float64Array, n: number) {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j] += vectors[i * n + k] * values[k] * vectors[j * n + k];
  return out;
}

function transpose(a: Float64Array, n: number) {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('reconstructs random SPD matrices (V Λ Vᵀ = A, Vᵀ V = I) to ~1e-12 relative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer(), (n, seed) => {
        const rng = createRng(seed);
        const b = Float64Array.from({ length: n * n }, () => rng.normal());
        const a = matMul(transpose(b, n), b, n, n, n); // BᵀB: SPD almost surely
        const { values, vectors } = symmetricEigen(a, n);
        const scale = maxAbs(a);
        expect(maxAbs(diff(reconstruct(values, vectors, n), a))).toBeLessThan(1e-12 * scale * n);
        const vtv = matMul(transpose(vectors, n), vectors, n, n, n);
        for (let i = 0; i < n; i++) vtv[i * n + i] -= 1;
        expect(maxAbs(vtv)).toBeLessThan(1e-12 * n);
        for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
      }),
      { numRuns: 40 },
    );
  });

  it('returns known eigenvalues, repeated and zero ones included, at d = 100', () => {
    const d = 100;
    const lambda = Array.from({ length: d }, (_, i) => (i < 10 ? 0 : i < 20 ? 2.5 : i * 0.37));
    const { values, sweeps } = symmetricEigen(withEigenvalues(randomOrthogonal(d, 7), lambda), d);
    const sorted = [...lambda].sort((x, y) => x - y);
    values.forEach((v, i) => expect(Math.abs(v - sorted[i])).toBeLessThan(1e-11));
    expect(sweeps).toBeLessThan(20);
  });

  it('matches the 2 × 2 closed form (λ = (a + c)/2 ± √(((a − c)/2)² + b²))', () => {
    const [a, b, c] = [3, 1.5, -2];
    const m = (a + c) / 2;
    const r = Math.hypot((a - c) / 2, b);
    const { values } = symmetricEigen(Float64Array.of(a, b, b, c), 2);
    expect(values[0]).toBeCloseTo(m - r, 14);
    expect(values[1]).toBeCloseTo(m + r, 14);
  });

  it('refuses a non-finite matrix instead of returning NaN eigenvalues', () => {
    expect(() => symmetricEigen(Float64Array.of(1, NaN, NaN, 1), 2)).toThrow(/non-finite/);
  });
});

describe('sqrtPsd and traceSqrtPsd', () => {
  it('squares back to A and traces to Σ √λ, clamping the rounding-negative eigenvalues of a singular matrix', () => {
    const d = 30;
    // Rank 20: ten exact zeros, which the solver returns as ±1e-16.
    const lambda = Array.from({ length: d }, (_, i) => (i < 10 ? 0 : 1 + i));
    const a = withEigenvalues(randomOrthogonal(d, 3), lambda);
    const s = sqrtPsd(a, d);
    expect(s.every(Number.isFinite)).toBe(true);
    expect(maxAbs(diff(matMul(s, s, d, d, d), a))).toBeLessThan(1e-11);
    // A zero eigenvalue comes back as ~ε‖A‖ ≈ 1e-15, whose root is ~3e-8: √ amplifies the solver's error near 0.
    expect(Math.abs(traceSqrtPsd(a, d) - lambda.reduce((t, l) => t + Math.sqrt(l), 0))).toBeLessThan(10 * Math.sqrt(1e-14 * 30));
  });
});
