import { defineNode, fail } from '../src/graph/nodeApi';
import { choice } from '../src/graph/params';
import { BATCH, exampleSize, formatShape } from '../src/graph/shape';
import { REDUCTIONS, reduceLoss } from './lib/reduce';

export default defineNode({
  kind: 'layer',
  type: 'mse',
  title: 'Mean squared error',
  category: 'losses',
  doc: 'Squared distance between prediction and target, (p − x)², per value; "mean" averages over values, "sum" adds them up (for a Gaussian decoder with unit variance that is the NLL up to a constant and a factor ½). The prediction is shown as is, so end the decoder with a linear or sigmoid output in the data range.',
  inputs: {
    prediction: { type: 'tensor', doc: 'model output in data space' },
    target: { type: 'tensor', doc: 'the data' },
  },
  outputs: { loss: { type: 'loss', doc: 'scalar' } },
  equation: {
    tex: (p) => {
      const overValues = p.reduction === 'sum' ? String.raw`\sum_{i=1}^{D}` : String.raw`\frac1D \sum_{i=1}^{D}`;
      const loss = String.raw`\port{loss}{\mathcal L} &= \frac1B \sum_{b=1}^{B} ${overValues} (\port{prediction}{p_i} - \port{target}{x_i})^2`;
      const gaussian = String.raw`-\log \mathcal N(x;\, p,\, I) &= \tfrac12 \sum_{i=1}^{D} (p_i - x_i)^2\\ &\quad + \tfrac D2 \log 2\pi`;
      return String.raw`\begin{aligned}${loss}\\ ${gaussian}\end{aligned}`;
    },
    compact: (p) =>
      String.raw`{${p.reduction === 'sum' ? String.raw`\frac1B` : String.raw`\frac{1}{BD}`} \sum_{b,i} (\port{prediction}{p_i} - \port{target}{x_i})^2}`,
    caption: (p) =>
      `The squared error over the D values of each example, ${p.reduction === 'sum' ? 'summed' : 'averaged'}, then averaged over the B examples. For a Gaussian decoder with unit variance the negative log-likelihood (second line) is half the summed error plus a constant, so this loss is not counted in nats and gives no ELBO.`,
  },
  // Not nats: a unit-variance Gaussian NLL would be half the summed error plus a constant.
  loss: { output: 'loss', unit: (p) => (p.reduction === 'sum' ? 'squared error per example' : 'squared error per value') },
  params: { reduction: choice(REDUCTIONS, 'mean', 'mean over values, or sum over values') },
  keyParams: ['reduction'],
  trainable: false,
  reconstruction: { prediction: 'prediction', target: 'target', transform: () => 'identity' },
  examples: [{ prediction: [BATCH, 784], target: [BATCH, 28, 28, 1] }],
  inferShapes: ({ prediction, target }) =>
    exampleSize(prediction) === exampleSize(target)
      ? { loss: [] }
      : fail(
          'prediction',
          `prediction ${formatShape(prediction)} and target ${formatShape(target)} hold different numbers of values`,
          'make the last layer output as many values as the data has',
        ),
  build: (_ctx, p) => ({
    forward: ({ prediction, target }, call) => ({
      loss: reduceLoss(call.tf, prediction.reshape(target.shape).sub(target).square(), p.reduction),
    }),
  }),
});
