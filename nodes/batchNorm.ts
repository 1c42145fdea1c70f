import { defineNode } from '../src/graph/nodeApi';
import { float } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';
import { normShapes } from './lib/norm';

export default defineNode({
  kind: 'layer',
  type: 'batchNorm',
  title: 'Batch normalization',
  category: 'layers',
  doc: 'Normalizes each feature (each channel, for images) to mean 0 and variance 1, then scales by a learned γ and shifts by a learned β. While training it uses the statistics of the current batch and keeps running averages of them; outside training it uses those averages, so one example gives the same result alone as in a batch. Steadies GAN generators (DCGAN); avoid it in a critic trained with a gradient penalty, which assumes examples are independent.',
  inputs: { x: { type: 'tensor', doc: 'B×features or B×H×W×channels' } },
  outputs: { y: { type: 'tensor', doc: 'same shape as x' } },
  params: {
    momentum: float({ default: 0.99, min: 0, max: 0.9999, doc: 'how slowly the running averages follow the batch statistics' }),
    epsilon: float({
      default: 1e-3,
      min: 0,
      exclusiveMin: true,
      max: 1,
      logScale: true,
      doc: 'added to the variance before the square root',
    }),
  },
  keyParams: ['momentum'],
  rowsAbove: () => 0,
  trainable: true,
  examples: [{ x: [BATCH, 14, 14, 4] }],
  ...normShapes,
  // Outside training both use the running statistics; Keras's momentum is ours (the weight of the old average).
  keras: (p) => ({
    layers: [
      {
        factory: 'batchNormalization',
        config: { axis: -1, momentum: p.momentum, epsilon: p.epsilon },
        weights: ['gamma', 'beta', 'runningMean', 'runningVar'],
      },
    ],
  }),
  build: (ctx, p) => {
    const x = ctx.inputShapes.x;
    const features = x[x.length - 1];
    const axes = x.slice(0, -1).map((_, i) => i);
    const gamma = ctx.variable('gamma', [features], 'ones');
    const beta = ctx.variable('beta', [features], 'zeros');
    const runningMean = ctx.state('runningMean', [features], 'zeros');
    const runningVar = ctx.state('runningVar', [features], 'ones');
    return {
      forward: ({ x }, call) => {
        const tf = call.tf;
        let mean = runningMean as typeof x;
        let variance = runningVar as typeof x;
        if (call.training) {
          ({ mean, variance } = tf.moments(x, axes));
          // Running averages are state, not part of the loss: assign is not recorded for gradients.
          runningMean.assign(runningMean.mul(p.momentum).add(mean.mul(1 - p.momentum)));
          runningVar.assign(runningVar.mul(p.momentum).add(variance.mul(1 - p.momentum)));
        }
        return { y: x.sub(mean).div(variance.add(p.epsilon).sqrt()).mul(gamma).add(beta) };
      },
    };
  },
});
