import { defineNode, fail } from '../src/graph/nodeApi';
import { bool, choice } from '../src/graph/params';
import { BATCH, exampleSize, formatShape } from '../src/graph/shape';
import { bernoulliNllFromLogits } from './lib/bernoulli';
import { REDUCTIONS, reduceLoss } from './lib/reduce';

export default defineNode({
  kind: 'layer',
  type: 'bce',
  title: 'Binary cross-entropy',
  category: 'losses',
  doc: 'Bernoulli negative log-likelihood of the data under the prediction: −[x·log p + (1−x)·log(1−p)], summed over pixels (nats per example) and averaged over the batch. With "from logits" the prediction is pre-sigmoid, which is numerically safer.',
  inputs: {
    prediction: { type: 'tensor', doc: 'model output: logits or probabilities' },
    target: { type: 'tensor', doc: 'data in [0, 1]' },
  },
  outputs: { loss: { type: 'loss', doc: 'scalar' } },
  // Summed over values it is the Bernoulli NLL in nats; averaged it is not a likelihood.
  loss: {
    output: 'loss',
    measures: (p) => (p.reduction === 'sum' ? 'nll' : null),
    unit: (p) => (p.reduction === 'sum' ? 'nats per example' : 'nats per value'),
  },
  params: {
    fromLogits: bool(true, 'prediction is a logit (no sigmoid applied yet)'),
    reduction: choice(REDUCTIONS, 'sum', 'sum over values = NLL in nats; mean = per-value average'),
  },
  keyParams: ['reduction'],
  trainable: false,
  reconstruction: { prediction: 'prediction', target: 'target', transform: (p) => (p.fromLogits ? 'sigmoid' : 'identity') },
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
    forward: ({ prediction, target }, call) => {
      const tf = call.tf;
      const y = prediction.reshape(target.shape);
      const perValue = p.fromLogits
        ? bernoulliNllFromLogits(tf, y, target)
        : tf.neg(target.mul(tf.log(y.clipByValue(1e-7, 1))).add(tf.sub(1, target).mul(tf.log(tf.sub(1, y).clipByValue(1e-7, 1)))));
      return { loss: reduceLoss(tf, perValue, p.reduction) };
    },
  }),
});
