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

type GanKind = (typeof GAN_KINDS)[number];

/** Scores as the equations write them: D = σ(ℓ) for the cross-entropy games, the logit ℓ itself (a critic's score) otherwise. */
const REAL_D = String.raw`\port{realLogits}{D(x)}`;
const FAKE_D = String.raw`\port{fakeLogits}{D(G(z))}`;
const REAL_SCORE = String.raw`\port{realLogits}{\ell(x)}`;
const FAKE_SCORE = String.raw`\port{fakeLogits}{\ell(G(z))}`;

/** Each player's loss, exactly as discriminatorLoss and generatorLoss compute it; 𝔼 is the mean over the batch. */
const GAN_EQUATIONS: Record<GanKind, { discriminator: string; generator: string }> = {
  minimax: {
    discriminator: String.raw`-\mathbb E_x \log ${REAL_D} - \mathbb E_z \log\big(1 - ${FAKE_D}\big)`,
    generator: String.raw`\mathbb E_z \log\big(1 - ${FAKE_D}\big)`,
  },
  nonSaturating: {
    discriminator: String.raw`-\mathbb E_x \log ${REAL_D} - \mathbb E_z \log\big(1 - ${FAKE_D}\big)`,
    generator: String.raw`-\mathbb E_z \log ${FAKE_D}`,
  },
  wasserstein: {
    discriminator: String.raw`\mathbb E_z\, ${FAKE_SCORE} - \mathbb E_x\, ${REAL_SCORE}`,
    generator: String.raw`-\mathbb E_z\, ${FAKE_SCORE}`,
  },
  leastSquares: {
    discriminator: String.raw`\tfrac12 \mathbb E_x \big(${REAL_SCORE} - 1\big)^2 + \tfrac12 \mathbb E_z\, ${FAKE_SCORE}^2`,
    generator: String.raw`\tfrac12 \mathbb E_z \big(${FAKE_SCORE} - 1\big)^2`,
  },
  hinge: {
    discriminator: String.raw`\mathbb E_x \max\big(0, 1 - ${REAL_SCORE}\big) + \mathbb E_z \max\big(0, 1 + ${FAKE_SCORE}\big)`,
    generator: String.raw`-\mathbb E_z\, ${FAKE_SCORE}`,
  },
};

/** The game each kind plays, a few short lines for the inspector. */
const CROSS_ENTROPY_GAME = [
  String.raw`\min_G \max_D\; \mathbb E_x \log D(x)`,
  String.raw`\quad + \mathbb E_z \log\big(1 - D(G(z))\big)`,
  String.raw`D = \sigma(\ell), \text{ the logit } \ell \text{ squashed}`,
];
const GAN_GAMES: Record<GanKind, string[]> = {
  minimax: CROSS_ENTROPY_GAME,
  nonSaturating: CROSS_ENTROPY_GAME,
  wasserstein: [String.raw`\min_G \max_{\lVert \ell \rVert_L \le 1}\; \mathbb E_x\, \ell(x) - \mathbb E_z\, \ell(G(z))`],
  leastSquares: [String.raw`\text{D pulls } \ell(x) \to 1,\ \ell(G(z)) \to 0`, String.raw`\text{G pulls } \ell(G(z)) \to 1`],
  hinge: [String.raw`\text{D wants } \ell(x) \ge 1,\ \ell(G(z)) \le -1`, String.raw`\text{G raises } \ell(G(z))`],
};

const GAN_CAPTIONS: Record<GanKind, Record<'discriminator' | 'generator', string>> = {
  minimax: {
    discriminator:
      'The discriminator’s cross-entropy: D = σ(logit) is its probability that an example is real. 𝔼 is the mean over the batch.',
    generator:
      'The original minimax generator loss: G minimises log(1 − D(G(z))). While D confidently rejects fakes, this curve is flat and G gets almost no gradient — try nonSaturating.',
  },
  nonSaturating: {
    discriminator:
      'The discriminator’s cross-entropy: D = σ(logit) is its probability that an example is real. 𝔼 is the mean over the batch.',
    generator:
      'The non-saturating generator loss: G minimises −log D(G(z)) instead of log(1 − D(G(z))). Same fixed point, but strong gradients while D wins, early in training.',
  },
  wasserstein: {
    discriminator:
      'The critic’s Wasserstein loss: its raw scores ℓ (no sigmoid), mean over the batch. The estimate of the Wasserstein distance needs a critic with slope at most 1: add a Gradient penalty or clip its weights.',
    generator: 'The Wasserstein generator loss: raise the critic’s mean score of fakes.',
  },
  leastSquares: {
    discriminator: 'The least-squares (LSGAN) discriminator loss on raw scores ℓ, mean over the batch: real towards 1, fake towards 0.',
    generator: 'The least-squares generator loss: pull the score of fakes towards 1.',
  },
  hinge: {
    discriminator:
      'The hinge discriminator loss on raw scores ℓ, mean over the batch: no loss once real scores reach 1 and fake scores −1.',
    generator: 'The hinge generator loss: raise the critic’s mean score of fakes.',
  },
};

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
  equation: {
    tex: (p) =>
      String.raw`\begin{aligned}${GAN_GAMES[p.kind].map((line) => `&${line}`).join(String.raw`\\`)}\\[4pt] \port{loss}{\mathcal L_${p.player === 'generator' ? 'G' : 'D'}} &= ${GAN_EQUATIONS[p.kind][p.player]}\end{aligned}`,
    compact: (p) => String.raw`\port{loss}{\mathcal L_${p.player === 'generator' ? 'G' : 'D'}} = ${GAN_EQUATIONS[p.kind][p.player]}`,
    caption: (p) => GAN_CAPTIONS[p.kind][p.player],
  },
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
