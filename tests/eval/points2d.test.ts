import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/eval/matrix';
import { GRID_EPSILON, gridDivergence, medianBandwidth, mmd2 } from '../../src/eval/points2d';
import { normalMatrix } from './gaussian';

const points = (xy: number[][]) => matrix(xy.length, 2, Float64Array.from(xy.flat()));

describe('gridDivergence (GAN Lab evaluator)', () => {
  it('grid KL and JS of a set against itself are 0', () => {
    const a = normalMatrix(500, 2, 1);
    const r = gridDivergence(a, a);
    expect(r.kl).toBeCloseTo(0, 14);
    expect(r.js).toBeCloseTo(0, 14);
    expect(r.outside).toBe(0);
  });

  it('a hand-computed 2 × 2 grid: four corners against four copies of one corner', () => {
    // Real: one point per cell (the top edges belong to the last cells). Generated: all in cell (0, 0).
    // Five cells with the "outside" one, each smoothed by ε and renormalised by 1 + 5ε.
    const r = gridDivergence(
      points([
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
      points([
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ]),
      2,
    );
    const e = GRID_EPSILON;
    const z = 1 + 5 * e;
    const p = [0.25 + e, 0.25 + e, 0.25 + e, 0.25 + e, e].map((v) => v / z);
    const q = [1 + e, e, e, e, e].map((v) => v / z);
    const kl = p.reduce((t, pc, c) => t + pc * Math.log(pc / q[c]), 0);
    const js = p.reduce((t, pc, c) => {
      const m = (pc + q[c]) / 2;
      return t + 0.5 * pc * Math.log(pc / m) + 0.5 * q[c] * Math.log(q[c] / m);
    }, 0);
    expect(r.kl).toBeCloseTo(kl, 12);
    expect(r.js).toBeCloseTo(js, 12);
    expect(r.js).toBeLessThan(Math.log(2));
  });

  it('a shifted generator scores above an independent draw of the real distribution, and points off the box are counted', () => {
    const real = normalMatrix(2000, 2, 1);
    const floor = gridDivergence(real, normalMatrix(2000, 2, 2));
    const shifted = gridDivergence(real, normalMatrix(2000, 2, 3, 1.5));
    expect(shifted.kl).toBeGreaterThan(5 * floor.kl);
    expect(shifted.js).toBeGreaterThan(5 * floor.js);
    expect(shifted.outside).toBeGreaterThan(0.05);
  });
});

describe('mmd2 (RBF kernel, unbiased)', () => {
  it('the median heuristic and the estimator on a hand-computed case', () => {
    // Unit square: x = bottom corners, y = top corners; distances 1, 1, 1, 1, √2, √2 → median 1.
    const x = points([
      [0, 0],
      [1, 0],
    ]);
    const y = points([
      [0, 1],
      [1, 1],
    ]);
    expect(medianBandwidth(x, y)).toBe(1);
    // Within each set k = e^{-1/2}; across, two pairs at 1 and two at √2: MMD² = 2e^{-1/2} − (e^{-1/2} + e^{-1}).
    const r = mmd2(x, y);
    expect(r.bandwidth).toBe(1);
    expect(r.mmd2).toBeCloseTo(Math.exp(-0.5) - Math.exp(-1), 14);
  });

  it('≈ 0 for two draws of one distribution, clearly > 0 for shifted ones', () => {
    const a = normalMatrix(400, 2, 1);
    expect(Math.abs(mmd2(a, normalMatrix(400, 2, 2)).mmd2)).toBeLessThan(0.01);
    expect(mmd2(a, normalMatrix(400, 2, 3, 1)).mmd2).toBeGreaterThan(0.1);
  });
});
