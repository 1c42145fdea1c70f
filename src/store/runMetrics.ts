/**
 * Sample-quality measurements as the Metrics view shows them: the one in
 * flight, the latest answer, and the results of one model by step. Pure data
 * in, new data out, so the run client's reducer can use it.
 */
import type { FromWorkerOf, Measurement } from '../runtime/protocol';

export type { Measurement };

export interface MeasureProgress {
  /** the request it belongs to: progress of any other is stale */
  id: number;
  n: number;
  done: number;
  of: number;
  what: string;
}

export interface MeasureState {
  progress: MeasureProgress | null;
  /** the latest answer: metrics, or why there are none */
  latest: FromWorkerOf<'measured'> | null;
  /** results by ascending step, all of the model named by modelKey */
  history: Measurement[];
  modelKey: string | null;
}

export const emptyMeasure = (): MeasureState => ({ progress: null, latest: null, history: [], modelKey: null });

/** `m` with the worker's answer: a measurement at a step at or before earlier ones replaces them (a restore rewinds). */
export function recordMeasurement(m: MeasureState, msg: FromWorkerOf<'measured'>): MeasureState {
  const kept = msg.modelKey === m.modelKey ? m.history.filter((h) => h.step < msg.step) : [];
  const history = msg.metrics ? [...kept, { step: msg.step, metrics: msg.metrics }] : kept;
  return { progress: null, latest: msg, history, modelKey: msg.modelKey };
}

/**
 * A load names its model and brings the worker's measurements of it (a reload's come from the checkpoint):
 * they are the history. Measurements of another model no longer describe what is loaded.
 */
export function onModelLoaded(m: MeasureState, modelKey: string | undefined, measurements?: Measurement[]): MeasureState {
  const same = modelKey === undefined || modelKey === m.modelKey;
  const kept: MeasureState = same || m.modelKey === null ? m : { ...emptyMeasure(), progress: m.progress };
  if (!measurements) return kept;
  return { ...kept, history: measurements, modelKey: modelKey ?? kept.modelKey, latest: same ? kept.latest : null };
}

/** A restore rewinds the weights: the history is the worker's, up to the restored step. */
export function onRestored(m: MeasureState, step: number, measurements?: Measurement[]): MeasureState {
  return { ...m, history: measurements ?? m.history.filter((h) => h.step <= step) };
}
