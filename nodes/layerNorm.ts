import { defineNode } from '../src/graph/nodeApi';
import { float } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';
import { normShapes } from './lib/norm';

export default defineNode({
  kind: 'layer',
  type: 'layerNorm',
  title: 'Layer normalization',
  category: 'layers',
  doc: 'Normalizes each example on its own: subtracts the mean of all its features (for an image: every pixel of every channel) and divides by their standard deviation, then scales by a learned gain γ and shifts by a learned bias β, one pair per feature of the last axis (per channel, for images). Unlike batch normalization it never looks at the other examples in the batch, so it behaves the same in training and generation, for a batch of 1, and in a critic trained with a gradient penalty.',
  inputs: { x: { type: 'tensor', doc: 'B×features or B×H×W×channels' } },
  outputs: { y: { type: 'tensor', doc: 'same shape as x' } },
  params: {
    epsilon: float({
      default: 1e-3,
      min: 0,
      exclusiveMin: true,
      max: 1,
      logScale: true,
      doc: 'added to the variance before the square root',
    }),
  },
  trainable: true,
  examples: [{ x: [BATCH, 14, 14, 4] }, { x: [BATCH, 64] }],
  ...normShapes,
  // Statistics over every axis but the batch, as ours; Keras's gain and bias span those axes, ours the last (broadcast on export).
  keras: (p, { x }) => ({
    layers: [
      { factory: 'layerNormalization', config: { axis: x.slice(1).map((_, i) => i + 1), epsilon: p.epsilon }, weights: ['gain', 'bias'] },
    ],
  }),
  build: (ctx, p) => {
    const x = ctx.inputShapes.x;
    const features = x[x.length - 1];
    // Statistics over every axis but the batch: per example, as Ba et al. (for images, GroupNorm with one group).
    const axes = x.slice(1).map((_, i) => i + 1);
    const gain = ctx.variable('gain', [features], 'ones');
    const bias = ctx.variable('bias', [features], 'zeros');
    return {
      forward: ({ x }, call) => {
        const { mean, variance } = call.tf.moments(x, axes, true);
        return { y: x.sub(mean).div(variance.add(p.epsilon).sqrt()).mul(gain).add(bias) };
      },
    };
  },
});
