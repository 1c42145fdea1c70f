/** Activation functions shared by layers that offer a built-in activation. */
import type { KerasLayer, Tensor, TF } from '../../src/graph/nodeApi';

export const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function activate(tf: TF, x: Tensor, name: string, leak = 0.2): Tensor {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    // (1 − leak)·relu(x) + leak·x is leaky ReLU written with ops TF.js can differentiate twice
    // (tf.leakyRelu's and tf.maximum's gradients use Greater / Less, which have no gradient).
    // A gradient penalty differentiates the critic's input gradient, so the critic needs this.
    case 'leakyRelu':
      return tf
        .relu(x)
        .mul(1 - leak)
        .add(x.mul(leak));
    case 'elu':
      return tf.elu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    default:
      return x;
  }
}

/**
 * A Keras layer followed by our activation: Keras's own activations take
 * every one but leaky ReLU, which is a LeakyReLU layer after a linear one.
 */
export function kerasActivated(layer: KerasLayer, name: string, leak = 0.2): KerasLayer[] {
  if (name !== 'leakyRelu') return [{ ...layer, config: { ...layer.config, activation: name } }];
  return [
    { ...layer, config: { ...layer.config, activation: 'linear' } },
    { factory: 'leakyReLU', config: { alpha: leak } },
  ];
}
