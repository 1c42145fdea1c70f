import { defineNode, fail } from '../src/graph/nodeApi';
import { choice, float, int, type ParamValues } from '../src/graph/params';
import { SCHEDULES, alphaBars, cosineBetas, linearBetas } from './lib/diffusion';
import { texNumber } from './lib/tex';

const params = {
  kind: choice(SCHEDULES, 'linear', 'linear β (Ho et al.) or cosine ᾱ (Nichol & Dhariwal)'),
  steps: int({ default: 1000, min: 2, max: 4000, doc: 'T, the number of noising steps' }),
  betaStart: float({ default: 1e-4, min: 0, exclusiveMin: true, max: 0.5, logScale: true, doc: 'linear: β at t = 1' }),
  betaEnd: float({ default: 0.02, min: 0, exclusiveMin: true, max: 0.999, logScale: true, doc: 'linear: β at t = T' }),
  offset: float({ default: 0.008, min: 0, max: 0.5, doc: 'cosine: s, which keeps β_1 from being vanishingly small' }),
};

const betasOf = (p: ParamValues<typeof params>) =>
  p.kind === 'cosine' ? cosineBetas(p.steps, p.offset) : linearBetas(p.steps, p.betaStart, p.betaEnd);

export default defineNode({
  kind: 'layer',
  type: 'noiseSchedule',
  title: 'Noise schedule',
  category: 'sampling',
  doc: 'How much noise a diffusion model adds at each of its T steps: β_t, the variance added at step t, and ᾱ_t = ∏(1 − β_s), the share of the data that is left, so x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε. linear (Ho et al. 2020) raises β evenly from β start to β end (1e-4 to 0.02 over 1,000 steps); cosine (Nichol & Dhariwal 2021) makes ᾱ_t fall like cos² of t/T with a small offset s, which destroys information more evenly over the steps, so fewer are wasted on pure noise. ᾱ_T should be near 0, so x_T is almost pure N(0, I), where sampling starts. Feed its output to Forward noising; the sampler reads the same schedule.',
  inputs: {},
  outputs: { alphaBar: { type: 'tensor', kind: 'schedule', doc: 'ᾱ_t for t = 1…T, a vector of T values' } },
  equation: {
    tex: (p) => {
      const product = String.raw`\port{alphaBar}{\bar\alpha_t} &= \textstyle\prod_{\tau=1}^{t} (1 - \beta_\tau),\quad t = 1, \dots, T`;
      const betas =
        p.kind === 'cosine'
          ? String.raw`\beta_t &= \min\!\Big(0.999,\ 1 - \frac{f(t)}{f(t - 1)}\Big)\\ f(t) &= \cos^2\!\Big(\frac{t/T + s}{1 + s} \cdot \frac{\pi}{2}\Big)\\ s &= ${texNumber(p.offset)},\ T = ${p.steps}`
          : String.raw`\beta_t &= \beta_1 + (\beta_T - \beta_1)\, \frac{t - 1}{T - 1}\\ \beta_1 &= ${texNumber(p.betaStart)},\ \beta_T = ${texNumber(p.betaEnd)},\ T = ${p.steps}`;
      return String.raw`\begin{aligned}${product}\\ ${betas}\end{aligned}`;
    },
    compact: (p) =>
      String.raw`\port{alphaBar}{\bar\alpha_t} = \textstyle\prod_{\tau \le t} (1 - \beta_\tau)` +
      (p.kind === 'cosine'
        ? String.raw` \newline \bar\alpha_t \approx \cos^2\!\big(\tfrac{t/T + s}{1 + s} \cdot \tfrac{\pi}{2}\big)`
        : String.raw` \newline \beta\colon ${texNumber(p.betaStart)} \to ${texNumber(p.betaEnd)} \text{ over } ${p.steps} \text{ steps}`),
    caption: (p) => {
      const last = alphaBars(betasOf(p))[p.steps - 1];
      const how =
        p.kind === 'cosine'
          ? 'the cosine schedule makes ᾱ_t fall like cos² from 1 to 0, with β_t capped at 0.999 near t = T'
          : 'the linear schedule raises β_t evenly from β₁ to β_T';
      return `β_t is the variance of the noise added at step t and ᾱ_t the share of the data’s variance left after t steps; ${how}. The output is the T values ᾱ₁ … ᾱ_T. Sampling starts from N(0, I), so ᾱ_T should be near 0: here it is ${last < 1e-3 ? last.toExponential(1) : last.toPrecision(2)}.`;
    },
  },
  params,
  keyParams: ['kind', 'steps'],
  trainable: false,
  diffusionSchedule: { output: 'alphaBar', betas: betasOf },
  inferShapes: (_inputs, p) => {
    if (p.kind === 'linear' && p.betaEnd < p.betaStart)
      return fail(undefined, `β end ${p.betaEnd} is below β start ${p.betaStart}`, 'noise should grow with t: make β end the larger');
    const last = alphaBars(betasOf(p))[p.steps - 1];
    // Sampling starts from pure noise, so the last step must have destroyed the data.
    if (last > 0.01)
      return fail(
        undefined,
        `ᾱ_T = ${last.toFixed(3)}: after T steps ${(100 * Math.sqrt(last)).toFixed(0)} % of the data's scale is left, so x_T is not pure noise and sampling from N(0, I) starts in the wrong place`,
        'use more steps or a larger β end',
      );
    return { alphaBar: [p.steps] };
  },
  build: (ctx, p) => {
    // A constant for the model's lifetime, like a convolution mask.
    const alphaBar = ctx.tf.tensor1d(Float32Array.from(alphaBars(betasOf(p))));
    return { forward: () => ({ alphaBar }) };
  },
});
