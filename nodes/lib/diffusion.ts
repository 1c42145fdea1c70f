/**
 * Noise schedules of diffusion models as plain numbers: the compiler puts the
 * β's in the plan for the sampler, and the Noise schedule node turns the same
 * numbers into the ᾱ tensor that forward noising reads, so training and
 * sampling cannot disagree. Index i holds the paper's step t = i + 1.
 */

export const SCHEDULES = ['linear', 'cosine'] as const;

/** Ho et al. 2020: β rises linearly from `start` (t = 1) to `end` (t = T). */
export function linearBetas(steps: number, start: number, end: number): number[] {
  return Array.from({ length: steps }, (_, i) => (steps === 1 ? start : start + ((end - start) * i) / (steps - 1)));
}

/**
 * Nichol & Dhariwal 2021, eq. 17: ᾱ_t = f(t)/f(0) with f(t) = cos²(((t/T + s)/(1 + s))·π/2), and
 * β_t = 1 − ᾱ_t/ᾱ_{t−1}, capped at `maxBeta` (their 0.999) so the last steps near t = T stay finite.
 */
export function cosineBetas(steps: number, s: number, maxBeta = 0.999): number[] {
  const f = (t: number) => Math.cos(((t / steps + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  return Array.from({ length: steps }, (_, i) => Math.min(maxBeta, 1 - f(i + 1) / f(i)));
}

/** ᾱ_t = ∏_{s ≤ t} (1 − β_s), in float64. */
export function alphaBars(betas: readonly number[]): Float64Array {
  const out = new Float64Array(betas.length);
  let product = 1;
  betas.forEach((b, i) => (out[i] = product *= 1 - b));
  return out;
}
