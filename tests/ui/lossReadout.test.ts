import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/ui/format';
import type { ModelInfo } from '../../src/runtime/protocol';
import { ELBO_SERIES } from '../../src/store/runCurves';
import { OBJECTIVE, chartSeries, formatReading, readTerms, sharedUnit } from '../../src/ui/run/lossReadout';

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

const NATS = 'nats per example';
type Opt = ModelInfo['optimizers'][number];
const opt = (o: Partial<Opt> & Pick<Opt, 'id' | 'terms' | 'total'>): Opt => ({ label: o.id, learningRate: 1e-3, stepsPerRound: 1, ...o });
const info = (optimizers: Opt[], units: Record<string, string>, elbo: ModelInfo['elbo'] = null) =>
  ({ optimizers, units, elbo }) as unknown as ModelInfo;

describe('chart series and their units', () => {
  // A β-VAE whose user labelled the weighted sum "Negative ELBO": at β ≠ 1 that curve is not one.
  const vae = info(
    [opt({ id: 'adam', label: 'Adam', terms: ['Reconstruction', 'KL to prior', 'Negative ELBO'], total: 'Negative ELBO' })],
    { Reconstruction: NATS, 'KL to prior': NATS, 'Negative ELBO': NATS, adam: NATS },
    { nll: 'Reconstruction', kl: 'KL to prior' },
  );
  // In the order the worker reports them: the total first.
  const vaeKeys = ['adam', 'Reconstruction', 'KL to prior', 'Negative ELBO', ELBO_SERIES];

  it('never calls the weighted objective an ELBO: the total is the training objective, the ELBO is its two terms (terms first)', () => {
    const drawn = chartSeries(vae, vaeKeys);
    expect(drawn.map((s) => [s.key, s.label])).toEqual([
      ['Reconstruction', 'Reconstruction'],
      ['KL to prior', 'KL to prior'],
      ['adam', OBJECTIVE],
      [ELBO_SERIES, ELBO_SERIES],
    ]);
    expect(drawn.filter((s) => /ELBO/.test(s.label)).map((s) => s.key)).toEqual([ELBO_SERIES]);
    expect(drawn[2].about).toMatch(/negative ELBO only when every weight is 1/);
  });

  it('labels the y axis when every curve shares a unit', () => {
    const drawn = chartSeries(vae, vaeKeys);
    expect(drawn.map((s) => s.unit)).toEqual([NATS, NATS, NATS, NATS]);
    expect(sharedUnit(drawn)).toBe(NATS);
  });

  it('leaves the axis unlabelled when units differ or are unknown, and each curve keeps its own', () => {
    const sparse = info([opt({ id: 'adam', terms: ['BCE', 'L1', 'Sum'], total: 'Sum' })], {
      BCE: NATS,
      L1: 'weighted mean |activation|',
      Sum: 'objective (weighted sum)',
      adam: 'objective (weighted sum)',
    });
    const drawn = chartSeries(sparse, ['BCE', 'L1', 'Sum', 'adam']);
    expect(drawn.map((s) => s.unit)).toEqual([NATS, 'weighted mean |activation|', 'objective (weighted sum)']);
    expect(sharedUnit(drawn)).toBeNull();
    expect(sharedUnit([{ key: 'a', label: 'a', unit: null, about: null }])).toBeNull();
    expect(sharedUnit(chartSeries(null, ['x']))).toBeNull();
  });

  it("GAN: each optimizer's total repeats its only term, so the players' losses are drawn under their own names", () => {
    const gan = info([opt({ id: 'optD', terms: ['D loss'], total: 'D loss' }), opt({ id: 'optG', terms: ['G loss'], total: 'G loss' })], {
      'D loss': NATS,
      'G loss': NATS,
      optD: NATS,
      optG: NATS,
    });
    const drawn = chartSeries(gan, ['D loss', 'optD', 'G loss', 'optG']);
    expect(drawn.map((s) => s.label)).toEqual(['D loss', 'G loss']);
    expect(sharedUnit(drawn)).toBe(NATS);
  });

  it('with several optimizers, a combined total says whose objective it is', () => {
    const wgan = info(
      [
        opt({ id: 'optD', label: 'Critic', terms: ['W', 'GP', 'Critic sum'], total: 'Critic sum' }),
        opt({ id: 'optG', terms: ['G'], total: 'G' }),
      ],
      {},
    );
    expect(chartSeries(wgan, ['W', 'GP', 'Critic sum', 'optD', 'G', 'optG']).map((s) => s.label)).toEqual([
      'W',
      'GP',
      'G',
      `Critic: ${OBJECTIVE}`,
    ]);
  });
});
