import { describe, expect, it } from 'vitest';
import { birthdayCandidates } from '../../src/eval/birthday';
import { pairwiseSqDistJs } from '../../src/eval/matrix';
import { normalMatrix } from './gaussian';

describe('birthdayCandidates', () => {
  const s = 60;
  const x = normalMatrix(s, 16, 9);
  // Plant a near-duplicate: row 41 is row 7 plus a tiny perturbation.
  for (let k = 0; k < 16; k++) x.data[41 * 16 + k] = x.data[7 * 16 + k] + 1e-3 * (k % 3);

  it('puts a planted near-duplicate first and returns the closest pairs in order, as a brute-force ranking does', () => {
    const got = birthdayCandidates(x, { pairs: 10 });
    expect(got.pairs[0]).toMatchObject({ i: 7, j: 41 });
    expect(got.pairs[0].distance).toBeLessThan(0.01);
    const all = pairwiseSqDistJs(x, x);
    const brute: [number, number, number][] = [];
    for (let i = 0; i < s; i++) for (let j = i + 1; j < s; j++) brute.push([i, j, Math.sqrt(all[i * s + j])]);
    brute.sort((a, b) => a[2] - b[2]);
    expect(got.pairs.map((p) => [p.i, p.j, p.distance])).toEqual(brute.slice(0, 10));
  });

  it('states the support implied by a confirmed duplicate: s²', () => {
    expect(birthdayCandidates(x).supportIfDuplicate).toBe(3600);
    expect(birthdayCandidates(x).pairs).toHaveLength(20);
  });

  it('asks for no more pairs than the batch has', () => {
    expect(birthdayCandidates(normalMatrix(3, 2, 1), { pairs: 10 }).pairs).toHaveLength(3);
  });
});
