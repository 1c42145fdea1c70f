/** The run client's sample-quality state: progress, the latest result, and the history by step. */
import { describe, expect, it } from 'vitest';
import type { FromWorker, FromWorkerOf, ModelInfo, SampleMetrics, ToWorker } from '../../src/runtime/protocol';
import { initialRunState, measuring, reduceRun, type RunEvent, type RunState, type ViewKind } from '../../src/store/runClient';

const apply = (s: RunState, ...events: RunEvent[]) => events.reduce(reduceRun, s);
const got = (msg: FromWorker, now = 0): RunEvent => ({ type: 'received', msg, now });
const sent = (msg: ToWorker, now = 0, view?: ViewKind): RunEvent => ({ type: 'sent', msg, now, view });
const ask = (id: number, n = 200) => sent({ type: 'measureSamples', id, n }, 0, 'metrics');

const metrics = (fld: number): SampleMetrics => ({ n: 200, reference: '200 test examples', floorFrom: 'train', fld, fld_floor: 3 });
const measured = (id: number, step: number, fld: number | null, modelKey = 'm1'): FromWorkerOf<'measured'> => ({
  type: 'measured',
  id,
  step,
  modelKey,
  metrics: fld === null ? null : metrics(fld),
  ...(fld === null ? { unavailable: 'the classifier reads 28×28×1 digits' } : {}),
  ms: 10,
  backend: 'wasm',
});
const loaded = (modelKey: string): FromWorkerOf<'loaded'> => ({
  type: 'loaded',
  info: {} as ModelInfo,
  step: 0,
  storedCheckpoint: null,
  resumed: false,
  warnings: [],
  modelKey,
});
const steps = (s: RunState) => s.measure.history.map((h) => [h.step, h.metrics.fld]);

describe('measurements in the run client', () => {
  it('tracks the request in flight and its stages; stale progress is ignored', () => {
    let s = apply(initialRunState('auto'), ask(1));
    expect(measuring(s)).toMatchObject({ id: 1, n: 200, done: 0 });
    s = apply(s, got({ type: 'measureProgress', id: 1, done: 2, of: 4, what: 'Fréchet distance' }));
    expect(measuring(s)).toMatchObject({ done: 2, of: 4, what: 'Fréchet distance' });
    expect(apply(s, got({ type: 'measureProgress', id: 9, done: 3, of: 4, what: 'x' })).measure).toBe(s.measure);
    // One measurement at a time.
    expect(s.requests.metrics?.id).toBe(1);
    s = apply(s, got(measured(1, 40, 50)));
    expect(measuring(s)).toBeNull();
    expect(s.requests.metrics).toBeUndefined();
    expect(s.measure.latest?.metrics?.fld).toBe(50);
  });

  it('keeps a history by step, replacing a step measured again and dropping steps a restore undid', () => {
    let s = apply(initialRunState('auto'), ask(1), got(measured(1, 10, 90)), ask(2), got(measured(2, 20, 60)), ask(3));
    s = apply(s, got(measured(3, 30, 40)));
    expect(steps(s)).toEqual([
      [10, 90],
      [20, 60],
      [30, 40],
    ]);
    s = apply(s, ask(4), got(measured(4, 20, 55)));
    expect(steps(s)).toEqual([
      [10, 90],
      [20, 55],
    ]);
    // An answer without metrics is the latest, and leaves the history as it was.
    s = apply(s, ask(5), got(measured(5, 25, null)));
    expect(s.measure.latest?.unavailable).toMatch(/28×28×1/);
    expect(steps(s)).toHaveLength(2);
  });

  it('keeps the history across a load of the same model and drops it for another model', () => {
    let s = apply(initialRunState('auto'), ask(1), got(measured(1, 10, 90)));
    s = apply(s, got(loaded('m1')));
    expect(steps(s)).toEqual([[10, 90]]);
    s = apply(s, got(loaded('m2')));
    expect(s.measure.history).toEqual([]);
    expect(s.measure.latest).toBeNull();
    // A result of another model starts its own history.
    s = apply(initialRunState('auto'), ask(1), got(measured(1, 10, 90)), ask(2), got(measured(2, 5, 70, 'm2')));
    expect(steps(s)).toEqual([[5, 70]]);
  });

  it('takes the history a load or a restore brings from the worker (a reload resumes with its checkpoint’s)', () => {
    const history = [
      { step: 100, metrics: metrics(80) },
      { step: 250, metrics: metrics(45) },
    ];
    let s = apply(initialRunState('auto'), got({ ...loaded('m1'), resumed: true, step: 250, measurements: history }));
    expect(steps(s)).toEqual([
      [100, 80],
      [250, 45],
    ]);
    s = apply(s, got({ type: 'restored', step: 100, measurements: history.slice(0, 1) }));
    expect(steps(s)).toEqual([[100, 80]]);
    // A worker that names no measurements: the page drops what the restore undid itself.
    s = apply(s, ask(1), got(measured(1, 300, 30)), got({ type: 'restored', step: 100 }));
    expect(steps(s)).toEqual([[100, 80]]);
  });

  it('clears on reset and restart; a reply to a request sent before a reset is stale', () => {
    const base = apply(initialRunState('auto'), ask(1), got(measured(1, 10, 90)));
    const reset = apply(base, ask(2), sent({ type: 'reset' }));
    expect(reset.measure.history).toEqual([]);
    expect(measuring(reset)).toBeNull();
    expect(apply(reset, got(measured(2, 12, 80))).measure.history).toEqual([]);
    expect(apply(base, { type: 'answerDocChange', choice: 'restart' }).measure.history).toEqual([]);
    expect(apply(base, { type: 'answerDocChange', choice: 'keep' }).measure.history).toHaveLength(1);
  });

  it('an error or a cancellation ends the progress, so the button works again', () => {
    const s = apply(initialRunState('auto'), ask(1));
    expect(measuring(apply(s, got({ type: 'error', message: 'boom', where: 'measureSamples' })))).toBeNull();
    const c = apply(s, got({ type: 'cancelled', id: 1 }));
    expect(measuring(c)).toBeNull();
    expect(c.requests.metrics).toBeUndefined();
  });
});
