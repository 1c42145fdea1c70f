import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forEachDistanceBlock,
  forEachTriangleBlock,
  matrix,
  pairwiseSqDistJs,
  type Matrix,
  type PairwiseSqDist,
} from '../../src/eval/matrix';
import { normalMatrix } from './gaussian';

function naive(a: Matrix, b: Matrix): Float64Array {
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += (a.data[i * a.cols + k] - b.data[j * a.cols + k]) ** 2;
      out[i * b.rows + j] = s;
    }
  return out;
}

/** A kernel that records the size of every block it is asked for. */
function recording(): { dist: PairwiseSqDist; sizes: number[] } {
  const sizes: number[] = [];
  return {
    sizes,
    dist: (a, b) => {
      sizes.push(a.rows * b.rows);
      return pairwiseSqDistJs(a, b);
    },
  };
}

describe('pairwiseSqDistJs', () => {
  it('equals the direct Σ (a − b)² for any row counts (the 4-row blocking has a remainder path)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        (n, m, d, seed) => {
          const a = normalMatrix(n, d, seed);
          const b = normalMatrix(m, d, seed + 1, 0.5);
          const got = pairwiseSqDistJs(a, b);
          naive(a, b).forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-5 * (1 + v)));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('gives exactly 0, never a negative, for identical rows, and is symmetric bit for bit', () => {
    const a = matrix(5, 3, Float32Array.of(1e3, 1e3 + 0.1, 7, 1, 2, 3, 0.1, 0.2, 0.3, 1e3, 1e3 + 0.1, 7, 4, 5, 6));
    const d = pairwiseSqDistJs(a, a);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(d[i * 5 + j]).toBe(d[j * 5 + i]);
    expect(d[0 * 5 + 3]).toBe(0);
    expect(d.every((v) => v >= 0)).toBe(true);
  });
});

describe('row blocks keep memory bounded', () => {
  it('forEachDistanceBlock covers every row once, in blocks of at most 2^22 entries, with the kernel’s values', () => {
    const a = normalMatrix(3000, 2, 1);
    const b = normalMatrix(3000, 2, 2);
    const { dist, sizes } = recording();
    const seen = new Uint8Array(a.rows);
    const full = pairwiseSqDistJs(a, b);
    let mismatches = 0;
    forEachDistanceBlock(a, b, dist, (start, rows, block) => {
      for (let r = 0; r < rows; r++) seen[start + r]++;
      for (let t = 0; t < block.length; t++) if (block[t] !== full[start * b.rows + t]) mismatches++;
    });
    expect(seen.every((s) => s === 1)).toBe(true);
    expect(mismatches).toBe(0);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1 << 22);
  });

  it('forEachTriangleBlock visits every pair i < j exactly once with its distance', () => {
    const x = normalMatrix(2500, 2, 3);
    const { dist, sizes } = recording();
    const full = pairwiseSqDistJs(x, x);
    let pairs = 0;
    let mismatches = 0;
    forEachTriangleBlock(x, dist, (start, rows, block, width) => {
      expect(width).toBe(x.rows - start);
      for (let r = 0; r < rows; r++)
        for (let c = r + 1; c < width; c++) {
          pairs++;
          if (block[r * width + c] !== full[(start + r) * x.rows + start + c]) mismatches++;
        }
    });
    expect(pairs).toBe((2500 * 2499) / 2);
    expect(mismatches).toBe(0);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1 << 22);
  });

  it('rejects a kernel that returns the wrong number of values', () => {
    const x = normalMatrix(4, 2, 1);
    expect(() =>
      forEachDistanceBlock(
        x,
        x,
        () => new Float32Array(3),
        () => {},
      ),
    ).toThrow(/returned 3 values/);
  });
});
