/**
 * Emitters of the diffusion nodes (diffusion.py holds their Python). The Diffusion
 * sampler computes nothing in training; sample.py runs its chain (DDPM or DDIM)
 * from the plan's settings, with the denoiser the graph wires to it.
 */
import { Tuple, num, str, type Emitter } from './emitterKit';
import { pyNumber, pyString } from './names';

export const DIFFUSION_EMITTERS: Record<string, Emitter> = {
  noiseSchedule: {
    forward: (n) => ({
      alphaBar: `noise_schedule(${pyString(str(n, 'kind'))}, ${num(n, 'steps')}, ${pyNumber(num(n, 'betaStart'))}, ${pyNumber(num(n, 'betaEnd'))}, ${pyNumber(num(n, 'offset'))}, batch["x"].device)`,
    }),
  },
  // One call draws t and ε for each example and gives x_t with them.
  forwardNoising: { forward: (_n, { x0, schedule }) => new Tuple(`forward_noising(${x0}, ${schedule}, draw)`, ['xt', 't', 'eps']) },
  timeEmbedding: {
    forward: (n, { t }) => ({
      y: `time_embedding(${t}, ${num(n, 'dim')}, ${pyNumber(num(n, 'maxPeriod'))}, ${pyNumber(num(n, 'scale'))})`,
    }),
  },
  labelDropout: {
    // Outside training the label passes through; guidance gives zeros for "no class" itself.
    forward: (n, { label }, _m, pass) => ({
      y: pass === 'train' && num(n, 'rate') > 0 ? `label_dropout(${label}, ${pyNumber(num(n, 'rate'))}, draw)` : label,
    }),
  },
  epsMse: { forward: (_n, { prediction, target }) => ({ loss: `eps_mse(${prediction}, ${target})` }) },
  diffusionSampler: { forward: () => ({}) },
};
