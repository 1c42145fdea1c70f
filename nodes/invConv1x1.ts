import { defineNode, type TF } from '../src/graph/nodeApi';
import { BATCH, exampleSize } from '../src/graph/shape';
import { FLOW_CAPABILITY, FLOW_INPUTS, FLOW_OUTPUTS, flowShapes, invertMatrix, sameForEach } from './lib/flow';

/** n×n, 1 where `keep(row, column)`: the triangles that L and U may use. */
function triangle(n: number, keep: (row: number, column: number) => boolean): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = keep(i, j) ? 1 : 0;
  return out;
}

export default defineNode({
  kind: 'layer',
  type: 'invConv1x1',
  title: 'Invertible 1×1 convolution (Glow)',
  category: 'flows',
  flow: FLOW_CAPABILITY,
  doc: 'A learned mixing of the channels (the last axis), an invertible layer from Glow (Kingma & Dhariwal 2018): the channel vector of every pixel is multiplied by the same C×C matrix W, y = W·x (for vectors, y = x·Wᵀ). Between couplings it replaces a fixed shuffle of the channels with a learned one. W is kept in LU form, W = P·L·(U + diag(exp(logS))), with P a fixed reversal of the channels, L lower-triangular with ones on its diagonal and U zero on and below its diagonal, so log |det W| = Σ logS needs no determinant: log |det ∂y/∂x| = (positions per example)·Σ logS, where positions is H·W for images and 1 for vectors. It starts close to the reversal.',
  inputs: FLOW_INPUTS,
  outputs: FLOW_OUTPUTS,
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{y}{y_p} &= W\, \port{x}{x_p} \quad (\text{every position } p)\\ W &= P L \big(U + \operatorname{diag}(e^{\log s})\big)\\ \port{logDet}{\log \lvert \det \tfrac{\partial y}{\partial x} \rvert} &= N \textstyle\sum_{c=1}^{C} \log s_c\end{aligned}`,
    compact: () => String.raw`\port{y}{y_p} = W \port{x}{x_p} \newline \port{logDet}{\log\lvert\det J\rvert} = N \textstyle\sum_c \log s_c`,
    caption: () =>
      'One C×C matrix W mixes the channel vector x_p at every position p (a 1×1 convolution). Kept as P·L·(U + diag(e^(log s))), with P a fixed reversal of the channels, L lower-triangular with ones on its diagonal and U zero on and below it, its log |det W| is simply Σ log s_c; N is the number of positions per example (H·W for images, 1 for vectors).',
  },
  params: {},
  trainable: true,
  examples: [{ x: [BATCH, 8, 8, 4] }, { x: [BATCH, 2] }],
  inferShapes: ({ x }) => flowShapes(x),
  countParams: ({ x }) => {
    const channels = x[x.length - 1];
    return 2 * channels * channels + channels;
  },
  build: (ctx) => {
    const x = ctx.inputShapes.x;
    const n = x[x.length - 1];
    const positions = exampleSize(x) / n;
    const tf = ctx.tf;
    // Free n×n variables, masked to their triangles: entries outside are multiplied by 0, so they never count and get no gradient.
    const lower = ctx.variable('lower', [n, n], { normal: 0.05 });
    const upper = ctx.variable('upper', [n, n], { normal: 0.05 });
    const logS = ctx.variable('logS', [n], 'zeros');
    const strictlyLower = tf.tensor2d(
      triangle(n, (i, j) => i > j),
      [n, n],
    );
    const strictlyUpper = tf.tensor2d(
      triangle(n, (i, j) => i < j),
      [n, n],
    );
    const identity = tf.eye(n);
    const weight = (tf: TF) => {
      const l = lower.mul(strictlyLower).add(identity);
      const u = upper.mul(strictlyUpper).add(identity.mul(tf.exp(logS)));
      // P·M with P the reversal permutation reverses the rows of M.
      return tf.reverse(tf.matMul(l, u), 0);
    };
    return {
      // A 1×1 convolution is one matrix product over every pixel's channel vector.
      forward: ({ x }, call) => ({
        y: x.reshape([-1, n]).matMul(weight(call.tf), false, true).reshape(x.shape),
        logDet: sameForEach(call.tf, logS.sum().mul(positions), x.shape[0]),
      }),
      // Only generation inverts, once per batch, so W⁻¹ is computed from W's values in float64 instead of kept in sync.
      inverse: (y, call) => {
        const inverseWeight = call.tf.tensor2d(Float32Array.from(invertMatrix(weight(call.tf).dataSync(), n)), [n, n]);
        return y.reshape([-1, n]).matMul(inverseWeight, false, true).reshape(y.shape);
      },
    };
  },
});
