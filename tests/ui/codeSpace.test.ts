import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeBox, manifoldGrid, normalQuantile, uniformCodes } from '../../src/ui/run/codeSpace';

describe('code-space helpers', () => {
  it('normalQuantile matches known quantiles and inverts the normal CDF', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963985, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 6);
    expect(() => normalQuantile(1)).toThrow(RangeError);
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), (p) => {
        // Symmetric about ½, increasing.
        expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 6);
        if (p < 0.999) expect(normalQuantile(p + 1e-3)).toBeGreaterThan(normalQuantile(p));
      }),
    );
  });

  it('uniform codes stay inside the box the codes fill, fill it, and repeat for a seed', () => {
    const latents = Float32Array.from([0, 10, 2, -4, 1, 3]);
    const box = codeBox(latents, 3, 2);
    expect(Array.from(box.lo)).toEqual([0, -4]);
    expect(Array.from(box.hi)).toEqual([2, 10]);
    const codes = uniformCodes(box, 500, 7);
    for (let i = 0; i < 500; i++) {
      expect(codes[2 * i]).toBeGreaterThanOrEqual(0);
      expect(codes[2 * i]).toBeLessThanOrEqual(2);
      expect(codes[2 * i + 1]).toBeGreaterThanOrEqual(-4);
      expect(codes[2 * i + 1]).toBeLessThanOrEqual(10);
    }
    const ys = Array.from({ length: 500 }, (_, i) => codes[2 * i + 1]);
    expect(Math.min(...ys)).toBeLessThan(-3);
    expect(Math.max(...ys)).toBeGreaterThan(9);
    expect(uniformCodes(box, 500, 7)).toEqual(codes);
    expect(uniformCodes(box, 500, 8)).not.toEqual(codes);
  });

  it('the manifold grid reads like a plot: z₁ grows along a row, z₂ falls down the rows', () => {
    const g = manifoldGrid(4, { prior: true });
    expect(g.length).toBe(32);
    const z = (row: number, col: number) => [g[(row * 4 + col) * 2], g[(row * 4 + col) * 2 + 1]];
    expect(z(0, 0)[0]).toBeCloseTo(normalQuantile(0.125), 6);
    expect(z(0, 0)[1]).toBeCloseTo(normalQuantile(0.875), 6);
    expect(z(3, 3)).toEqual([z(0, 3)[0], z(3, 0)[1]]);
    const box = manifoldGrid(2, { lo: [0, 0], hi: [4, 8] });
    expect(Array.from(box)).toEqual([1, 6, 3, 6, 1, 2, 3, 2]);
  });
});
