import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/runtime/protocol';
import { counterName, counterTitle } from '../../src/ui/run/counter';

const info = (optimizers: { label: string; stepsPerRound: number }[]) =>
  ({ optimizers: optimizers.map((o, i) => ({ id: `o${i}`, learningRate: 1e-3, terms: [], ...o })) }) as unknown as ModelInfo;

describe('the step counter says what it counts', () => {
  it('steps for one optimizer taking one step; rounds for a GAN or k steps per round', () => {
    expect(counterName(info([{ label: 'Adam', stepsPerRound: 1 }]))).toBe('step');
    expect(counterName(info([{ label: 'Adam', stepsPerRound: 5 }]))).toBe('round');
    const gan = info([
      { label: 'D', stepsPerRound: 2 },
      { label: 'G', stepsPerRound: 1 },
    ]);
    expect(counterName(gan)).toBe('round');
    expect(counterTitle(gan)).toBe('training rounds; each round every optimizer takes its steps (D × 2, G × 1)');
    expect(counterName(null)).toBe('step');
  });
});
