/** Bernoulli negative log-likelihood per value from logits, in the stable form max(y,0) − y·x + log(1 + e^−|y|). */
import type { Tensor, TF } from '../../src/graph/nodeApi';

export function bernoulliNllFromLogits(tf: TF, logits: Tensor, target: Tensor): Tensor {
  return tf
    .relu(logits)
    .sub(logits.mul(target))
    .add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}
