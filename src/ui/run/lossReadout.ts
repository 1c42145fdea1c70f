/**
 * The numbers beside the loss chart: each term's latest value, and whether it
 * is blowing up. NaN stops training; a finite value a million times its early
 * size (1e17 after a too-large learning rate) does not, so it is flagged here.
 */
import type { Curves } from './runStore';

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
