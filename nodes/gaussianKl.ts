import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape, sameShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'gaussianKl',
  title: 'Gaussian KL',
  category: 'losses',
  doc: 'KL(N(μ, σ²) ‖ N(0, I)) in closed form: −½·Σ(1 + log σ² − μ² − σ²), summed over latent dimensions and averaged over the batch. It pulls the posterior towards the prior so that samples from the prior decode to data.',
  inputs: {
    mean: { type: 'tensor', kind: 'mean', doc: 'μ, B×latent' },
    logVar: { type: 'tensor', kind: 'logVar', doc: 'log σ², B×latent' },
  },
  outputs: { loss: { type: 'loss', doc: 'scalar, nats per example' } },
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{loss}{\mathcal L_{\mathrm{KL}}} &= \frac1B \sum_{b=1}^{B} \mathrm{KL}\big(\mathcal N(\mu_b, \sigma_b^2)\,\|\,\mathcal N(0, I)\big)\\ &= \frac1B \sum_{b=1}^{B} \sum_{j=1}^{J} -\tfrac12\big(1 + \port{logVar}{\log\sigma_{bj}^2}\\ &\qquad\qquad - \port{mean}{\mu_{bj}}^2 - \sigma_{bj}^2\big)\end{aligned}`,
    // One group: KaTeX would otherwise break the line inside the bracket.
    compact: () => String.raw`{\frac1B \sum_{b,j} -\tfrac12\big(1 + \port{logVar}{\log\sigma^2} - \port{mean}{\mu}^2 - \sigma^2\big)}`,
    caption: () =>
      'The KL divergence from the posterior q(z | x) = N(μ, σ²) to the prior N(0, I), in closed form: summed over the J latent dimensions (nats per example), averaged over the B examples of the batch.',
  },
  loss: { output: 'loss', measures: () => 'kl' },
  params: {},
  trainable: false,
  examples: [{ mean: [BATCH, 20], logVar: [BATCH, 20] }],
  inferShapes: ({ mean, logVar }) =>
    sameShape(mean, logVar)
      ? { loss: [] }
      : fail(
          'logVar',
          `μ is ${formatShape(mean)} but log σ² is ${formatShape(logVar)}`,
          'give the μ and log σ² heads the same number of units (the latent size)',
        ),
  build: () => ({
    forward: ({ mean, logVar }, call) => {
      const tf = call.tf;
      const perDim = tf.add(1, logVar).sub(mean.square()).sub(tf.exp(logVar)).mul(-0.5);
      return { loss: perDim.reshape([perDim.shape[0], -1]).sum(1).mean() };
    },
  }),
});
