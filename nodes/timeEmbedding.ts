import { defineNode, fail } from '../src/graph/nodeApi';
import { float, int } from '../src/graph/params';
import { BATCH, formatShape } from '../src/graph/shape';
import { texNumber } from './lib/tex';

/** The scale in front of t, left out when it is 1. */
const scaled = (scale: number) => (scale === 1 ? '' : String.raw`${texNumber(scale)}\,`);

/** f_i = maxPeriod^(−i/half), i = 0…half−1: from one radian per unit down to one turn per 2π·maxPeriod units. */
export function embeddingFrequencies(dim: number, maxPeriod: number): Float32Array {
  const half = dim / 2;
  return Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(maxPeriod) * i) / half));
}

export default defineNode({
  kind: 'layer',
  type: 'timeEmbedding',
  title: 'Sinusoidal embedding',
  category: 'layers',
  doc: "Turns each example's diffusion step t into a vector a network can use: the sinusoidal position code of the Transformer (Vaswani et al. 2017), as DDPM uses it. With half = dim/2, frequencies f_i = maxPeriod^(−i/half) and u = scale·t, the output is [sin(u·f_0), …, sin(u·f_{half−1}), cos(u·f_0), …, cos(u·f_{half−1})]. Nearby steps get similar vectors and every step a different one; the fast waves tell neighbouring steps apart, the slow ones say roughly how noisy x_t is. Given B×F values (2-D points) it codes each of the F values this way and joins the codes (Fourier features, Tancik et al. 2020): with a scale of about 25 a small network can draw details a twenty-fifth of a unit wide, which plain coordinates make hard to learn. It has no weights: follow it with a Dense layer, or give it to a U-Net's time input.",
  inputs: { t: { type: 'tensor', kind: 'timestep', doc: 'the step of each example (B or B×1 values), or B×F values to code one by one' } },
  outputs: { y: { type: 'tensor', doc: 'B×dim, or B×(F·dim)' } },
  equation: {
    tex: (p) =>
      String.raw`\begin{aligned}\port{y}{y} &= \big[\sin(u f_0), \dots, \sin(u f_{h-1}),\\ &\qquad \cos(u f_0), \dots, \cos(u f_{h-1})\big]\\ u &= ${scaled(p.scale)}\port{t}{t},\quad f_i = {${texNumber(p.maxPeriod)}}^{-i/h}\\ h &= \tfrac{\mathrm{dim}}{2} = ${p.dim / 2}\end{aligned}`,
    compact: (p) =>
      String.raw`\port{y}{y} = \big[\sin(u f_i), \cos(u f_i)\big]_{i < ${p.dim / 2}} \newline u = ${scaled(p.scale)}\port{t}{t},\ f_i = {${texNumber(p.maxPeriod)}}^{-i/${p.dim / 2}}`,
    caption: () =>
      'Half sines, half cosines of the scaled input u at h frequencies f_i that fall geometrically from 1 to almost 1/maxPeriod: the fast waves tell neighbouring steps apart, the slow ones say roughly where in the chain t is. Given F values per example (2-D points), each gets its own code of dim values and the codes are joined, B×(F·dim).',
  },
  params: {
    dim: int({ default: 32, min: 2, max: 1024, doc: 'length of the code of one value (even): half sines, half cosines' }),
    maxPeriod: float({ default: 10000, min: 2, max: 1e6, logScale: true, doc: 'period of the slowest wave (over 2π), in units of t' }),
    scale: float({
      default: 1,
      min: 0,
      exclusiveMin: true,
      max: 1e4,
      logScale: true,
      doc: 'multiplies the input first: 1 for steps, ~25 for 2-D points',
    }),
  },
  keyParams: ['dim', 'scale'],
  trainable: false,
  examples: [{ t: [BATCH] }, { t: [BATCH, 2] }],
  inferShapes: ({ t }, p) => {
    if (t.length > 2)
      return fail('t', `needs one value (B) or a row of values (B×F) per example, got ${formatShape(t)}`, 'add a Flatten before it');
    if (p.dim % 2 !== 0) return fail(undefined, `dim ${p.dim} is odd; it holds as many sines as cosines`, `use ${p.dim + 1}`);
    return { y: [t[0], (t.length === 2 ? t[1] : 1) * p.dim] };
  },
  build: (ctx, p) => {
    const t = ctx.inputShapes.t;
    const features = t.length === 2 ? t[1] : 1;
    const half = p.dim / 2;
    // A constant for the model's lifetime, like a convolution mask.
    const freqs = ctx.tf.tensor3d(
      embeddingFrequencies(p.dim, p.maxPeriod).map((f) => f * p.scale),
      [1, 1, half],
    );
    return {
      forward: ({ t }, call) => {
        const angles = t.reshape([-1, features, 1]).mul(freqs);
        return { y: call.tf.concat([call.tf.sin(angles), call.tf.cos(angles)], 2).reshape([-1, features * p.dim]) };
      },
    };
  },
});
