import { defineNode } from '../src/graph/nodeApi';
import { choice, int, intList } from '../src/graph/params';
import { BATCH, formatShape } from '../src/graph/shape';
import { ExpansionBuilder, type Source } from './lib/expansion';

export default defineNode({
  kind: 'block',
  type: 'encoder',
  title: 'Encoder',
  category: 'blocks',
  doc: 'Maps each example to a latent code. mlp: Dense layers with ReLU (images are flattened first). conv: one stride-2 convolution per hidden entry (28 → 14 → 7), then a flatten. With output "gaussian" (a VAE) it has two heads, mean μ and log-variance log σ², for a Sampler; with "deterministic" (a plain autoencoder) a single head gives the code z directly. It has only the outputs of the chosen kind.',
  inputs: { x: { type: 'tensor', doc: 'B×features or B×H×W×C' } },
  outputs: {
    mean: { type: 'tensor', kind: 'mean', doc: 'μ, B×latent (gaussian output)' },
    logVar: { type: 'tensor', kind: 'logVar', doc: 'log σ², B×latent (gaussian output)' },
    z: { type: 'tensor', kind: 'latent', doc: 'the code, B×latent (deterministic output)', role: 'latent' },
  },
  params: {
    kind: choice(['mlp', 'conv'], 'mlp', 'Dense layers, or strided convolutions for images'),
    hidden: intList({
      default: [512],
      min: 1,
      max: 8192,
      minLength: 0,
      maxLength: 8,
      doc: 'units (mlp) or channels (conv) per hidden layer, e.g. 512 or 32, 64',
    }),
    latent: int({ default: 20, min: 1, max: 4096, doc: 'latent dimensions' }),
    output: choice(['gaussian', 'deterministic'], 'gaussian', 'gaussian: μ and log σ² for a VAE; deterministic: one code z'),
  },
  keyParams: ['kind', 'hidden', 'latent', 'output'],
  activePorts: (p) => ({ outputs: p.output === 'gaussian' ? ['mean', 'logVar'] : ['z'] }),
  examples: [{ x: [BATCH, 28, 28, 1] }],
  expand: (p, { x }) => {
    const b = new ExpansionBuilder();
    let h: Source = { input: 'x' };
    if (p.kind === 'conv') {
      if (x.length !== 4)
        throw new Error(`a conv encoder needs images B×H×W×C, got ${formatShape(x)}; add a Reshape to 28×28×1 or use kind mlp`);
      p.hidden.forEach((filters, i) => {
        h = b.layer(`conv${i}`, 'conv2d', { filters, kernelSize: 4, stride: 2, padding: 'same', activation: 'relu' }, { x: h });
      });
      h = b.layer('flat', 'flatten', {}, { x: h });
    } else {
      if (x.length > 2) h = b.layer('flat', 'flatten', {}, { x: h });
      p.hidden.forEach((units, i) => {
        h = b.layer(`dense${i}`, 'dense', { units, activation: 'relu' }, { x: h });
      });
    }
    const head = { units: p.latent, activation: 'linear' };
    if (p.output === 'gaussian') {
      b.output('mean', b.layer('mean', 'dense', head, { x: h }));
      b.output('logVar', b.layer('logVar', 'dense', head, { x: h }));
    } else {
      b.output('z', b.layer('z', 'dense', head, { x: h }));
    }
    return b.done();
  },
});
