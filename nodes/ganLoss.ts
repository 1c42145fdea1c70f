import { defineNode, fail, type Tensor, type TF } from '../src/graph/nodeApi';
import { choice } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';

export const GAN_KINDS = ['minimax', 'nonSaturating', 'wasserstein', 'leastSquares', 'hinge'] as const;

/**
 * The discriminator's (critic's) loss from its logits l on real and fake data.
 * With D = σ(l): −log D(x) = softplus(−l) and −log(1 − D(G(z))) = softplus(l),
 * which stay finite for any logit, unlike log(sigmoid(l)).
 */
export function discriminatorLoss(tf: TF, kind: string, real: Tensor, fake: Tensor): Tensor {
  switch (kind) {
    case 'wasserstein':
      return fake.mean().sub(real.mean());
    case 'leastSquares':
      return real.sub(1).square().mean().add(fake.square().mean()).mul(0.5);
    case 'hinge':
      return tf
        .relu(tf.sub(1, real))
        .mean()
        .add(tf.relu(tf.add(1, fake)).mean());
    default:
      return tf.softplus(tf.neg(real)).mean().add(tf.softplus(fake).mean());
  }
}

/** The generator's loss from the discriminator's logits l on fake data. */
export function generatorLoss(tf: TF, kind: string, fake: Tensor): Tensor {
  switch (kind) {
    // Minimise log(1 − D(G(z))) = −softplus(l): the original game, whose gradient vanishes while D wins.
    case 'minimax':
      return tf.neg(tf.softplus(fake)).mean();
    // Minimise −log D(G(z)) = softplus(−l): same fixed point, strong gradients early on.
    case 'nonSaturating':
      return tf.softplus(tf.neg(fake)).mean();
    case 'leastSquares':
      return fake.sub(1).square().mean().mul(0.5);
    // Wasserstein and hinge generators both raise the critic's score of fakes.
    default:
      return tf.neg(fake.mean());
  }
}

/** Minimax and non-saturating losses are cross-entropies of D's guess; the others count in the critic's own scores. */
const GAN_UNITS: Record<(typeof GAN_KINDS)[number], string> = {
  minimax: 'nats per example',
  nonSaturating: 'nats per example',
  wasserstein: 'critic score',
  leastSquares: 'squared error per example',
  hinge: 'critic score',
};

export default defineNode({
  kind: 'layer',
  type: 'ganLoss',
  title: 'GAN loss',
  category: 'losses',
  doc: "The adversarial loss of one player, from the discriminator's logits (scores before any sigmoid). The discriminator needs realLogits and fakeLogits; the generator has only fakeLogits. minimax: D minimises −log D(x) − log(1 − D(G(z))), G minimises log(1 − D(G(z))) — its gradient vanishes when D is confident. nonSaturating: G minimises −log D(G(z)) instead. wasserstein: the critic minimises mean score(fake) − mean score(real), the generator −mean score(fake); add a Gradient penalty (WGAN-GP). leastSquares: ½(D(x) − 1)² + ½D(G(z))² and ½(D(G(z)) − 1)². hinge: max(0, 1 − D(x)) + max(0, 1 + D(G(z))) and −D(G(z)).",
  inputs: {
    realLogits: { type: 'tensor', doc: 'discriminator output on real data (discriminator player)', optional: true },
    fakeLogits: { type: 'tensor', doc: 'discriminator output on generated data', optional: true },
  },
  outputs: { loss: { type: 'loss', doc: 'scalar, averaged over the batch' } },
  loss: { output: 'loss', unit: (p) => GAN_UNITS[p.kind] },
  params: {
    player: choice(['discriminator', 'generator'], 'discriminator', 'whose loss this is; each player has its own optimizer'),
    kind: choice(GAN_KINDS, 'nonSaturating', 'which adversarial game'),
  },
  keyParams: ['player', 'kind'],
  // The generator's loss never reads real data, so it has no port for it.
  activePorts: (p) => (p.player === 'generator' ? { inputs: ['fakeLogits'] } : {}),
  trainable: false,
  examples: [{ realLogits: [BATCH, 1], fakeLogits: [BATCH, 1] }],
  inferShapes: ({ realLogits, fakeLogits }, p) => {
    if (!fakeLogits)
      return fail(
        'fakeLogits',
        `the ${p.player} loss needs the discriminator's logits on generated data`,
        'connect the discriminator applied to the generator output',
      );
    if (p.player === 'discriminator' && !realLogits)
      return fail(
        'realLogits',
        'the discriminator loss needs its logits on real data too',
        'connect the discriminator applied to the dataset',
      );
    return { loss: [] };
  },
  build: (_ctx, p) => ({
    forward: ({ realLogits, fakeLogits }, call) => ({
      loss:
        p.player === 'discriminator'
          ? discriminatorLoss(call.tf, p.kind, realLogits, fakeLogits)
          : generatorLoss(call.tf, p.kind, fakeLogits),
    }),
  }),
});
