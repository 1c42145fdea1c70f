import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auroc } from '../../src/eval/auroc';

/** The definition: P(s₊ > s₋) + ½ P(s₊ = s₋) over all pairs. */
function pairwise(pos: number[], neg: number[]) {
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

describe('auroc', () => {
  it('perfectly separated scores give 1, reversed 0', () => {
    expect(auroc([5, 6, 7], [1, 2, 3, 4])).toBe(1);
    expect(auroc([1, 2], [3, 4, 5])).toBe(0);
  });

  it('identical score sets give 0.5', () => {
    expect(auroc([1, 2, 3, 3], [1, 2, 3, 3])).toBe(0.5);
    expect(auroc([4, 4, 4], [4, 4])).toBe(0.5);
  });

  it('a tie case by hand: (1, 2) vs (2, 3) has one tie among four pairs → ½ / 4', () => {
    expect(auroc([1, 2], [2, 3])).toBe(0.125);
  });

  it('equals the pairwise definition, ties included, and is complementary and rank-invariant (fast-check)', () => {
    const scores = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(scores, scores, (pos, neg) => {
        const a = auroc(pos, neg);
        expect(a).toBeCloseTo(pairwise(pos, neg), 12);
        expect(a + auroc(neg, pos)).toBeCloseTo(1, 12);
        expect(auroc(pos.map(Math.exp), neg.map(Math.exp))).toBeCloseTo(a, 12);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses empty sets and NaN scores', () => {
    expect(() => auroc([], [1])).toThrow(/both sets/);
    expect(() => auroc([NaN], [1])).toThrow(/NaN/);
  });
});
