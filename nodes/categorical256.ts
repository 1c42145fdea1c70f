import { defineNode, fail } from '../src/graph/nodeApi';
import { choice } from '../src/graph/params';
import { BATCH, exampleSize, formatShape } from '../src/graph/shape';
import { REDUCTIONS, reduceLoss } from './lib/reduce';

export default defineNode({
  kind: 'layer',
  type: 'categorical256',
  title: '256-way categorical',
  category: 'losses',
  doc: "Treats every pixel as one of 256 grey levels and scores the prediction with cross-entropy: −log softmax(logits)[true level]. The prediction has 256 logits per pixel (B×28×28×256, or B×(784·256) with each pixel's 256 logits side by side); the target in [0, 1] is quantized to levels 0…255. Unlike a Bernoulli, it can put probability on any shade, which is how PixelCNN models grey images.",
  inputs: {
    prediction: { type: 'tensor', doc: 'logits: B×…×256 or B×(values·256)' },
    target: { type: 'tensor', doc: 'data in [0, 1]' },
  },
  outputs: { loss: { type: 'loss', doc: 'scalar, nats per example with "sum"' } },
  equation: {
    tex: (p) =>
      String.raw`\begin{aligned}\port{loss}{\mathcal L} &= ${p.reduction === 'sum' ? String.raw`\frac1B` : String.raw`\frac{1}{BD}`} \sum_{b=1}^{B} \sum_{i=1}^{D} -\log \operatorname{softmax}(\port{prediction}{\ell_i})_{k_i}\\ \operatorname{softmax}(\ell)_k &= \frac{e^{\ell_k}}{\sum_{j=0}^{255} e^{\ell_j}}\\ k_i &= \operatorname{round}(255\, \port{target}{x_i})\end{aligned}`,
    compact: (p) =>
      String.raw`{${p.reduction === 'sum' ? String.raw`\frac1B` : String.raw`\frac{1}{BD}`} \sum_{b,i} -\log \operatorname{softmax}(\port{prediction}{\ell_i})_{k_i}} \newline k_i = \operatorname{round}(255\, \port{target}{x_i})`,
    caption: (p) =>
      p.reduction === 'sum'
        ? 'The categorical negative log-likelihood −log p(x): each of the D values x_i is one of 256 grey levels k_i, and the softmax of its 256 logits ℓ_i gives every level a probability. Summed over values it is in nats per example; the loss averages it over the B examples of the batch.'
        : 'The categorical negative log-likelihood per value (k_i is the grey level of x_i, the softmax of the 256 logits ℓ_i its probabilities), averaged over the D values and the B examples. An average over values is not a likelihood in nats: use reduction "sum" for an NLL.',
  },
  loss: {
    output: 'loss',
    measures: (p) => (p.reduction === 'sum' ? 'nll' : null),
    unit: (p) => (p.reduction === 'sum' ? 'nats per example' : 'nats per value'),
  },
  params: { reduction: choice(REDUCTIONS, 'sum', 'sum over pixels = NLL in nats; mean = per-pixel average') },
  keyParams: ['reduction'],
  trainable: false,
  reconstruction: { prediction: 'prediction', target: 'target', transform: () => 'softmax256' },
  examples: [{ prediction: [BATCH, 28, 28, 256], target: [BATCH, 28, 28, 1] }],
  inferShapes: ({ prediction, target }) =>
    exampleSize(prediction) === 256 * exampleSize(target)
      ? { loss: [] }
      : fail(
          'prediction',
          `needs 256 logits per target value: target ${formatShape(target)} has ${exampleSize(target)} values, so the prediction needs ${256 * exampleSize(target)}, but ${formatShape(prediction)} has ${exampleSize(prediction)}`,
          'end the network with a 1×1 convolution of 256 filters (or Dense with values × 256 units)',
        ),
  build: (ctx, p) => {
    const values = exampleSize(ctx.inputShapes.target);
    return {
      forward: ({ prediction, target }, call) => {
        const tf = call.tf;
        const logits = prediction.reshape([-1, values, 256]);
        const levels = target.reshape([-1, values]).mul(255).round().clipByValue(0, 255).toInt();
        const perValue = tf.neg(tf.logSoftmax(logits).mul(tf.oneHot(levels, 256)).sum(-1));
        return { loss: reduceLoss(tf, perValue, p.reduction) };
      },
    };
  },
});
