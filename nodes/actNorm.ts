import { defineNode, type Tensor, type TF } from '../src/graph/nodeApi';
import { BATCH, exampleSize } from '../src/graph/shape';
import { FLOW_CAPABILITY, FLOW_INPUTS, FLOW_OUTPUTS, flowShapes, sameForEach } from './lib/flow';

export default defineNode({
  kind: 'layer',
  type: 'actNorm',
  title: 'ActNorm (Glow)',
  category: 'flows',
  flow: FLOW_CAPABILITY,
  doc: 'Activation normalization (Glow, Kingma & Dhariwal 2018), an invertible layer: a learned shift and scale per channel (the last axis), y = (x + b)·exp(logScale). On the first training step it sets b and logScale from that batch, so that y has mean 0 and standard deviation 1 in every channel; after that both are ordinary trained weights. Unlike batch normalization it no longer depends on the batch, so it is exactly invertible: x = y·exp(−logScale) − b. log |det ∂y/∂x| = (positions per example)·Σ logScale, where positions is H·W for images and 1 for vectors.',
  inputs: FLOW_INPUTS,
  outputs: FLOW_OUTPUTS,
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{y}{y} &= (\port{x}{x} + b) \odot e^{\log s}\\ \port{logDet}{\log \lvert \det \tfrac{\partial y}{\partial x} \rvert} &= N \textstyle\sum_{c=1}^{C} \log s_c\\ b_c &= -\mu_c,\ \log s_c = -\log \sigma_c\\ &\quad (\text{first training batch})\end{aligned}`,
    compact: () =>
      String.raw`\port{y}{y} = (\port{x}{x} + b) \odot e^{\log s} \newline \port{logDet}{\log\lvert\det J\rvert} = N \textstyle\sum_c \log s_c`,
    caption: () =>
      'A shift b and a log-scale log s for each channel c. The first training batch sets them from its mean μ_c and standard deviation σ_c, so that y starts with mean 0 and standard deviation 1 in every channel; after that they are trained weights. N is the number of positions per example (H·W for images, 1 for vectors). The inverse is x = y ⊙ e^(−log s) − b.',
  },
  params: {},
  trainable: true,
  examples: [{ x: [BATCH, 8, 8, 4] }, { x: [BATCH, 2] }],
  inferShapes: ({ x }) => flowShapes(x),
  countParams: ({ x }) => 2 * x[x.length - 1],
  build: (ctx) => {
    const x = ctx.inputShapes.x;
    const channels = x[x.length - 1];
    const positions = exampleSize(x) / channels;
    const everyAxisButChannels = x.slice(0, -1).map((_, i) => i);
    const bias = ctx.variable('bias', [channels], 'zeros');
    const logScale = ctx.variable('logScale', [channels], 'zeros');
    // State travels with the checkpoint: a restored model keeps its trained b and logScale instead of re-initialising them.
    const initializedState = ctx.state('initialized', [], 'zeros');
    // Reading the state waits for the device; once it is 1 it stays 1, so it is read once and remembered.
    let initialized = false;
    const initializeFrom = (tf: TF, x: Tensor) => {
      initialized = initializedState.dataSync()[0] === 1;
      if (initialized) return;
      const { mean, variance } = tf.moments(x, everyAxisButChannels);
      bias.assign(mean.neg());
      logScale.assign(tf.log(variance.sqrt().add(1e-6)).neg());
      initializedState.assign(tf.scalar(1));
      initialized = true;
    };
    return {
      forward: ({ x }, call) => {
        if (call.training && !initialized) initializeFrom(call.tf, x);
        return {
          y: x.add(bias).mul(call.tf.exp(logScale)),
          logDet: sameForEach(call.tf, logScale.sum().mul(positions), x.shape[0]),
        };
      },
      inverse: (y, call) => y.mul(call.tf.exp(logScale.neg())).sub(bias),
    };
  },
});
