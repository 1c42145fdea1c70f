/** Activation functions shared by layers that offer a built-in activation. */
import type { Tensor, TF } from '../../src/graph/nodeApi';

export const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function activate(tf: TF, x: Tensor, name: string, leak = 0.2): Tensor {
  switch (name) {
    case 'relu': return tf.relu(x);
    // max(x, leak·x) equals leaky ReLU for leak ≤ 1 and, unlike tf.leakyRelu, can be differentiated
    // twice in TF.js (its gradient uses GreaterEqual, which has a gradient; LeakyRelu's uses Greater,
    // which does not). A gradient penalty differentiates the critic's input gradient.
    case 'leakyRelu': return tf.maximum(x, x.mul(leak));
    case 'elu': return tf.elu(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'tanh': return tf.tanh(x);
    default: return x;
  }
}
