import { defineNode, fail } from '../src/graph/nodeApi';
import { texNumber } from './lib/tex';
import { float } from '../src/graph/params';
import { BATCH, formatShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'gradientPenalty',
  title: 'Gradient penalty (WGAN-GP)',
  category: 'losses',
  doc: "λ·mean((‖∇x̂ D(x̂)‖ − 1)²): keeps the critic's slope near 1 on points between real and fake data, which is what the Wasserstein loss assumes. Wire it as Interpolate(real, fake) → x̂ → the critic (sharing weights with the critic on real data) → criticOutput, and connect x̂ to interpolates. Add it to the critic's loss. It is a training-time regularizer: it is computed during the critic's training step and reads 0 otherwise. The critic must not use batch normalization, which mixes examples.",
  inputs: {
    interpolates: { type: 'tensor', doc: 'x̂ from an Interpolate node' },
    criticOutput: { type: 'tensor', doc: 'the critic applied to x̂, B×1' },
  },
  outputs: { loss: { type: 'loss', doc: 'scalar' } },
  equation: {
    tex: (p) =>
      String.raw`\begin{aligned}\port{loss}{\mathcal L_{\mathrm{GP}}} &= \lambda\, \frac1B \sum_{b=1}^{B} \big(\lVert \nabla_{\hat x} \port{criticOutput}{D(\hat x_b)} \rVert_2 - 1\big)^2\\ \lambda &= ${texNumber(p.weight)}\\ \port{interpolates}{\hat x} &= \epsilon\, x + (1 - \epsilon)\, G(z)\\ \epsilon &\sim \mathcal U(0, 1)\end{aligned}`,
    compact: (p) =>
      String.raw`${texNumber(p.weight)}\, \mathbb E_{\hat x} \big(\lVert \nabla_{\port{interpolates}{\hat x}} \port{criticOutput}{D(\hat x)} \rVert_2 - 1\big)^2`,
    caption: () =>
      'WGAN-GP: the gradient of the critic’s score at points x̂ between real and fake examples should have length 1 (the norm is over all values of an example; the mean over the batch). Add it to the critic’s Wasserstein loss. It is computed during the critic’s training step and reads 0 otherwise.',
  },
  loss: { output: 'loss', unit: () => 'λ · (‖∇‖ − 1)²' },
  params: { weight: float({ default: 10, min: 0, max: 1e4, doc: 'λ, the strength of the penalty' }) },
  keyParams: ['weight'],
  trainable: false,
  examples: [{ interpolates: [BATCH, 28, 28, 1], criticOutput: { from: 'interpolates', shape: [BATCH, 1] } }],
  inferShapes: ({ interpolates, criticOutput }) =>
    interpolates[0] === criticOutput[0]
      ? { loss: [] }
      : fail(
          'criticOutput',
          `criticOutput ${formatShape(criticOutput)} and interpolates ${formatShape(interpolates)} have different batch sizes`,
          'apply the critic to the Interpolate output',
        ),
  build: (_ctx, p) => ({
    forward: ({ interpolates, criticOutput }, call) => {
      const tf = call.tf;
      // The gradient comes from the operations TF.js recorded while the critic ran on x̂: during a
      // training step its gradient tape is live, so grad() of an already computed score w.r.t. x̂
      // follows them, and those gradient ops are themselves recorded for the critic's update.
      // Outside a training step nothing was recorded, so there is no slope to penalize.
      if (!call.training) return { loss: tf.scalar(0) };
      // Examples are independent, so the gradient of the summed scores holds each example's own gradient.
      const g = tf.grad(() => criticOutput.sum())(interpolates);
      const norm = g.square().reshape([g.shape[0], -1]).sum(1).add(1e-12).sqrt();
      return { loss: norm.sub(1).square().mean().mul(p.weight) };
    },
  }),
});
