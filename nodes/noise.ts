import { defineNode } from '../src/graph/nodeApi';
import { choice, int } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'noise',
  title: 'Noise (prior)',
  category: 'sampling',
  noise: { output: 'z' },
  doc: 'Random latent vectors from the prior, a fresh draw every step: the input of a GAN generator.',
  inputs: {},
  outputs: { z: { type: 'tensor', kind: 'latent', doc: 'B×size random values' } },
  params: {
    size: int({ default: 64, min: 1, max: 4096, doc: 'latent dimensions' }),
    distribution: choice(['gaussian', 'uniform'], 'gaussian', 'N(0, 1) or U(−1, 1)'),
  },
  keyParams: ['size', 'distribution'],
  trainable: false,
  inferShapes: (_inputs, p) => ({ z: [BATCH, p.size] }),
  keras: (p) => ({ prior: p.distribution === 'uniform' ? { distribution: 'uniform', low: -1, high: 1 } : { distribution: 'normal' } }),
  build: (_ctx, p) => ({
    forward: (_inputs, call) => ({
      z: p.distribution === 'uniform' ? call.randomUniform([call.batchSize, p.size], -1, 1) : call.randomNormal([call.batchSize, p.size]),
    }),
  }),
});
