import { defineNode, fail } from '../src/graph/nodeApi';
import { float } from '../src/graph/params';
import { BATCH, formatShape } from '../src/graph/shape';
import { texNumber } from './lib/tex';

export default defineNode({
  kind: 'layer',
  type: 'labelDropout',
  title: 'Label dropout (guidance)',
  category: 'sampling',
  doc: "Classifier-free guidance (Ho & Salimans 2022) needs one network that denoises both with and without the class. While training this replaces the one-hot label of each example by zeros, 'no class', with probability p, so the denoiser also learns the unconditional model; outside training it passes the label through. Put it between the Label and the denoiser; the Diffusion sampler's guidance weight then compares the two predictions at every step.",
  inputs: { label: { type: 'tensor', kind: 'label', doc: 'one-hot class, B×classes' } },
  outputs: { y: { type: 'tensor', kind: 'label', doc: 'the label, or zeros for a dropped example' } },
  equation: {
    tex: (p) =>
      String.raw`\begin{aligned}\port{y}{y_b} &= m_b\, \port{label}{c_b} \quad (\text{training})\\ m_b &\sim \operatorname{Bernoulli}(1 - p),\ p = ${texNumber(p.rate)}\\ \port{y}{y_b} &= c_b \quad (\text{otherwise})\end{aligned}`,
    compact: () => String.raw`\port{y}{y} = m\, \port{label}{c},\ m \sim \operatorname{Bernoulli}(1 - p)`,
    caption: (p) =>
      `While training, each example’s one-hot class c becomes the zero vector ∅, “no class”, with probability p = ${p.rate}, so one denoiser learns both ε̂(x_t, c) and ε̂(x_t, ∅). The Diffusion sampler’s guidance weight w then mixes the two: ε̃ = (1 + w)·ε̂(x_t, c) − w·ε̂(x_t, ∅). Outside training the class passes through.`,
  },
  params: { rate: float({ default: 0.1, min: 0, max: 0.9, doc: 'p, the share of training examples whose label is dropped' }) },
  keyParams: ['rate'],
  trainable: false,
  conditionDropout: { output: 'y' },
  examples: [{ label: [BATCH, 10] }],
  inferShapes: ({ label }) =>
    label.length === 2 ? { y: label } : fail('label', `needs one-hot rows B×classes, got ${formatShape(label)}`, 'connect a Label'),
  build: (_ctx, p) => ({
    forward: ({ label }, call) => {
      if (!call.training || p.rate === 0) return { y: label };
      const keep = call.randomUniform([label.shape[0], 1], 0, 1).greaterEqual(p.rate).toFloat();
      return { y: label.mul(keep) };
    },
  }),
});
