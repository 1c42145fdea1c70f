/**
 * Which family of generative model a graph is (seed 001's taxonomy), read
 * from what its plan can do rather than from a list of preset names, so a
 * new graph lands in the right group by itself:
 *
 * - explicit, tractable density: evaluation gives an exact NLL (PixelCNN; flows);
 * - explicit, approximate density: it generates and infers z from x
 *   (a VAE; its likelihood is bounded by the ELBO, when its decoder has one),
 *   or it is a diffusion model (a chain of latents x_T … x_1 with an ELBO);
 * - implicit density: it generates but has neither a likelihood nor an encoder (GANs);
 * - representation learning: it encodes or reconstructs, but has no prior to sample (autoencoders).
 */
import type { ModePlan } from './plan';

export type ModelFamily = 'explicit-tractable' | 'explicit-approximate' | 'implicit' | 'representation' | 'other';

/** Gallery order: from exact densities to no density at all. */
export const FAMILY_ORDER: readonly ModelFamily[] = ['explicit-tractable', 'explicit-approximate', 'implicit', 'representation', 'other'];

export const FAMILY_INFO: Record<ModelFamily, { title: string; can: string }> = {
  'explicit-tractable': {
    title: 'Explicit density, tractable (autoregressive models, flows)',
    can: 'Sample: yes. Likelihood: exact, so models compare by test NLL. Infer z: a flow maps x to its code z exactly and back; an autoregressive model has no code (it samples one pixel at a time).',
  },
  'explicit-approximate': {
    title: 'Explicit density, approximate (VAEs, diffusion)',
    can: 'Sample: yes, from the prior (a diffusion model by denoising step by step). Likelihood: a lower bound (the ELBO) when the decoder is a likelihood. Infer z: a VAE’s encoder maps x to q(z|x); a diffusion model’s latents are x noised by a fixed schedule.',
  },
  implicit: {
    title: 'Implicit density (GANs)',
    can: 'Sample: yes. Likelihood: none, so samples are judged by a classifier or by eye. Infer z: no encoder to map x back to z.',
  },
  representation: {
    title: 'Representation learning (autoencoders)',
    can: 'Sample: no, there is no prior to draw codes from. Likelihood: none. Infer z: yes, the code of an input is what it learns.',
  },
  other: {
    title: 'Other graphs',
    can: 'Sample: no. Likelihood: none. Infer z: no. The graph neither generates nor encodes nor reconstructs.',
  },
};

export function modelFamily(modes: ModePlan): ModelFamily {
  if (modes.evaluate?.kind === 'nll' || modes.generate?.autoregressive) return 'explicit-tractable';
  if (modes.generate && (modes.encode || modes.evaluate?.kind === 'elbo' || modes.generate.diffusion)) return 'explicit-approximate';
  if (modes.generate) return 'implicit';
  // An autoencoder built from plain layers has no latent output the plan can name, but it still reconstructs.
  if (modes.encode || modes.reconstruct) return 'representation';
  return 'other';
}
