import { describe, expect, it } from 'vitest';
import { argmaxRows, classHistogram, conditioningAccuracy, meanMaxProbability, mnistScore } from '../../src/eval/classScores';

const oneHot = (labels: number[], C: number) =>
  Float64Array.from(labels.flatMap((y) => Array.from({ length: C }, (_, c) => (c === y ? 1 : 0))));

describe('mnistScore', () => {
  it('= C for confident one-hot predictions spread uniformly over C classes', () => {
    for (const C of [2, 10, 17]) {
      const labels = Array.from({ length: 5 * C }, (_, i) => i % C);
      expect(mnistScore(oneHot(labels, C), labels.length, C)).toBeCloseTo(C, 12);
    }
  });

  it('= 1 when every sample gets the same distribution', () => {
    const row = [0.1, 0.6, 0.3];
    expect(
      mnistScore(
        Float64Array.from({ length: 30 }, (_, i) => row[i % 3]),
        10,
        3,
      ),
    ).toBeCloseTo(1, 14);
  });

  it('a hand-computed case: rows (1, 0) and (½, ½), p(y) = (¾, ¼)', () => {
    // KL₁ = ln(4/3); KL₂ = ½ ln(2/3) + ½ ln 2; score = exp((KL₁ + KL₂) / 2).
    const expected = Math.exp((Math.log(4 / 3) + 0.5 * Math.log(2 / 3) + 0.5 * Math.log(2)) / 2);
    expect(mnistScore(Float64Array.of(1, 0, 0.5, 0.5), 2, 2)).toBeCloseTo(expected, 14);
  });

  it('rejects probabilities of the wrong size', () => {
    expect(() => mnistScore(new Float64Array(5), 2, 3)).toThrow(/need 6 values/);
  });
});

describe('classHistogram (mode-collapse indicator)', () => {
  it('flags a "generator" that outputs one class: entropy 0, nine classes missing', () => {
    const h = classHistogram(Array(200).fill(7), 10);
    expect(h.entropy).toBe(0);
    expect(h.entropyFraction).toBe(0);
    expect(h.missing).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9]);
  });

  it('a uniform spread has entropy ln C (fraction 1) and nothing missing', () => {
    const h = classHistogram(
      Array.from({ length: 1000 }, (_, i) => i % 10),
      10,
    );
    expect(h.entropy).toBeCloseTo(Math.log(10), 14);
    expect(h.entropyFraction).toBeCloseTo(1, 14);
    expect(h.missing).toEqual([]);
    expect([...h.counts]).toEqual(Array(10).fill(100));
  });

  it('missing means under 10 % of the uniform share: 9 of 1000 samples (0.9 %) is missing, 10 (1 %) is not', () => {
    const labels = (k: number) => [...Array(k).fill(3), ...Array.from({ length: 1000 - k }, (_, i) => [0, 1, 2, 4, 5, 6, 7, 8, 9][i % 9])];
    expect(classHistogram(labels(9), 10).missing).toEqual([3]);
    expect(classHistogram(labels(10), 10).missing).toEqual([]);
  });

  it('rejects a label outside 0..C−1', () => {
    expect(() => classHistogram([0, 10], 10)).toThrow(/outside 0..9/);
  });
});

describe('argmaxRows and conditioningAccuracy', () => {
  const probs = Float64Array.of(0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.3, 0.4, 0.3, 0.5, 0.5, 0);
  it('argmax takes the first of tied maxima', () => {
    expect([...argmaxRows(probs, 4, 3)]).toEqual([0, 2, 1, 0]);
  });
  it('is the share of samples classified as the class they were generated for', () => {
    expect(conditioningAccuracy(probs, 4, 3, [0, 2, 2, 1])).toBe(0.5);
    expect(() => conditioningAccuracy(probs, 4, 3, [0])).toThrow(/4 samples but 1/);
  });
});

describe('meanMaxProbability (how recognisable the samples are)', () => {
  it('is the mean of each row’s largest probability: 1 for sure answers, 1/C for uniform rows', () => {
    const probs = Float64Array.of(0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.3, 0.4, 0.3, 0.5, 0.5, 0);
    expect(meanMaxProbability(probs, 4, 3)).toBeCloseTo((0.7 + 0.8 + 0.4 + 0.5) / 4, 14);
    expect(meanMaxProbability(Float64Array.of(0, 1, 1, 0), 2, 2)).toBe(1);
    expect(meanMaxProbability(new Float64Array(30).fill(0.1), 3, 10)).toBeCloseTo(0.1, 14);
  });
  it('refuses a wrong length and no samples', () => {
    expect(() => meanMaxProbability(new Float64Array(5), 2, 3)).toThrow(/need 6 values/);
    expect(() => meanMaxProbability(new Float64Array(0), 0, 3)).toThrow(/0 × 3 probabilities/);
  });
});
