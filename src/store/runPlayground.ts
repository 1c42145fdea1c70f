/**
 * The 2-D playground's grid KL/JS over training steps: one point per playground
 * reply that measured it, beside the floor of two real sets, so the curve under
 * the view shows how close the generated points are getting to the data.
 */
import type { FromWorkerOf } from '../runtime/protocol';

export interface DivergencePoint {
  step: number;
  kl: number;
  js: number;
  klFloor: number;
  jsFloor: number;
}

/** Points kept; past this every other older point goes, so a long run stays drawable. */
export const MAX_DIVERGENCE_POINTS = 400;

export function appendDivergence(curve: DivergencePoint[], msg: Pick<FromWorkerOf<'points2d'>, 'step' | 'divergence'>): DivergencePoint[] {
  const d = msg.divergence;
  if (!d) return curve;
  // A reply at or before the last step (a reset, a restore, a refresh while paused) rewrites the curve from there.
  const next = [...curve.filter((p) => p.step < msg.step), { step: msg.step, kl: d.kl, js: d.js, klFloor: d.klFloor, jsFloor: d.jsFloor }];
  if (next.length <= MAX_DIVERGENCE_POINTS) return next;
  const half = Math.floor(next.length / 2);
  return [...next.slice(0, half).filter((_, i) => i % 2 === 0), ...next.slice(half)];
}
