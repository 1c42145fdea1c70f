/** Loss reductions: sum over an example's values (a log-likelihood in nats) or their mean, then mean over the batch. */
import type { Tensor, TF } from '../../src/graph/nodeApi';

export const REDUCTIONS = ['sum', 'mean'] as const;

/** `perValue` is [B, ...]; returns a scalar. */
export function reduceLoss(tf: TF, perValue: Tensor, reduction: string): Tensor {
  const flat = perValue.reshape([perValue.shape[0], -1]);
  const perExample = reduction === 'mean' ? flat.mean(1) : flat.sum(1);
  return perExample.mean();
}
