import { defineNode, fail } from '../src/graph/nodeApi';
import { texNumber } from './lib/tex';
import { choice, float, int } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'diffusionSampler',
  title: 'Diffusion sampler',
  category: 'sampling',
  doc: "How a diffusion model generates. It starts from pure noise x_T ~ N(0, I) and walks back to data, at each step running the denoiser on x_t and t (standing in for Forward noising's outputs) and using its ε̂ to move towards less noise. ddpm is ancestral sampling (Ho et al. 2020): all T steps, each adding fresh noise of variance β̃_t. ddim (Song et al. 2021) takes only k evenly spaced steps; η = 0 makes the walk deterministic (the same x_T always gives the same sample, and k = T follows the probability-flow ODE closely), η = 1 adds as much noise as ddpm. With a Label wired into the denoiser through a Label dropout, a guidance weight w > 0 uses classifier-free guidance (Ho & Salimans 2022): ε̃ = (1 + w)·ε̂(x_t, c) − w·ε̂(x_t, ∅), trading variety for samples that look more like their class. Images are kept in [0, 1] by clipping the predicted x₀ at every step. The step count can be changed when sampling, without retraining.",
  inputs: { eps: { type: 'tensor', doc: "ε̂, the denoiser's output" } },
  outputs: {},
  equation: {
    tex: (p) => {
      const step =
        p.method === 'ddpm'
          ? String.raw`x_{t-1} &= \frac{1}{\sqrt{1 - \beta_t}} \Big(x_t - \frac{\beta_t}{\sqrt{1 - \bar\alpha_t}}\, \port{eps}{\hat\varepsilon}\Big)\\ &\quad + \sigma_t z\\ \sigma_t^2 &= \tilde\beta_t = \frac{1 - \bar\alpha_{t-1}}{1 - \bar\alpha_t}\, \beta_t`
          : String.raw`x_{t'} &= \sqrt{\bar\alpha_{t'}}\, \hat x_0 + \sqrt{1 - \bar\alpha_{t'} - \sigma^2}\, \port{eps}{\hat\varepsilon}\\ &\quad + \sigma z\\ \hat x_0 &= \frac{x_t - \sqrt{1 - \bar\alpha_t}\, \hat\varepsilon}{\sqrt{\bar\alpha_t}}\\ \sigma &= \eta \sqrt{\frac{1 - \bar\alpha_{t'}}{1 - \bar\alpha_t} \Big(1 - \frac{\bar\alpha_t}{\bar\alpha_{t'}}\Big)}\\ \eta &= ${texNumber(p.eta)}`;
      const guidance = String.raw`\\ \hat\varepsilon &= (1 + w)\, \hat\varepsilon(x_t, c) - w\, \hat\varepsilon(x_t, \varnothing)\\ w &= ${texNumber(p.guidance)}`;
      return String.raw`\begin{aligned}${step}${p.guidance > 0 ? guidance : ''}\end{aligned}`;
    },
    compact: (p) =>
      p.method === 'ddpm'
        ? String.raw`x_{t-1} = \tfrac{1}{\sqrt{\alpha_t}} \big(x_t - \tfrac{\beta_t}{\sqrt{1 - \bar\alpha_t}} \port{eps}{\hat\varepsilon}\big) + \sigma_t z`
        : String.raw`x_{t'} = \sqrt{\bar\alpha_{t'}}\, \hat x_0 + \sqrt{1 - \bar\alpha_{t'} - \sigma^2}\, \port{eps}{\hat\varepsilon} + \sigma z`,
    caption: (p) =>
      (p.method === 'ddpm'
        ? 'DDPM: from x_T ~ N(0, I), all T steps, each adding fresh noise z ~ N(0, I) of variance β̃_t (none at the last step); α_t = 1 − β_t.'
        : `DDIM: ${p.steps} evenly spaced steps from t to the next one t′, through the predicted data x̂₀; η = ${p.eta}${p.eta === 0 ? ' makes every step deterministic' : ' adds noise'} (η = 1 matches DDPM).`) +
      (p.guidance > 0 ? ` Classifier-free guidance with w = ${p.guidance} mixes the conditional and unconditional predictions.` : '') +
      ' For images, x̂₀ is clipped to [0, 1] at every step.',
  },
  params: {
    method: choice(['ddpm', 'ddim'], 'ddpm', 'ddpm: all T steps with fresh noise; ddim: k steps, deterministic at η = 0'),
    steps: int({ default: 50, min: 1, max: 4000, doc: 'ddim: k, the number of steps (at most T)' }),
    eta: float({ default: 0, min: 0, max: 1, doc: 'ddim: η, the noise added per step (0 deterministic, 1 as much as ddpm)' }),
    guidance: float({ default: 0, min: 0, max: 20, doc: 'classifier-free guidance weight w (0 = none); needs a Label dropout' }),
  },
  keyParams: ['method', 'steps'],
  trainable: false,
  diffusionSampler: { prediction: 'eps', settings: (p) => ({ method: p.method, steps: p.steps, eta: p.eta, guidance: p.guidance }) },
  examples: [{ eps: [BATCH, 2] }],
  inferShapes: ({ eps }) => (eps[0] === BATCH ? {} : fail('eps', 'needs one ε̂ per example', "connect the denoiser's output")),
  // The chain runs in the runtime (src/runtime/diffusion.ts) from the plan's settings; nothing runs here.
  build: () => ({ forward: () => ({}) }),
});
