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
