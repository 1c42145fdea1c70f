import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape, sameShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'gaussianKl',
  title: 'Gaussian KL',
  category: 'losses',
  doc: 'KL(N(μ, σ²) ‖ N(0, I)) in closed form: −½·Σ(1 + log σ² − μ² − σ²), summed over latent dimensions and averaged over the batch. It pulls the posterior towards the prior so that samples from the prior decode to data.',
  inputs: {
    mean: { type: 'tensor', doc: 'μ, B×latent' },
    logVar: { type: 'tensor', doc: 'log σ², B×latent' },
  },
  outputs: { loss: { type: 'loss', doc: 'scalar, nats per example' } },
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
