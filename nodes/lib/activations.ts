/** Activation functions shared by layers that offer a built-in activation. */
import type { Tensor, TF } from '../../src/graph/nodeApi';

export const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function activate(tf: TF, x: Tensor, name: string, leak = 0.2): Tensor {
  switch (name) {
    case 'relu': return tf.relu(x);
    case 'leakyRelu': return tf.leakyRelu(x, leak);
    case 'elu': return tf.elu(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'tanh': return tf.tanh(x);
    default: return x;
  }
}
