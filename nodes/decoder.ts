import { defineNode } from '../src/graph/nodeApi';
import { choice, intList } from '../src/graph/params';
import { OUTPUT_SHAPES, expandUpsampler } from './lib/upsampler';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'block',
  type: 'decoder',
  title: 'Decoder',
  category: 'blocks',
  doc: 'Turns a latent code back into an example. mlp: Dense layers with ReLU, then one Dense output reshaped to the data. conv: Dense to a 7×7 feature map, then two stride-2 up-convolutions (7 → 14 → 28). A connected condition (e.g. a one-hot Label) is concatenated to z first, which makes a conditional VAE. Keep the output linear for Binary cross-entropy with logits; use sigmoid for MSE on data in [0, 1].',
  inputs: {
    z: { type: 'tensor', kind: 'latent', doc: 'latent code, B×latent' },
    condition: { type: 'tensor', kind: 'label', doc: 'optional extra input such as a one-hot label, B×classes', optional: true },
  },
  outputs: { y: { type: 'tensor', doc: 'B×28×28×1 or B×784 (or B×2 for points)' } },
  params: {
    kind: choice(['mlp', 'conv'], 'mlp', 'Dense layers, or up-convolutions for images'),
    hidden: intList({
      default: [512],
      min: 1,
      max: 8192,
      minLength: 0,
      maxLength: 8,
      doc: 'mlp: units per hidden layer; conv: channels at 7×7 and (optionally) 14×14',
    }),
    outputShape: choice(Object.keys(OUTPUT_SHAPES), 'image28', 'image28 = 28×28×1, flat784 = 784 values, points2 = 2-D points'),
    outputActivation: choice(['linear', 'sigmoid', 'tanh'], 'linear', 'linear gives logits (for BCE with logits)'),
  },
  keyParams: ['kind', 'hidden', 'outputShape'],
  examples: [{ z: [BATCH, 20] }],
  expand: (p, inputs) => expandUpsampler({ ...p, batchNorm: false }, inputs),
});
