import { defineNode } from '../src/graph/nodeApi';
import { choice, float } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'addNoise',
  title: 'Corrupt (add noise)',
  category: 'sampling',
  doc: 'Corrupts the input of a denoising autoencoder: gaussian adds N(0, amount²) noise; masking sets each value to 0 with probability "amount"; salt & pepper sets each value to 0 or 1 (half each) with probability "amount". Compare the output with the clean data so the network learns to remove the noise. Active while training and when showing reconstructions (so you see it denoise); encoding and generating use the clean input.',
  inputs: { x: { type: 'tensor', doc: 'clean data, any shape' } },
  outputs: { y: { type: 'tensor', doc: 'corrupted data, same shape' } },
  params: {
    kind: choice(['gaussian', 'masking', 'saltPepper'], 'gaussian', 'what kind of corruption'),
    amount: float({ default: 0.3, min: 0, max: 1, doc: 'gaussian: standard deviation; masking and salt & pepper: probability per value' }),
  },
  keyParams: ['kind', 'amount'],
  trainable: false,
  corruption: { output: 'y' },
  examples: [{ x: [BATCH, 28, 28, 1] }],
  inferShapes: ({ x }) => ({ y: x }),
  build: (_ctx, p) => ({
    forward: ({ x }, call) => {
      if (!(call.training || call.mode === 'reconstruct') || p.amount === 0) return { y: x };
      const tf = call.tf;
      if (p.kind === 'gaussian') return { y: x.add(call.randomNormal(x.shape).mul(p.amount)) };
      const u = call.randomUniform(x.shape, 0, 1);
      if (p.kind === 'masking') return { y: x.mul(u.greaterEqual(p.amount).toFloat()) };
      // u < amount/2 → pepper (0); amount/2 ≤ u < amount → salt (1); otherwise the clean value.
      const pepper = u.less(p.amount / 2);
      const salt = u.less(p.amount).logicalAnd(pepper.logicalNot());
      return { y: tf.where(pepper, tf.zerosLike(x), tf.where(salt, tf.onesLike(x), x)) };
    },
  }),
});
