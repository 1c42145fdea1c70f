import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, exampleSize, formatShape } from '../src/graph/shape';

const LOG_2PI = Math.log(2 * Math.PI);

export default defineNode({
  kind: 'layer',
  type: 'flowPrior',
  title: 'Flow prior (Gaussian)',
  category: 'flows',
  flowPrior: { input: 'z', logProb: 'logProb' },
  doc: 'The base distribution of a normalizing flow, a standard Gaussian N(0, I): it scores what the chain of flow layers made of each example, log p(z) = −½·Σ z² − (D/2)·ln 2π for D values per example. Generating runs the other way: z is drawn from N(0, I) and the flow layers are inverted, last to first.',
  inputs: { z: { type: 'tensor', doc: "the last flow layer's output, B×…" } },
  outputs: { logProb: { type: 'tensor', doc: 'B×1: log p(z) of each example, in nats' } },
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{logProb}{\log p(z)} &= \log \mathcal N(\port{z}{z};\, 0, I)\\ &= -\tfrac12 \sum_{i=1}^{D} z_i^2 - \tfrac D2 \ln 2\pi\end{aligned}`,
    compact: () => String.raw`\port{logProb}{\log p(z)} = -\tfrac12 \textstyle\sum_i \port{z}{z_i}^2 - \tfrac D2 \ln 2\pi`,
    caption: () => 'The standard Gaussian scores each example’s D values; generating draws z ~ N(0, I) and runs the flow backwards.',
  },
  params: {},
  trainable: false,
  examples: [{ z: [BATCH, 2] }, { z: [BATCH, 7, 7, 16] }],
  inferShapes: ({ z }) =>
    z.length < 2
      ? fail('z', `needs a batch of examples, got ${formatShape(z)}`, 'connect the output y of the last flow layer')
      : { logProb: [z[0], 1] },
  build: (ctx) => {
    const normalizer = (exampleSize(ctx.inputShapes.z) / 2) * LOG_2PI;
    return {
      forward: ({ z }) => ({
        logProb: z.reshape([z.shape[0], -1]).square().sum(1, true).mul(-0.5).sub(normalizer),
      }),
    };
  },
});
