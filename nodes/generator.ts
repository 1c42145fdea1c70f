import { defineNode } from '../src/graph/nodeApi';
import { bool, choice, intList } from '../src/graph/params';
import { OUTPUT_SHAPES, expandUpsampler } from './lib/upsampler';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'block',
  type: 'generator',
  title: 'Generator',
  category: 'blocks',
  doc: 'The GAN generator: turns prior noise into a fake example. mlp: Dense layers, then a Dense output reshaped to the data. conv (DCGAN): Dense to a 7×7 feature map, then two stride-2 up-convolutions (7 → 14 → 28). Batch normalization after each hidden layer steadies training. A connected condition (a one-hot Label) is concatenated to z first, for a conditional GAN. The output activation should match the data range: sigmoid for data in [0, 1].',
  inputs: {
    z: { type: 'tensor', kind: 'latent', doc: 'noise, B×size' },
    condition: { type: 'tensor', kind: 'label', doc: 'optional extra input such as a one-hot label, B×classes', optional: true },
  },
  outputs: { y: { type: 'tensor', doc: 'fake examples: B×28×28×1 or B×784 (or B×2 for points)' } },
  params: {
    kind: choice(['mlp', 'conv'], 'mlp', 'Dense layers, or up-convolutions (DCGAN)'),
    hidden: intList({
      default: [256, 512],
      min: 1,
      max: 8192,
      minLength: 0,
      maxLength: 8,
      doc: 'mlp: units per hidden layer; conv: channels at 7×7 and (optionally) 14×14',
    }),
    outputShape: choice(Object.keys(OUTPUT_SHAPES), 'image28', 'image28 = 28×28×1, flat784 = 784 values, points2 = 2-D points'),
    outputActivation: choice(['sigmoid', 'tanh', 'linear'], 'sigmoid', 'sigmoid for data in [0, 1]'),
    batchNorm: bool(true, 'batch normalization after each hidden layer'),
  },
  keyParams: ['kind', 'hidden', 'outputShape'],
  examples: [{ z: [BATCH, 64] }],
  expand: (p, inputs) => expandUpsampler(p, inputs),
});
