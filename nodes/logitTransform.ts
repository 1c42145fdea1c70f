import { defineNode } from '../src/graph/nodeApi';
import { float } from '../src/graph/params';
import { BATCH, exampleSize } from '../src/graph/shape';
import { FLOW_CAPABILITY, FLOW_OUTPUTS, flowShapes, sumPerExample } from './lib/flow';
import { texNumber } from './lib/tex';

export default defineNode({
  kind: 'layer',
  type: 'logitTransform',
  title: 'Logit transform',
  category: 'flows',
  flow: FLOW_CAPABILITY,
  doc: 'Maps values in (0, 1) to the whole real line, where a Gaussian prior fits them better (RealNVP preprocessing, after Dequantize): s = α + (1 − 2α)·x, y = log s − log(1 − s). The small α keeps 0 and 1 away from ∓∞. log |det ∂y/∂x| = Σ [ln(1 − 2α) − ln s − ln(1 − s)]. Inverse: x = (sigmoid(y) − α)/(1 − 2α).',
  inputs: { x: { type: 'tensor', doc: 'values in (0, 1), e.g. dequantized pixels' } },
  outputs: FLOW_OUTPUTS,
  equation: {
    tex: (p) =>
      String.raw`\begin{aligned}\port{y}{y} &= \log s - \log(1 - s)\\ s &= \alpha + (1 - 2\alpha)\, \port{x}{x},\ \alpha = ${texNumber(p.alpha)}\\ \port{logDet}{\log \lvert \det \tfrac{\partial y}{\partial x} \rvert} &= \textstyle\sum_{i=1}^{D} \big[\ln(1 - 2\alpha) - \ln s_i - \ln(1 - s_i)\big]\end{aligned}`,
    compact: () =>
      String.raw`\port{y}{y} = \operatorname{logit}\big(\alpha + (1 - 2\alpha)\, \port{x}{x}\big) \newline \port{logDet}{\log\lvert\det J\rvert} = \textstyle\sum_i \ln \frac{1 - 2\alpha}{s_i (1 - s_i)}`,
    caption: () =>
      'x is first squeezed into [α, 1 − α], so that 0 and 1 do not go to ∓∞, then the logit maps (0, 1) onto the whole real line, where a Gaussian prior fits the values better. The log-determinant sums the log-slope over the D values of an example. The inverse is x = (σ(y) − α)/(1 − 2α), with σ the sigmoid.',
  },
  params: {
    alpha: float({ default: 0.05, min: 0, exclusiveMin: true, max: 0.49, doc: 'x is squeezed into [α, 1 − α] before the logit' }),
  },
  keyParams: ['alpha'],
  trainable: false,
  examples: [{ x: [BATCH, 28, 28, 1] }],
  inferShapes: ({ x }) => flowShapes(x),
  build: (ctx, p) => {
    const squeezeLogDet = exampleSize(ctx.inputShapes.x) * Math.log(1 - 2 * p.alpha);
    return {
      forward: ({ x }, call) => {
        const tf = call.tf;
        const s = x.mul(1 - 2 * p.alpha).add(p.alpha);
        const logS = tf.log(s);
        const logOneMinusS = tf.log1p(s.neg());
        return { y: logS.sub(logOneMinusS), logDet: sumPerExample(logS.add(logOneMinusS)).neg().add(squeezeLogDet) };
      },
      inverse: (y, call) =>
        call.tf
          .sigmoid(y)
          .sub(p.alpha)
          .div(1 - 2 * p.alpha),
    };
  },
});
