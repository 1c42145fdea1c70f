/**
 * Loss curves as the run panel draws them: one step axis and one array per
 * loss term. Pure data in, new data out, so the run client's reducer can use it.
 */
import type { LossPoint } from '../runtime/protocol';

/** Keep curves bounded: past this many points, every other point is dropped. */
export const MAX_POINTS = 4000;

export interface Curves {
  steps: number[];
  /** One array per loss term, aligned with steps (NaN where a term was not reported). */
  series: Record<string, number[]>;
  /** Bumped on every append so charts know to redraw. */
  version: number;
}

export const emptyCurves = (): Curves => ({ steps: [], series: {}, version: 0 });

/** The series the page adds when the graph has an ELBO, named as the CLI's `eval` names it. */
export const ELBO_SERIES = 'negative ELBO (reconstruction NLL + KL)';

/**
 * `points` with the negative ELBO added: the NLL term plus the KL term as
 * measured, whatever weights the optimizer gives them, so a β-VAE's weighted
 * objective is never what this curve shows. Points without both terms are left as they are.
 */
export function withElbo(points: readonly LossPoint[], elbo: { nll: string; kl: string } | null): readonly LossPoint[] {
  if (!elbo) return points;
  return points.map((p) => {
    const nll = p.losses[elbo.nll];
    const kl = p.losses[elbo.kl];
    return nll === undefined || kl === undefined ? p : { ...p, losses: { ...p.losses, [ELBO_SERIES]: nll + kl } };
  });
}

/** The curves with `points` appended; `curves` itself is left untouched. */
export function appendPoints(curves: Curves, points: readonly LossPoint[]): Curves {
  if (points.length === 0) return curves;
  let steps = curves.steps;
  let series = curves.series;
  // A restore or fallback rewinds the step: drop the part of the curve that no longer happened.
  const first = points[0].step;
  if (steps.length && steps[steps.length - 1] >= first) {
    let cut = steps.length;
    while (cut > 0 && steps[cut - 1] >= first) cut--;
    steps = steps.slice(0, cut);
    series = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.slice(0, cut)]));
  } else {
    steps = steps.slice();
    series = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.slice()]));
  }
  for (const p of points) {
    const n = steps.length;
    steps.push(p.step);
    for (const [term, v] of Object.entries(p.losses)) {
      if (!series[term]) series[term] = new Array(n).fill(NaN);
      series[term].push(v);
    }
    for (const arr of Object.values(series)) if (arr.length < n + 1) arr.push(NaN);
  }
  if (steps.length > MAX_POINTS) {
    const last = steps.length - 1;
    const keep = (_: unknown, i: number) => i % 2 === 0 || i === last;
    steps = steps.filter(keep);
    series = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.filter(keep)]));
  }
  return { steps, series, version: curves.version + 1 };
}
