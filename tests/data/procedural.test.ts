import { describe, expect, it } from 'vitest';
import { makeMixture2D, MIXTURE_KINDS, pointsDataSet } from '../../src/data/mixtures.js';
import { makeShapes, SHAPE_FACTORS } from '../../src/data/shapes.js';
import { sameBytes } from './helpers.js';

describe('2-D mixtures', () => {
  const components = { ring: 8, grid: 25, spiral: 2, moons: 2 };

  it.each(MIXTURE_KINDS)('%s is deterministic from the seed, with balanced labels', (kind) => {
    const a = makeMixture2D(kind, 1000, 42);
    const b = makeMixture2D(kind, 1000, 42);
    const c = makeMixture2D(kind, 1000, 43);
    expect(a.x).toEqual(b.x);
    expect(a.x).not.toEqual(c.x);
    expect(a.kind).toBe('points');
    expect(a.shape).toEqual([2]);
    expect(a.x.length).toBe(2000);
    expect(a.numClasses).toBe(components[kind]);
    const counts = new Array(a.numClasses).fill(0);
    for (const l of a.labels!) counts[l]++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(a.x.every((v) => Math.abs(v) < 3)).toBe(true);
  });

  it('puts ring points near radius 2, each near its own mode', () => {
    const ds = makeMixture2D('ring', 800, 1);
    for (let i = 0; i < ds.count; i++) {
      const [x, y] = [ds.x[2 * i], ds.x[2 * i + 1]];
      const a = (2 * Math.PI * ds.labels![i]) / 8;
      expect(Math.hypot(x - 2 * Math.cos(a), y - 2 * Math.sin(a))).toBeLessThan(0.4);
    }
  });

  it('wraps hand-drawn points as an unlabelled set', () => {
    const ds = pointsDataSet([
      [0, 1],
      [2, 3],
    ]);
    expect(ds).toMatchObject({ kind: 'points', count: 2, shape: [2], numClasses: 0 });
    expect(Array.from(ds.x)).toEqual([0, 1, 2, 3]);
  });
});

describe('shapes', () => {
  it('is deterministic, 28×28×1 in [0,1], with three balanced classes and four factors', () => {
    const a = makeShapes(300, 7);
    expect(sameBytes(a.x, makeShapes(300, 7).x)).toBe(true);
    expect(sameBytes(a.x, makeShapes(300, 8).x)).toBe(false);
    expect(a.shape).toEqual([28, 28, 1]);
    expect(a.x.length).toBe(300 * 784);
    expect(a.numClasses).toBe(3);
    expect(a.classNames).toEqual(['square', 'ellipse', 'triangle']);
    expect(a.factors!.names).toEqual(SHAPE_FACTORS);
    expect(a.factors!.values.length).toBe(300 * 4);
    for (let c = 0; c < 3; c++) expect(a.labels!.filter((l) => l === c).length).toBe(100);
    expect(a.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('draws each shape where its factors say, with area growing with scale and soft edges', () => {
    const ds = makeShapes(60, 3);
    for (let n = 0; n < ds.count; n++) {
      const [cx, cy, r] = ds.factors!.values.subarray(n * 4, n * 4 + 3);
      let mass = 0;
      let mx = 0;
      let my = 0;
      let partial = 0;
      for (let i = 0; i < 28; i++) {
        for (let j = 0; j < 28; j++) {
          const v = ds.x[n * 784 + i * 28 + j];
          mass += v;
          mx += v * (j + 0.5);
          my += v * (i + 0.5);
          if (v > 0 && v < 1) partial++;
        }
      }
      // Triangle centroids equal their circumcentres, as for squares and ellipses.
      expect(Math.hypot(mx / mass - cx, my / mass - cy)).toBeLessThan(0.3);
      const area = [2 * r * r, Math.PI * 0.6 * r * r, ((3 * Math.sqrt(3)) / 4) * r * r][ds.labels![n]];
      expect(mass / area).toBeGreaterThan(0.9);
      expect(mass / area).toBeLessThan(1.1);
      expect(partial).toBeGreaterThan(4); // anti-aliased edge pixels
      // Nothing touches the frame border.
      let border = 0;
      for (let k = 0; k < 28; k++) for (const p of [k, 27 * 28 + k, k * 28, k * 28 + 27]) border += ds.x[n * 784 + p];
      expect(border).toBe(0);
    }
  });
});
