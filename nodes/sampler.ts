import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape, sameShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'sampler',
  title: 'Sampler (reparameterize)',
  category: 'sampling',
  sampler: { output: 'z', mean: 'mean', logVar: 'logVar' },
  doc: 'Draws z = μ + exp(½·log σ²)·ε with ε ~ N(0, I). Writing the draw this way lets gradients flow into μ and log σ² (the reparameterization trick). When generating, it ignores the encoder and draws z from the prior N(0, I).',
  inputs: {
    mean: { type: 'tensor', kind: 'mean', doc: 'μ, B×latent' },
    logVar: { type: 'tensor', kind: 'logVar', doc: 'log σ², B×latent' },
  },
  outputs: { z: { type: 'tensor', kind: 'latent', doc: 'B×latent sample' } },
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{z}{z} &= \port{mean}{\mu} + \sigma \odot \varepsilon\\ \sigma &= \exp\!\big(\tfrac12 \port{logVar}{\log \sigma^2}\big)\\ \varepsilon &\sim \mathcal N(0, I)\end{aligned}`,
    compact: () => String.raw`\port{z}{z} = \port{mean}{\mu} + \sigma \odot \varepsilon,\ \sigma = e^{\frac12 \port{logVar}{\log\sigma^2}}`,
    caption: () =>
      'The reparameterization trick: all the randomness is in ε ~ N(0, I), so gradients flow through z into μ and log σ². Training draws a fresh ε every step; reconstructions and encodings use z = μ; generating ignores the encoder and draws z ~ N(0, I), the prior.',
  },
  params: {},
  trainable: false,
  inputsUsedIn: (mode) => (mode === 'generate' ? [] : 'all'),
  keras: () => ({ prior: { distribution: 'normal' } }),
  examples: [{ mean: [BATCH, 20], logVar: [BATCH, 20] }],
  inferShapes: ({ mean, logVar }) =>
    sameShape(mean, logVar)
      ? { z: mean }
      : fail('logVar', `μ is ${formatShape(mean)} but log σ² is ${formatShape(logVar)}`, 'give both heads the same number of units'),
  build: (ctx) => {
    const latent = ctx.inputShapes.mean.slice(1);
    return {
      forward: ({ mean, logVar }, call) => {
        if (call.mode === 'generate') return { z: call.randomNormal([call.batchSize, ...latent]) };
        // Showing reconstructions and encodings uses the posterior mean, so they do not flicker.
        if (call.mode === 'reconstruct' || call.mode === 'encode') return { z: mean };
        const eps = call.randomNormal(mean.shape);
        return { z: mean.add(call.tf.exp(logVar.mul(0.5)).mul(eps)) };
      },
    };
  },
});
