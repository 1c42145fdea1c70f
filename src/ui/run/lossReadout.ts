/**
 * The numbers beside the loss chart: each term's latest value, and whether it
 * is blowing up. NaN stops training; a finite value a million times its early
 * size (1e17 after a too-large learning rate) does not, so it is flagged here.
 */
import type { ModelInfo } from '../../runtime/protocol';
import { ELBO_SERIES } from '../../store/runCurves';
import type { Curves } from './runStore';

/** One curve as the chart draws it. */
export interface ChartSeries {
  /** Its key in the curves. */
  key: string;
  /** What the chart and the readout call it. */
  label: string;
  /** What its values are counted in, where the graph says. */
  unit: string | null;
  /** What the figure is, in a sentence (a tooltip). */
  about: string | null;
}

/** What the CLI's `eval` calls an optimizer's total, and the chart too. */
export const OBJECTIVE = 'training objective (with its loss weights)';

/**
 * The curves worth drawing, named for what they are. An optimizer's total
 * repeats its only term, so it goes; a total of several terms is the value
 * of the node that combines them, so that node goes and the total is called
 * the training objective, whatever its label says: with KL weight β ≠ 1 it
 * is not a negative ELBO, which is drawn from its two terms instead.
 */
export function chartSeries(info: ModelInfo | null, keys: readonly string[]): ChartSeries[] {
  const optimizers = info?.optimizers ?? [];
  const hidden = new Set(optimizers.map((o) => (o.terms.length <= 1 ? o.id : o.total)));
  const unitOf = (key: string) => info?.units[key] ?? null;
  // The terms first, then what they add up to: the objective, then the negative ELBO.
  const rank = (key: string) => (key === ELBO_SERIES ? 2 : optimizers.some((o) => o.id === key) ? 1 : 0);
  return keys
    .filter((k) => !hidden.has(k))
    .sort((a, b) => rank(a) - rank(b))
    .map((key): ChartSeries => {
      const o = optimizers.find((opt) => opt.id === key);
      if (o)
        return {
          key,
          label: optimizers.length > 1 ? `${o.label}: ${OBJECTIVE}` : OBJECTIVE,
          unit: unitOf(key),
          about: `What ${o.label} minimises: ${o.terms.filter((t) => t !== o.total).join(', ')} with their loss weights${info?.elbo ? '; the negative ELBO only when every weight is 1' : ''}.`,
        };
      if (key === ELBO_SERIES && info?.elbo) {
        const { nll, kl } = info.elbo;
        return {
          key,
          label: key,
          unit: unitOf(nll) === unitOf(kl) ? unitOf(nll) : null,
          about: `${nll} + ${kl}, whatever their training weights: an upper bound on the NLL.`,
        };
      }
      return { key, label: key, unit: unitOf(key), about: null };
    });
}

/** The y axis's label: the unit every drawn curve shares, or null when they differ (the readout names each one's). */
export function sharedUnit(series: readonly ChartSeries[]): string | null {
  const units = new Set(series.map((s) => s.unit));
  const [only] = units;
  return units.size === 1 && only ? only : null;
}

export interface TermReading {
  term: string;
  /** The latest finite value, or null before the first one. */
  value: number | null;
  /** Finite but ≥ 1e6 × its typical size over the first steps. */
  exploding: boolean;
}

const EARLY_POINTS = 10;
const BLOW_UP_FACTOR = 1e6;

export function readTerms(curves: Curves, terms: string[]): TermReading[] {
  // Runs on every metrics message: look only at the ends of each series, never the whole of it.
  return terms.map((term) => {
    const series = curves.series[term] ?? [];
    let last = series.length - 1;
    while (last >= 0 && !Number.isFinite(series[last])) last--;
    const value = last >= 0 ? series[last] : null;
    const early: number[] = [];
    for (let i = 0; i < series.length && early.length < EARLY_POINTS; i++) if (Number.isFinite(series[i])) early.push(Math.abs(series[i]));
    early.sort((a, b) => a - b);
    const typical = early.length ? Math.max(1, early[Math.floor(early.length / 2)]) : 1;
    return { term, value, exploding: value !== null && Math.abs(value) >= BLOW_UP_FACTOR * typical };
  });
}

/** Four significant digits, switching to exponents where plain digits would mislead. */
export function formatReading(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}
