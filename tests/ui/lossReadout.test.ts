import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/ui/format';
import { formatReading, readTerms } from '../../src/ui/run/lossReadout';

const curves = (series: Record<string, number[]>) => ({ steps: series[Object.keys(series)[0]].map((_, i) => i + 1), series, version: 1 });

describe('loss readout', () => {
  it('gives each term its latest finite value', () => {
    const r = readTerms(curves({ a: [5, 4, 3, NaN], b: [NaN, NaN, NaN, NaN] }), ['a', 'b', 'missing']);
    expect(r).toEqual([
      { term: 'a', value: 3, exploding: false },
      { term: 'b', value: null, exploding: false },
      { term: 'missing', value: null, exploding: false },
    ]);
  });

  it('flags a finite blow-up (AE at a huge learning rate: 544 → 1.1e17), not ordinary noise', () => {
    expect(readTerms(curves({ bce: [544, 530, 1.1e17] }), ['bce'])[0].exploding).toBe(true);
    expect(readTerms(curves({ bce: [544, 530, 5e4] }), ['bce'])[0].exploding).toBe(false);
    // Small losses (MSE ~ 0.05) measure against 1, so a 0.05 → 2 swing is no blow-up.
    expect(readTerms(curves({ mse: [0.05, 0.04, 2] }), ['mse'])[0].exploding).toBe(false);
  });

  it('formats readings and bytes for people', () => {
    expect(formatReading(108.437)).toBe('108.4');
    expect(formatReading(1.1e17)).toBe('1.10e+17');
    expect(formatReading(0.0001234)).toBe('1.23e-4');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3.5 * 1024 * 1024)).toBe('3.5 MB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MB');
  });
});
