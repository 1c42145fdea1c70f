import { describe, expect, it } from 'vitest';
import { latentAt, pickLatent, type LatentMap } from '../../src/ui/run/latentPick';

/** Three 3-D codes shown on a PCA plane with mean 0 and the first two axes as basis. */
const map: LatentMap = {
  n: 3,
  dim: 3,
  points: new Float32Array([0, 0, 1, 1, -1, 2]),
  latents: new Float32Array([0, 0, 5, 1, 1, -4, -1, 2, 9]),
  labels: new Uint8Array([3, 7, 1]),
  mean: new Float32Array(3),
  basis: new Float32Array([1, 0, 0, 0, 1, 0]),
};
const r = { x: 0.2, y: 0.2 };

describe('latent map picks', () => {
  it('near an example: its own code (off the plane too) and its class', () => {
    const p = pickLatent(map, 1.05, 0.95, r);
    expect(p.example).toBe(1);
    expect(Array.from(p.z)).toEqual([1, 1, -4]);
    expect(p.label).toBe(7);
  });

  it('away from every example: the plane point, no class', () => {
    const p = pickLatent(map, 0.5, -0.5, r);
    expect(p).toEqual({ z: latentAt(map, 0.5, -0.5), example: null, label: null });
    expect(Array.from(p.z)).toEqual([0.5, -0.5, 0]);
  });

  it('the nearest of two examples in reach wins', () => {
    expect(pickLatent(map, 0.12, 0.12, { x: 1, y: 1 }).example).toBe(0);
  });
});
