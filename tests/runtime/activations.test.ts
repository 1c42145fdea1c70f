import { describe, expect, it } from 'vitest';
import { activationView, MAX_CHANNELS } from '../../src/runtime/activations';

describe('activation views fit the tensor', () => {
  it('a feature map is one example’s channels, each scaled to its own range', () => {
    // 2 examples × 2×2 × 3 channels; channel c of example 0 holds c*10 + pixel.
    const data = new Float32Array(2 * 4 * 3);
    for (let p = 0; p < 4; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = c * 10 + p;
    data.fill(99, 12);
    const v = activationView([2, 2, 2, 3], data, false);
    if (v.kind !== 'featureMaps') throw new Error(v.kind);
    expect([v.height, v.width, v.channels, v.shown]).toEqual([2, 2, 3, 3]);
    expect(v.lo).toEqual([0, 10, 20]);
    expect(v.hi).toEqual([3, 13, 23]);
    [0, 1 / 3, 2 / 3, 1].forEach((x, i) => expect(v.images[4 + i]).toBeCloseTo(x, 6));
  });

  it('shows at most MAX_CHANNELS channels', () => {
    const v = activationView([1, 1, 1, 100], new Float32Array(100), false);
    expect(v.kind === 'featureMaps' && v.shown).toBe(MAX_CHANNELS);
  });

  it('a dense output is a histogram of every value and a strip per example', () => {
    const data = Float32Array.from({ length: 3 * 4 }, (_, i) => i - 6);
    const v = activationView([3, 4], data, false);
    if (v.kind !== 'perUnit') throw new Error(v.kind);
    expect(v.histogram.counts.reduce((a, b) => a + b, 0)).toBe(12);
    expect([v.histogram.lo, v.histogram.hi]).toEqual([-6, 5]);
    expect([v.examples, v.stripUnits, v.absMax]).toEqual([3, 4, 6]);
    expect(Array.from(v.strip)).toEqual(Array.from(data));
  });

  it('a latent code is a scatter of its first two dimensions', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const v = activationView([2, 3], data, true);
    if (v.kind !== 'codeScatter') throw new Error(v.kind);
    expect(Array.from(v.points)).toEqual([1, 2, 4, 5]);
    expect(v.dims).toBe(3);
  });

  it('a scalar is a value', () => {
    expect(activationView([], Float32Array.of(0.5), false)).toEqual({ kind: 'oneValue', value: 0.5 });
  });
});
