/**
 * Diffusion sampling: the chain from x_T ~ N(0, I) back to data. Each step
 * runs the graph's denoiser with the chain's x_t and t standing in for forward
 * noising's outputs (plan.diffusion), then takes a DDPM step (Ho et al. 2020,
 * eq. 11) or a DDIM step (Song et al. 2021, eq. 12). Every step runs in its own
 * tf.tidy, so a chain of T steps holds only x_t (and the frames asked for)
 * between steps; its noise comes from the model's seeded stream (call).
 * Timesteps are indices i = 0…T−1, the papers' t = i + 1.
 */
import { alphaBars } from '../../nodes/lib/diffusion';
import { oneHotRows } from '../data/batcher';
import type { DiffusionMethod, DiffusionSettings, Tensor } from '../graph/nodeApi';
import { exampleSize } from '../graph/shape';
import type { Plan } from '../compiler/plan';
import type { Batch, CompiledModel, Given } from './model';
import type { Read, ReadMode } from './reads';
import * as tf from './tf';

/** Sampling-time changes to the Diffusion sampler's settings (a DDIM steps slider, a guidance weight). */
export interface DiffusionOptions extends Partial<DiffusionSettings> {
  /** x_t to keep along the way, evenly spaced from x_T to the sample (0 or absent: none) */
  frames?: number;
}

/** The schedule's per-step numbers, in float64. */
export interface Schedule {
  betas: readonly number[];
  alphaBars: Float64Array;
}

export const scheduleOf = (betas: readonly number[]): Schedule => ({ betas, alphaBars: alphaBars(betas) });

/** ᾱ before the first step: nothing destroyed yet. */
const alphaBarAt = (s: Schedule, i: number) => (i < 0 ? 1 : s.alphaBars[i]);

/**
 * The step indices a chain visits, noisiest first. ddpm visits all T; ddim
 * visits k evenly spaced ones, always T−1 (where x_T ~ N(0, I) belongs) and 0
 * (which ends at the data), so k = T visits every step.
 */
export function chainSteps(steps: number, settings: { method: DiffusionMethod; steps: number }): number[] {
  const k = settings.method === 'ddpm' ? steps : settings.steps;
  if (!Number.isInteger(k) || k < 1 || k > steps)
    throw new Error(`the diffusion sampler's step count must be a whole number from 1 to T = ${steps}, got ${k}`);
  if (k === 1) return [steps - 1];
  return Array.from({ length: k }, (_, j) => Math.round(((k - 1 - j) * (steps - 1)) / (k - 1)));
}

/**
 * DDPM ancestral step from index i (Ho et al. 2020, eq. 11):
 * x_{t−1} = (x_t − β_t/√(1 − ᾱ_t)·ε̂)/√α_t + σ_t·z, with σ_t² = β̃_t = β_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t),
 * the variance of the true posterior q(x_{t−1} | x_t, x₀); it is 0 at the last step, which needs no z.
 */
export function ddpmStep(x: Tensor, eps: Tensor, i: number, s: Schedule, z: Tensor | null): Tensor {
  const beta = s.betas[i];
  const a = alphaBarAt(s, i);
  const mean = x.sub(eps.mul(beta / Math.sqrt(1 - a))).div(Math.sqrt(1 - beta));
  const sigma = Math.sqrt((beta * (1 - alphaBarAt(s, i - 1))) / (1 - a));
  return z && sigma > 0 ? mean.add(z.mul(sigma)) : mean;
}

/** σ of a DDIM step from i to `prev` (Song et al. 2021, eq. 16); η = 1 is DDPM's β̃ when prev = i − 1. */
export function ddimSigma(i: number, prev: number, s: Schedule, eta: number): number {
  const a = alphaBarAt(s, i);
  const ap = alphaBarAt(s, prev);
  return eta * Math.sqrt(((1 - ap) / (1 - a)) * (1 - a / ap));
}

/**
 * DDIM step from index i to `prev` (−1: to the data; Song et al. 2021, eq. 12):
 * x_prev = √ᾱ_prev·x̂₀ + √(1 − ᾱ_prev − σ²)·ε̂ + σ·z, with x̂₀ = (x_t − √(1 − ᾱ_t)·ε̂)/√ᾱ_t.
 */
export function ddimStep(x: Tensor, eps: Tensor, i: number, prev: number, s: Schedule, eta: number, z: Tensor | null): Tensor {
  const a = alphaBarAt(s, i);
  const ap = alphaBarAt(s, prev);
  const sigma = ddimSigma(i, prev, s, eta);
  const x0 = x.sub(eps.mul(Math.sqrt(1 - a))).div(Math.sqrt(a));
  const next = x0.mul(Math.sqrt(ap)).add(eps.mul(Math.sqrt(Math.max(0, 1 - ap - sigma * sigma))));
  return z && sigma > 0 ? next.add(z.mul(sigma)) : next;
}

/**
 * ε̂ consistent with x̂₀ clipped to [lo, hi]: images live in [0, 1], and a
 * prediction outside it early in the chain would only be pulled back later
 * (DDPM's clip_denoised). Both steps then move towards the clipped x̂₀.
 */
function clippedEps(x: Tensor, eps: Tensor, a: number, lo: number, hi: number): Tensor {
  const x0 = x
    .sub(eps.mul(Math.sqrt(1 - a)))
    .div(Math.sqrt(a))
    .clipByValue(lo, hi);
  return x.sub(x0.mul(Math.sqrt(a))).div(Math.sqrt(1 - a));
}

/** What a chain runs on: n samples, their one-hot classes (conditional graphs) and a seeded N(0, 1) stream. */
export interface ChainInputs {
  n: number;
  labels: Tensor | null;
  randomNormal(shape: number[]): Tensor;
}

export interface Chain {
  /** the sample x₀ (the data's values, not yet reshaped or clipped for display) */
  x: Tensor;
  /** x_t at the requested points of the chain, t = T first and 0 (the sample) last */
  frames: { t: number; x: Tensor }[];
}

/**
 * Runs the chain for `io.n` samples. `denoise` runs the graph to ε̂
 * with the given ports standing in; with a guidance weight w it runs twice
 * per step, the second time with the condition replaced by zeros ("no class"),
 * and uses ε̃ = (1 + w)·ε̂(x_t, c) − w·ε̂(x_t, ∅) (Ho & Salimans 2022). Call
 * inside tidy: the returned tensors belong to the caller's scope.
 */
export function runChain(plan: Plan, io: ChainInputs, denoise: (givens: Given[]) => Tensor, options: DiffusionOptions = {}): Chain {
  const d = plan.diffusion;
  if (!d) throw new Error('this graph is not a diffusion model: it has no Diffusion sampler reading a denoiser of Forward noising');
  const settings: DiffusionSettings = {
    method: options.method ?? d.settings.method,
    steps: options.steps ?? d.settings.steps,
    eta: options.eta ?? d.settings.eta,
    guidance: options.guidance ?? d.settings.guidance,
  };
  if (!(settings.eta >= 0 && settings.eta <= 1)) throw new Error(`the diffusion sampler's η must be from 0 to 1, got ${settings.eta}`);
  if (!(settings.guidance >= 0)) throw new Error(`the guidance weight must be 0 or more, got ${settings.guidance}`);
  const s = scheduleOf(d.betas);
  const steps = chainSteps(d.betas.length, settings);
  const w = settings.guidance;
  const { n, labels } = io;
  if (w > 0 && (!d.condition || !labels))
    throw new Error('guided sampling needs a conditional model trained with a Label dropout; set guidance to 0');
  const clip = plan.data.kind === 'image' ? ([0, 1] as const) : null;
  const example = plan.byId[d.noisy.node].outputShapes[d.noisy.port].slice(1);
  const predict = (x: Tensor, i: number): Tensor => {
    const givens: Given[] = [
      { ref: d.noisy, value: x },
      { ref: d.timestep, value: tf.fill([n], i) },
    ];
    let eps = denoise(givens).reshape(x.shape);
    if (w > 0) {
      const unconditional = denoise([...givens, { ref: d.condition!, value: tf.zerosLike(labels!) }]).reshape(x.shape);
      eps = eps.mul(1 + w).sub(unconditional.mul(w));
    }
    return clip ? clippedEps(x, eps, alphaBarAt(s, i), clip[0], clip[1]) : eps;
  };
  const wanted = frameSet(steps.length, options.frames ?? 0);
  const frames: Chain['frames'] = [];
  let x = io.randomNormal([n, ...example]);
  steps.forEach((i, j) => {
    if (wanted.has(j)) frames.push({ t: i + 1, x });
    const prev = j + 1 < steps.length ? steps[j + 1] : -1;
    const next = tf.tidy(() => {
      const eps = predict(x, i);
      if (settings.method === 'ddpm') return ddpmStep(x, eps, i, s, i > 0 ? io.randomNormal(x.shape) : null);
      const noisy = ddimSigma(i, prev, s, settings.eta) > 0;
      return ddimStep(x, eps, i, prev, s, settings.eta, noisy ? io.randomNormal(x.shape) : null);
    });
    // Only x_t is carried from step to step; a frame keeps its own.
    if (!wanted.has(j)) x.dispose();
    x = next;
  });
  if (wanted.has(steps.length)) frames.push({ t: 0, x });
  return { x, frames };
}

/** Positions 0…K of a chain of K steps (0: x_T, K: the sample) for `count` evenly spaced frames. */
function frameSet(k: number, count: number): Set<number> {
  if (count <= 0) return new Set();
  if (count === 1) return new Set([k]);
  return new Set(Array.from({ length: count }, (_, j) => Math.round((j * k) / (count - 1))));
}

/**
 * The way from noise to data, for the views: x_t at `frames` evenly spaced
 * points of the chain of n samples (t = T first, the sample at t = 0 last,
 * each as n × values), drawn from the stream `seed` picks, so a strip of
 * frames or a particle plot redraws the same paths.
 */
export function diffusionTrajectory<M extends ReadMode>(
  model: CompiledModel<M>,
  n: number,
  o: DiffusionOptions & { frames: number; label?: number; seed?: number },
): { t: number[]; x: Read<M, Float32Array[]> } {
  const { plan } = model;
  const g = plan.modes.generate;
  if (!g?.diffusion) throw new Error('this graph is not a diffusion model, so it has no denoising trajectory');
  const classes = plan.data.numClasses;
  const oneHot =
    classes > 0
      ? oneHotRows(
          Array.from({ length: n }, (_, i) => o.label ?? i % classes),
          classes,
        )
      : undefined;
  const batch: Batch = { x: new Float32Array(n * exampleSize(plan.data.shape)), oneHot, size: n };
  let seed = ((o.seed ?? plan.seed) * 7919 + 12345) >>> 0;
  let t: number[] = [];
  const x = model.compute((run) => {
    const io = {
      n,
      labels: oneHot ? tf.tensor2d(oneHot, [n, classes]) : null,
      randomNormal: (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', seed++),
    };
    const chain = runChain(plan, io, (givens) => run([g.output], 'generate', batch, givens)(g.output), o);
    t = chain.frames.map((f) => f.t);
    return chain.frames.map((f) => f.x);
  });
  return { t, x };
}
