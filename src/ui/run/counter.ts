import type { ModelInfo } from '../../runtime/protocol';

/**
 * What the counter counts. With one optimizer taking one step a round, a round
 * is a step; with several (a GAN) or k steps per round, it counts rounds.
 */
export function counterName(info: ModelInfo | null): 'step' | 'round' {
  return info && (info.optimizers.length > 1 || info.optimizers.some((o) => o.stepsPerRound > 1)) ? 'round' : 'step';
}

export function counterTitle(info: ModelInfo | null): string {
  if (!info || counterName(info) === 'step') return 'optimizer steps taken';
  const parts = info.optimizers.map((o) => `${o.label} × ${o.stepsPerRound}`).join(', ');
  return `training rounds; each round every optimizer takes its steps (${parts})`;
}
