import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'forwardNoising',
  title: 'Forward noising q(x_t | x₀)',
  category: 'sampling',
  doc: "The training half of a diffusion model. For every example it draws a step t uniformly from 1…T and noise ε ~ N(0, I), and gives x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, a sample of q(x_t | x₀): the data after t steps of the schedule. A denoiser that sees x_t and t learns to predict ε (the ε-prediction MSE), which is all a sampler needs to walk back from noise to data. t is output as its index 0…T−1 (the paper's t − 1), for a Timestep embedding. When generating it does not run: the sampler gives the denoiser its own x_t and t at every step.",
  inputs: {
    x0: { type: 'tensor', doc: 'the data x₀' },
    schedule: { type: 'tensor', kind: 'schedule', doc: 'ᾱ_t from a Noise schedule, T values' },
  },
  outputs: {
    xt: { type: 'tensor', doc: 'x_t, the noisy data, shaped like x₀' },
    t: { type: 'tensor', kind: 'timestep', doc: 'the step of each example, B values 0…T−1' },
    eps: { type: 'tensor', doc: 'ε, the noise that was added, shaped like x₀: the target of the ε-prediction loss' },
  },
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{xt}{x_t} &= \sqrt{\port{schedule}{\bar\alpha_t}}\, \port{x0}{x_0} + \sqrt{1 - \bar\alpha_t}\, \port{eps}{\varepsilon}\\ \port{t}{t} &\sim \mathcal U\{1, \dots, T\}\\ \varepsilon &\sim \mathcal N(0, I)\\ \bar\alpha_t &= \textstyle\prod_{s \le t} (1 - \beta_s)\end{aligned}`,
    compact: () =>
      String.raw`\port{xt}{x_t} = \sqrt{\port{schedule}{\bar\alpha_t}}\, \port{x0}{x_0} + \sqrt{1 - \bar\alpha_t}\, \port{eps}{\varepsilon}`,
    caption: () =>
      'A sample of q(x_t | x₀) in one jump: a fresh step t and noise ε for every example, every call. ᾱ_t is the share of the data left after t steps; the port t carries the index t − 1 (0 … T − 1).',
  },
  params: {},
  trainable: false,
  diffusionNoising: { input: 'x0', schedule: 'schedule', noisy: 'xt', timestep: 't', noise: 'eps' },
  // Generating starts from noise, not from the data.
  inputsUsedIn: (mode) => (mode === 'generate' ? [] : 'all'),
  examples: [{ x0: [BATCH, 2], schedule: [100] }],
  inferShapes: ({ x0, schedule }) =>
    schedule.length !== 1
      ? fail('schedule', `needs the T values of ᾱ_t, got ${formatShape(schedule)}`, "connect a Noise schedule's ᾱ output")
      : { xt: x0, t: [x0[0]], eps: x0 },
  build: (ctx) => {
    const steps = ctx.inputShapes.schedule[0];
    const example = ctx.inputShapes.x0.slice(1);
    return {
      forward: ({ x0, schedule }, call) => {
        const tf = call.tf;
        const n = call.batchSize;
        // Outside a sampler's chain (a preview of generate mode) this is where the chain starts: x_T ~ N(0, I).
        if (call.mode === 'generate') {
          const xT = call.randomNormal([n, ...example]);
          return { xt: xT, t: tf.fill([n], steps - 1), eps: xT };
        }
        // floor of U[0, T) is uniform on 0…T−1; the clip guards float rounding up to T.
        const t = tf.floor(call.randomUniform([n], 0, steps)).clipByValue(0, steps - 1);
        const a = tf.gather(schedule, t.toInt()).reshape([n, ...example.map(() => 1)]);
        const eps = call.randomNormal(x0.shape);
        return { xt: a.sqrt().mul(x0).add(tf.sub(1, a).sqrt().mul(eps)), t, eps };
      },
    };
  },
});
