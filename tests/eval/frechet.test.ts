import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fld, frechetDistance, gaussianFit, type GaussianFit } from '../../src/eval/frechet';
import { matrix } from '../../src/eval/matrix';
import { normalMatrix, randomOrthogonal, withEigenvalues } from './gaussian';

const fit = (mean: number[], cov: Float64Array): GaussianFit => ({ d: mean.length, n: Infinity, mean: Float64Array.from(mean), cov });
const diag = (v: number[]) =>
  withEigenvalues(
    randomOrthogonal(v.length, 0).map((_, i) => (i % (v.length + 1) === 0 ? 1 : 0)),
    v,
  );
const trace = (g: GaussianFit) => g.cov.reduce((t, v, i) => (i % (g.d + 1) === 0 ? t + v : t), 0);

describe('gaussianFit', () => {
  it('gives the sample mean and the unbiased (n − 1) covariance, as numpy.cov does', () => {
    // x = [[1, 2], [3, 6], [5, 7]]: mean (3, 5); centred rows (−2, −3), (0, 1), (2, 2).
    const g = gaussianFit(matrix(3, 2, Float64Array.of(1, 2, 3, 6, 5, 7)));
    expect([...g.mean]).toEqual([3, 5]);
    expect([...g.cov]).toEqual([8 / 2, 10 / 2, 10 / 2, 14 / 2]);
  });
});

describe('frechetDistance against closed forms', () => {
  it('diagonal covariances: ‖Δμ‖² + Σᵢ (σ₁ᵢ − σ₂ᵢ)²', () => {
    const v1 = [1, 4, 9, 0.25];
    const v2 = [4, 1, 9, 1];
    const expected = (1 - 0) ** 2 + (2 - 1) ** 2 + (0 - 3) ** 2 + (0 - 0) ** 2 + [1, 1, 0, 0.25].reduce((t, x) => t + x, 0);
    expect(frechetDistance(fit([1, 2, 0, 0], diag(v1)), fit([0, 1, 3, 0], diag(v2)))).toBeCloseTo(expected, 12);
  });

  it('rotated non-diagonal covariances sharing eigenvectors: the same formula on their eigenvalues', () => {
    const q = randomOrthogonal(6, 11);
    const l1 = [1, 2, 3, 4, 5, 6];
    const l2 = [6, 1, 0.5, 4, 2, 9];
    const expected = l1.reduce((t, l, i) => t + (Math.sqrt(l) - Math.sqrt(l2[i])) ** 2, 0);
    expect(frechetDistance(fit(Array(6).fill(0), withEigenvalues(q, l1)), fit(Array(6).fill(0), withEigenvalues(q, l2)))).toBeCloseTo(
      expected,
      11,
    );
  });

  it('non-commuting 2 × 2 covariances: Tr √M = √(Tr M + 2√det M) with M ~ Σ₁Σ₂ (fast-check)', () => {
    const spd = fc
      .tuple(
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        fc.double({ min: 0, max: Math.PI, noNaN: true }),
      )
      .map(([a, b, t]) => {
        const [c, s] = [Math.cos(t), Math.sin(t)];
        return Float64Array.of(a * c * c + b * s * s, (a - b) * c * s, (a - b) * c * s, a * s * s + b * c * c);
      });
    const mean = fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }));
    fc.assert(
      fc.property(spd, spd, mean, (s1, s2, [mx, my]) => {
        const tr12 = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
        const det = (s1[0] * s1[3] - s1[1] ** 2) * (s2[0] * s2[3] - s2[1] ** 2);
        const expected = mx * mx + my * my + s1[0] + s1[3] + s2[0] + s2[3] - 2 * Math.sqrt(tr12 + 2 * Math.sqrt(det));
        const got = frechetDistance(fit([mx, my], s1), fit([0, 0], s2));
        expect(Math.abs(got - Math.max(0, expected))).toBeLessThan(1e-9 * (1 + expected));
        // Symmetric in its arguments, so a floor fld(realA, realB) needs no convention.
        expect(frechetDistance(fit([0, 0], s2), fit([mx, my], s1))).toBeCloseTo(got, 9);
      }),
      { numRuns: 200 },
    );
  });
});

describe('fld on samples', () => {
  it('FLD(A, A) = 0 to 1e-6 of Tr Σ, also for singular covariances (n < d, constant features) (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (n, d, seed) => {
        const a = normalMatrix(n, d, seed);
        for (let i = 0; i < n; i++) a.data[i * d] = 0.5; // a dead ReLU unit: zero variance
        const g = gaussianFit(a);
        expect(fld(a, a)).toBeLessThanOrEqual(1e-6 * Math.max(1, trace(g)));
      }),
      { numRuns: 60 },
    );
  });

  it('FLD(A, A) = 0 at the real size d = 100 with n = 2000', () => {
    const a = normalMatrix(2000, 100, 5, 0.3, 2);
    expect(fld(a, a)).toBeLessThan(1e-6 * trace(gaussianFit(a)));
  });

  it('two samples of one Gaussian give ≈ 0, and shifting one set adds exactly the change in ‖Δμ‖² (Σ is shift-invariant)', () => {
    const a = normalMatrix(4000, 4, 1);
    const b = normalMatrix(4000, 4, 2);
    const c = matrix(
      4000,
      4,
      b.data.map((v) => v + 1),
    );
    const [ma, mb] = [gaussianFit(a).mean, gaussianFit(b).mean];
    const meanTerm = (shift: number) => ma.reduce((t, m, k) => t + (m - mb[k] - shift) ** 2, 0);
    expect(fld(a, b)).toBeLessThan(0.01);
    expect(fld(a, c)).toBeCloseTo(fld(a, b) - meanTerm(0) + meanTerm(1), 9);
  });

  it('rises monotonically as Gaussian noise of growing σ is added to a fixed set (fast-check over seeds)', () => {
    const sigmas = [0, 0.1, 0.3, 1, 3];
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        // A structured fixed set (correlated, non-zero mean), and one noise draw scaled by σ.
        const base = normalMatrix(800, 8, seed, 1);
        for (let i = 0; i < 800; i++) base.data[i * 8 + 1] += 2 * base.data[i * 8];
        const noise = normalMatrix(800, 8, seed + 1);
        const values = sigmas.map((s) =>
          fld(
            base,
            matrix(
              800,
              8,
              base.data.map((v, i) => v + s * noise.data[i]),
            ),
          ),
        );
        for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
      }),
      { numRuns: 10 },
    );
  });
});
