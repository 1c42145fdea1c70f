import { defineNode } from '../src/graph/nodeApi';
import { choice, intList } from '../src/graph/params';
import { BATCH, formatShape } from '../src/graph/shape';
import { ExpansionBuilder, type Source } from './lib/expansion';

export default defineNode({
  kind: 'block',
  type: 'discriminator',
  title: 'Discriminator',
  category: 'blocks',
  doc: 'The GAN discriminator (or WGAN critic): scores how real an example looks, as a logit (no sigmoid; the GAN loss applies it). mlp: Dense layers with leaky ReLU. conv (DCGAN): stride-2 convolutions with leaky ReLU, one per hidden entry (28 → 14 → 7), then a flatten. A final Dense(1) gives the score. A connected condition (a one-hot Label) makes a conditional GAN: an mlp joins it to the flattened input, a conv turns it into a learned plane beside the image, so every layer judges image and label together. Apply it to real and fake data with two nodes, the second sharing weights with the first, so both are one network.',
  inputs: {
    x: { type: 'tensor', doc: 'real or generated examples' },
    condition: { type: 'tensor', kind: 'label', doc: 'optional extra input such as a one-hot label, B×classes', optional: true },
  },
  outputs: { logits: { type: 'tensor', doc: 'B×1 score (logit)' } },
  params: {
    kind: choice(['mlp', 'conv'], 'mlp', 'Dense layers, or strided convolutions for images (DCGAN)'),
    hidden: intList({
      default: [512, 256],
      min: 1,
      max: 8192,
      minLength: 0,
      maxLength: 8,
      doc: 'units (mlp) or channels (conv) per hidden layer',
    }),
  },
  keyParams: ['kind', 'hidden'],
  examples: [{ x: [BATCH, 28, 28, 1] }],
  expand: (p, { x, condition }) => {
    const b = new ExpansionBuilder();
    let h: Source = { input: 'x' };
    if (p.kind === 'conv') {
      if (x.length !== 4)
        throw new Error(`a conv discriminator needs images B×H×W×C, got ${formatShape(x)}; add a Reshape to 28×28×1 or use kind mlp`);
      if (condition) {
        // The label as a learned plane beside the image, so every convolution sees the pair. Joined only after the
        // convolutions it reached the score as a per-class offset, which tells the generator nothing about the class
        // (a conditional DCGAN built that way measured a conditioning accuracy of 0.105, chance).
        const [, height, width] = x;
        const plane = b.layer('condPlane', 'dense', { units: height * width, activation: 'linear' }, { x: { input: 'condition' } });
        const map = b.layer('condMap', 'reshape', { shape: [height, width, 1] }, { x: plane });
        h = b.layer('cond', 'concat', {}, { a: h, b: map });
      }
      p.hidden.forEach((filters, i) => {
        h = b.layer(
          `conv${i}`,
          'conv2d',
          { filters, kernelSize: 4, stride: 2, padding: 'same', activation: 'leakyRelu', init: 'glorotUniform' },
          { x: h },
        );
      });
      h = b.layer('flat', 'flatten', {}, { x: h });
    } else {
      if (x.length > 2) h = b.layer('flat', 'flatten', {}, { x: h });
      if (condition) h = b.layer('cond', 'concat', {}, { a: h, b: { input: 'condition' } });
      p.hidden.forEach((units, i) => {
        h = b.layer(`dense${i}`, 'dense', { units, activation: 'leakyRelu' }, { x: h });
      });
    }
    b.output('logits', b.layer('score', 'dense', { units: 1, activation: 'linear' }, { x: h }));
    return b.done();
  },
});
