import { defineNode } from '../src/graph/nodeApi';
import { int } from '../src/graph/params';
import { BATCH, exampleSize } from '../src/graph/shape';
import { FLOW_CAPABILITY, FLOW_OUTPUTS, flowShapes } from './lib/flow';

/**
 * u stays this fraction of a bin away from the bin's edges: float32 rounding
 * of (k + u)/levels then never reaches the next level, so the inverse is exact.
 */
export const BIN_MARGIN = 2 ** -14;

export default defineNode({
  kind: 'layer',
  type: 'dequantize',
  title: 'Dequantize (uniform noise)',
  category: 'flows',
  flow: { ...FLOW_CAPABILITY, dequantizes: true },
  doc: "The first layer of a flow on images. A flow models a density over continuous values, but pixels take only 256 grey levels (stored as k/255); a density could pile up on those points without limit. This layer spreads each level k = 255·x over its bin: y = (k + u)/256 with u ~ U(0, 1) drawn anew every call. Its log-det, −D·ln 256 per example (D values), is not the Jacobian of x ↦ y but the log-volume of one grey level's bin, so the flow's loss in nats is an upper bound on the negative log-likelihood of the discrete images (bits/dim = nats/(D·ln 2)). Inverse: k = floor(256·y). (u keeps 2⁻¹⁴ of a bin away from its edges, so that float32 rounding never moves a value into the next level; the log-det counts that slightly smaller volume.)",
  inputs: { x: { type: 'tensor', doc: 'data on the grid k/(levels − 1), e.g. B×28×28×1 in [0, 1]' } },
  outputs: FLOW_OUTPUTS,
  equation: {
    tex: (p) =>
      String.raw`\begin{aligned}\port{y}{y} &= \frac{k + u}{L},\quad k = (L - 1)\, \port{x}{x}\\ u &\sim \mathcal U(\delta, 1 - \delta),\ \delta = 2^{-14}\\ \port{logDet}{\log V} &= D \big(\ln(1 - 2\delta) - \ln L\big)\\ L &= ${p.levels}\end{aligned}`,
    compact: (p) =>
      String.raw`\port{y}{y} = \frac{${p.levels - 1}\, \port{x}{x} + u}{${p.levels}},\ u \sim \mathcal U(0, 1) \newline \port{logDet}{\log V} \approx -D \ln ${p.levels}`,
    caption: () =>
      'Each grey level k = (L − 1)·x is spread over its bin, from k/L to (k + 1)/L, by uniform noise u drawn anew every call. logDet is not a Jacobian but the log-volume V of one bin for each of the D values of an example, which makes the flow’s loss an upper bound on the NLL of the discrete images. δ keeps u off the bin’s edges, so float32 rounding never moves a value into the next level. The inverse is x = floor(L·y)/(L − 1).',
  },
  params: { levels: int({ default: 256, min: 2, max: 256, doc: 'grey levels of the data: its values are k/(levels − 1)' }) },
  keyParams: ['levels'],
  trainable: false,
  examples: [{ x: [BATCH, 28, 28, 1] }],
  inferShapes: ({ x }) => flowShapes(x),
  build: (ctx, p) => {
    const logBinVolume = exampleSize(ctx.inputShapes.x) * (Math.log(1 - 2 * BIN_MARGIN) - Math.log(p.levels));
    return {
      forward: ({ x }, call) => {
        const level = x.mul(p.levels - 1).round();
        const u = call.randomUniform(x.shape, BIN_MARGIN, 1 - BIN_MARGIN);
        return { y: level.add(u).div(p.levels), logDet: call.tf.fill([x.shape[0]], logBinVolume) };
      },
      inverse: (y) =>
        y
          .mul(p.levels)
          .floor()
          .clipByValue(0, p.levels - 1)
          .div(p.levels - 1),
    };
  },
});
