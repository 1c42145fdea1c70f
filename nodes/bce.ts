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
  equation: {
    tex: (p) => {
      const overValues = p.reduction === 'sum' ? String.raw`\sum_{i=1}^{D}` : String.raw`\frac1D \sum_{i=1}^{D}`;
      const prob = p.fromLogits ? 'p_i' : String.raw`\port{prediction}{p_i}`;
      const loss = String.raw`\port{loss}{\mathcal L} &= \frac1B \sum_{b=1}^{B} ${overValues} -\big[\port{target}{x_i} \log ${prob}\\ &\qquad + (1 - x_i) \log(1 - p_i)\big]`;
      const sigmoid = String.raw`\\ p_i &= \sigma(\port{prediction}{\ell_i}) = \frac{1}{1 + e^{-\ell_i}}`;
      return String.raw`\begin{aligned}${loss}${p.fromLogits ? sigmoid : ''}\end{aligned}`;
    },
    compact: (p) =>
      // One group: KaTeX would otherwise break the line inside the bracket.
      String.raw`{${p.reduction === 'sum' ? String.raw`\frac1B` : String.raw`\frac{1}{BD}`} \sum_{b,i} -\big[\port{target}{x_i} \log \port{prediction}{p_i} + (1 - x_i) \log(1 - p_i)\big]}`,
    caption: (p) =>
      p.reduction === 'sum'
        ? `The Bernoulli negative log-likelihood −log p(x | z): each of the D values x_i is a coin that comes up 1 with probability p_i${p.fromLogits ? ' (the sigmoid of the logit ℓ_i)' : ''}. Summed over values it is in nats per example; the loss averages it over the B examples of the batch.`
        : `The Bernoulli negative log-likelihood per value${p.fromLogits ? ' (p_i is the sigmoid of the logit ℓ_i)' : ''}, averaged over the D values and the B examples. An average over values is not a likelihood in nats: use reduction "sum" for an NLL or ELBO.`,
  },
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
