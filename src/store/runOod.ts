/**
 * The OOD view's state: the latest score of the drawn image and of the
 * built-in strange inputs, with the test set's log-likelihoods they are ranked
 * against. Pure data in, new data out, so the run client's reducer can use it.
 * The thresholds and words are the CLI's (`latent-lab ood`).
 */
import type { FromWorkerOf, OodTest } from '../runtime/protocol';

/** Below the LOW-th percentile of the test set an image is unlikely, above the HIGH-th unusually likely. */
export const OOD_LOW = 1;
export const OOD_HIGH = 99;

export interface OodState {
  latest: FromWorkerOf<'scored'> | null;
  strange: FromWorkerOf<'strangeScored'> | null;
}

export const emptyOod = (): OodState => ({ latest: null, strange: null });

export function oodVerdict(percentile: number): string {
  if (percentile < OOD_LOW) return 'unlikely — out of distribution?';
  if (percentile > OOD_HIGH) return 'unusually likely';
  return 'typical';
}

/** Percent of the test set below v, ties counting half. */
export function percentileOf(test: OodTest, v: number): number {
  let below = 0;
  let equal = 0;
  for (const t of test.sorted) {
    if (t < v) below++;
    else if (t === v) equal++;
  }
  return test.sorted.length ? (100 * (below + equal / 2)) / test.sorted.length : NaN;
}

/** Counts of the test set's values (and `mark`, when given, widens the range so it fits) in `bins` equal bins. */
export function oodHistogram(test: OodTest, bins: number, mark?: number): { lo: number; hi: number; counts: number[] } {
  const s = test.sorted;
  let lo = Math.min(s[0] ?? 0, mark ?? Infinity);
  let hi = Math.max(s[s.length - 1] ?? 0, mark ?? -Infinity);
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const counts = new Array<number>(bins).fill(0);
  for (const v of s) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
  return { lo, hi, counts };
}

/** A load names its model: scores of another one no longer describe what is loaded. */
export function onOodModelLoaded(o: OodState, modelKey: string | undefined): OodState {
  const stale = (m: { modelKey: string } | null) => modelKey !== undefined && m !== null && m.modelKey !== modelKey;
  return stale(o.latest) || stale(o.strange) ? emptyOod() : o;
}
