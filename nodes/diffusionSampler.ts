import { defineNode, fail } from '../src/graph/nodeApi';
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
