/** The built-in strange inputs: 28×28 images in [0, 1], the same for the same seed, each set what its name says. */
import { describe, expect, it } from 'vitest';
import { SHIFT, strangeInputs } from '../../src/data/strangeInputs';

// A fake "digit": a bright 4×4 block in the centre, so inversion and shifting are easy to check.
const count = 16;
const x = new Float32Array(count * 784);
for (let n = 0; n < count; n++) for (let i = 12; i < 16; i++) for (let j = 12; j < 16; j++) x[n * 784 + i * 28 + j] = 1;
const digits = { x, count, shape: [28, 28, 1] };
const byName = (seed = 7) => Object.fromEntries(strangeInputs(digits, count, seed).map((s) => [s.name, s]));

describe('strangeInputs', () => {
  it('makes every set, count 28×28 images in [0, 1], deterministic in the seed', () => {
    const sets = byName();
    expect(Object.keys(sets)).toEqual(['blank', 'grey', 'noise', 'inverted', 'shapes', 'shifted']);
    for (const s of Object.values(sets)) {
      expect(s.count).toBe(count);
      expect(s.x.length).toBe(count * 784);
      expect(s.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    expect(byName().noise.x).toEqual(sets.noise.x);
    expect(byName(8).noise.x).not.toEqual(sets.noise.x);
  });

  it('blank is 0, grey is one level per image, inverted is 1 − x, shifted moves the digit ≈ 8 px', () => {
    const s = byName();
    expect(s.blank.x.every((v) => v === 0)).toBe(true);
    for (let n = 0; n < count; n++) {
      const img = s.grey.x.subarray(n * 784, (n + 1) * 784);
      expect(img.every((v) => v === img[0])).toBe(true);
      expect(img[0]).toBeGreaterThanOrEqual(0.25);
      expect(img[0]).toBeLessThanOrEqual(0.75);
    }
    s.inverted.x.forEach((v, i) => expect(v).toBe(1 - x[i]));
    for (let n = 0; n < count; n++) {
      const img = s.shifted.x.subarray(n * 784, (n + 1) * 784);
      let sum = 0;
      let ci = 0;
      let cj = 0;
      img.forEach((v, p) => ((sum += v), (ci += v * Math.floor(p / 28)), (cj += v * (p % 28))));
      expect(sum).toBe(16); // the block stays inside the frame
      const moved = Math.hypot(ci / sum - 13.5, cj / sum - 13.5);
      expect(moved).toBeGreaterThanOrEqual(SHIFT - 0.5);
      expect(moved).toBeLessThanOrEqual(SHIFT * Math.SQRT2);
    }
  });

  it('refuses digits that are not 28×28 grey, or too few of them', () => {
    expect(() => strangeInputs({ ...digits, shape: [32, 32, 1] }, 4, 1)).toThrow(/28×28/);
    expect(() => strangeInputs(digits, count + 1, 1)).toThrow(/only 16 digits/);
  });
});
