import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../src/eval/matrix';
import { kthNeighbourSqDist, prdc } from '../../src/eval/precisionRecall';
import { normalMatrix } from './gaussian';

const line = (xs: number[]) => matrix(xs.length, 2, Float64Array.from(xs.flatMap((x) => [x, 0])));

/** The papers' definitions, written out directly with exact Euclidean distances. */
function reference(real: Matrix, fake: Matrix, k: number) {
  const d = (a: Matrix, i: number, b: Matrix, j: number) => {
    let s = 0;
    for (let t = 0; t < a.cols; t++) s += (a.data[i * a.cols + t] - b.data[j * b.cols + t]) ** 2;
    return Math.sqrt(s);
  };
  const radii = (x: Matrix) =>
    Array.from(
      { length: x.rows },
      (_, i) =>
        Array.from({ length: x.rows }, (_, j) => d(x, i, x, j))
          .filter((_, j) => j !== i)
          .sort((p, q) => p - q)[k - 1],
    );
  const [rr, rf] = [radii(real), radii(fake)];
  const R = [...Array(real.rows).keys()];
  const F = [...Array(fake.rows).keys()];
  return {
    precision: F.filter((j) => R.some((i) => d(fake, j, real, i) <= rr[i])).length / fake.rows,
    recall: R.filter((i) => F.some((j) => d(real, i, fake, j) <= rf[j])).length / real.rows,
    density: F.reduce((t, j) => t + R.filter((i) => d(fake, j, real, i) < rr[i]).length, 0) / (k * fake.rows),
    coverage: R.filter((i) => Math.min(...F.map((j) => d(real, i, fake, j))) < rr[i]).length / real.rows,
  };
}

describe('kthNeighbourSqDist', () => {
  it('is the squared distance to the k-th nearest other point', () => {
    // On a line 0, 1, 2, 3, 10: third neighbours are 3, 2, 2, 3 and 10 − 1 = 9 away.
    expect([...kthNeighbourSqDist(line([0, 1, 2, 3, 10]), 3)]).toEqual([9, 4, 4, 9, 81]);
    expect(() => kthNeighbourSqDist(line([0, 1, 2]), 3)).toThrow(/k < n/);
  });
});

describe('prdc (improved precision/recall, density/coverage)', () => {
  it('identical sets: precision = recall = coverage = 1 and density = 1 exactly', () => {
    const a = normalMatrix(300, 10, 1);
    expect(prdc(a, a)).toEqual({ precision: 1, recall: 1, density: 1, coverage: 1, k: 3, nReal: 300, nFake: 300 });
  });

  it('two disjoint, well-separated clusters: all four are 0', () => {
    const r = prdc(normalMatrix(200, 5, 1), normalMatrix(150, 5, 2, 50));
    expect([r.precision, r.recall, r.density, r.coverage]).toEqual([0, 0, 0, 0]);
  });

  it('a hand-computed k = 3 example', () => {
    // Real: two clusters {0,1,2,3} and {10,…,13}; radii 3, 2, 2, 3 in each. Fake: 0.2, 0.4, 0.6, 1.2; radii 1, 0.8, 0.6, 1.
    // Precision: every fake is within real 0's ball (r = 3) → 1.
    // Recall: reals 0, 1, 2 lie in a fake ball (0 ← 0.2, 1 and 2 ← 1.2 with r = 1); 3 and the far cluster do not → 3/8.
    // Density: each fake lies strictly inside all four near real balls → 16 / (3 · 4) = 4/3 (> 1: fakes crowd the real mode).
    // Coverage: the near cluster's four balls hold a fake, the far cluster's none → 1/2.
    const r = prdc(line([0, 1, 2, 3, 10, 11, 12, 13]), line([0.2, 0.4, 0.6, 1.2]));
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(3 / 8);
    expect(r.density).toBeCloseTo(4 / 3, 15);
    expect(r.coverage).toBe(1 / 2);
  });

  it('matches the definitions written out directly, on random sets (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 30 }),
        fc.integer({ min: 5, max: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (nr, nf, k, seed) => {
          const real = normalMatrix(nr, 3, seed);
          const fake = normalMatrix(nf, 3, seed + 1, 0.7, 1.3);
          const got = prdc(real, fake, { k });
          const want = reference(real, fake, k);
          expect(got.precision).toBeCloseTo(want.precision, 12);
          expect(got.recall).toBeCloseTo(want.recall, 12);
          expect(got.density).toBeCloseTo(want.density, 12);
          expect(got.coverage).toBeCloseTo(want.coverage, 12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uses the injected kernel for every distance', () => {
    let calls = 0;
    const a = normalMatrix(40, 4, 1);
    const b = normalMatrix(30, 4, 2);
    const offset = prdc(a, b, {
      pairwiseSqDist: (x, y) => {
        calls++;
        return new Float32Array(x.rows * y.rows).fill(1); // every point equidistant from every other
      },
    });
    expect(calls).toBe(3); // within real, within fake, fake vs real
    // All distances equal all radii: ≤ holds (P = R = 1), < never (D = C = 0).
    expect([offset.precision, offset.recall, offset.density, offset.coverage]).toEqual([1, 1, 0, 0]);
  });
});
