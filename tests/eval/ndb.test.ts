import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/eval/matrix';
import { fitNdbBins, kmeans, ndb, ndbCompare, type NdbBins } from '../../src/eval/ndb';
import { normalMatrix } from './gaussian';

const line = (xs: number[]) => matrix(xs.length, 1, Float64Array.from(xs));

describe('kmeans', () => {
  it('recovers three well-separated clusters, deterministically for a seed', () => {
    const centres = [-20, 0, 20];
    const x = matrix(
      300,
      2,
      Float64Array.from({ length: 600 }, (_, t) => centres[Math.floor(t / 2) % 3] + Math.sin(t * 12.9898) * 0.5),
    );
    const a = kmeans(x, 3, { seed: 1 });
    const b = kmeans(x, 3, { seed: 1 });
    expect(a.converged).toBe(true);
    expect(a.assignment).toEqual(b.assignment);
    // Points i and j share a cluster exactly when they were drawn around the same centre.
    for (let i = 0; i < 300; i += 7) for (let j = 0; j < 300; j += 11) expect(a.assignment[i] === a.assignment[j]).toBe(i % 3 === j % 3);
  });

  it('keeps all k bins populated and stops at the iteration cap when asked', () => {
    const x = normalMatrix(500, 3, 4);
    const km = kmeans(x, 40, { seed: 2, maxIter: 2 });
    expect(km.iterations).toBe(2);
    expect(new Set(km.assignment).size).toBe(40);
  });
});

describe('ndbCompare: the two-proportion z-test and JS divergence', () => {
  // Two bins at 0 and 10 holding half of n₁ = 100 real samples each.
  const bins: NdbBins = { centroids: line([0, 10]), proportions: Float64Array.of(0.5, 0.5), n: 100, iterations: 0, converged: true };
  const query = (atZero: number, atTen: number) => line([...Array(atZero).fill(0.1), ...Array(atTen).fill(9.9)]);

  it('70/30 against 50/50 differs in both bins: p = 0.6, SE = √(0.24 · 0.02) = 0.0693, |z| = 2.89 > 1.96', () => {
    const r = ndbCompare(bins, query(70, 30));
    expect(r.different).toBe(2);
    expect([...r.queryProportions]).toEqual([0.7, 0.3]);
    const m = [0.6, 0.4];
    const js =
      0.5 * (0.5 * Math.log(0.5 / m[0]) + 0.5 * Math.log(0.5 / m[1])) + 0.5 * (0.7 * Math.log(0.7 / m[0]) + 0.3 * Math.log(0.3 / m[1]));
    expect(r.js).toBeCloseTo(js, 14);
  });

  it('55/45 does not: |z| = 0.05 / 0.0706 = 0.71', () => {
    const r = ndbCompare(bins, query(55, 45));
    expect(r.different).toBe(0);
    expect(r.js).toBeGreaterThan(0);
  });

  it('a bin empty in both sets is not counted (SE = 0)', () => {
    const three: NdbBins = { ...bins, centroids: line([0, 10, 100]), proportions: Float64Array.of(0.5, 0.5, 0) };
    const r = ndbCompare(three, query(50, 50));
    expect([r.different, r.js]).toEqual([0, 0]);
  });
});

describe('ndb with 100 bins', () => {
  const real = normalMatrix(3000, 5, 10);
  const bins = fitNdbBins(real, { seed: 3 });

  it('an independent draw of the same distribution differs in few bins (≈ α · K = 5 by chance)', () => {
    const r = ndbCompare(bins, normalMatrix(3000, 5, 11));
    expect(r.bins).toBe(100);
    expect(r.different).toBeLessThanOrEqual(12);
    expect(r.js).toBeLessThan(0.02);
  });

  it('a shifted distribution differs in many bins, with a larger JS divergence', () => {
    const same = ndbCompare(bins, normalMatrix(3000, 5, 11));
    const r = ndbCompare(bins, normalMatrix(3000, 5, 12, 0.5));
    expect(r.different).toBeGreaterThanOrEqual(30);
    expect(r.js).toBeGreaterThan(3 * same.js);
  });

  it('ndb(real, query) is fitNdbBins then ndbCompare with the same options', () => {
    const q = normalMatrix(500, 5, 13);
    expect(ndb(real, q, { seed: 3 }).significant).toEqual(ndbCompare(bins, q).significant);
  });
});
