import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape, sameShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'interpolate',
  title: 'Interpolate (real ↔ fake)',
  category: 'sampling',
  doc: "Random points between real and generated examples: x̂ = ε·real + (1 − ε)·fake with a fresh ε ~ U(0, 1) per example. WGAN-GP applies the critic (sharing weights with the real one) to x̂ and feeds x̂ and the critic's score into a Gradient penalty.",
  inputs: {
    real: { type: 'tensor', doc: 'a batch of data' },
    fake: { type: 'tensor', doc: 'a batch of generated examples, the same shape' },
  },
  outputs: { x: { type: 'tensor', doc: 'x̂, same shape as real' } },
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{x}{\hat x_b} &= \epsilon_b\, \port{real}{x_b} + (1 - \epsilon_b)\, \port{fake}{G(z_b)}\\ \epsilon_b &\sim \mathcal U(0, 1)\end{aligned}`,
    compact: () => String.raw`\port{x}{\hat x} = \epsilon\, \port{real}{x} + (1 - \epsilon)\, \port{fake}{G(z)}`,
    caption: () =>
      'A random point on the line from each generated example to the real example beside it in the batch: one fresh ε per example, every call. The gradient penalty asks the critic’s gradient to have length 1 at these points.',
  },
  params: {},
  trainable: false,
  examples: [{ real: [BATCH, 28, 28, 1], fake: [BATCH, 28, 28, 1] }],
  inferShapes: ({ real, fake }) =>
    sameShape(real, fake)
      ? { x: real }
      : fail(
          'fake',
          `real is ${formatShape(real)} but fake is ${formatShape(fake)}`,
          'make the generator output the data shape (e.g. outputShape image28)',
        ),
  build: () => ({
    forward: ({ real, fake }, call) => {
      const eps = call.randomUniform([real.shape[0], ...real.shape.slice(1).map(() => 1)], 0, 1);
      return { x: real.mul(eps).add(fake.mul(call.tf.sub(1, eps))) };
    },
  }),
});
