/** The playground's KL/JS curve in the run client: one point per measured reply, rewritten after a step back, cleared by a reset; slow motion's delay is remembered. */
import { describe, expect, it } from 'vitest';
import type { FromWorkerOf } from '../../src/runtime/protocol';
import { initialRunState, reduceRun, type RunEvent, type RunState } from '../../src/store/runClient';
import { appendDivergence, MAX_DIVERGENCE_POINTS } from '../../src/store/runPlayground';

const reply = (id: number, step: number, kl: number | null): FromWorkerOf<'points2d'> => ({
  type: 'points2d',
  id,
  step,
  bounds: [-1, 1, -1, 1],
  real: new Float32Array(2),
  fake: new Float32Array(2),
  heatmap: null,
  arrows: null,
  manifold: null,
  posterior: null,
  divergence: kl === null ? null : { kl, js: kl / 10, klFloor: 0.05, jsFloor: 0.01, n: 1 },
});

const apply = (s: RunState, ...events: RunEvent[]) => events.reduce(reduceRun, s);
/** A points2d request and its reply. */
const roundTrip = (id: number, step: number, kl: number | null): RunEvent[] => [
  { type: 'sent', msg: { type: 'points2d', id, n: 1 }, now: id, view: 'points2d' },
  { type: 'received', msg: reply(id, step, kl), now: id + 0.5 },
];

describe('playground curve', () => {
  it('adds a point per measured reply, ignores replies without a measurement, and rewrites the curve after a step back', () => {
    let s = apply(initialRunState('auto'), ...roundTrip(1, 10, 3), ...roundTrip(2, 20, 2), ...roundTrip(3, 25, null));
    expect(s.playgroundCurve.map((p) => [p.step, p.kl])).toEqual([
      [10, 3],
      [20, 2],
    ]);
    expect(s.playgroundCurve[0]).toMatchObject({ js: 0.3, klFloor: 0.05, jsFloor: 0.01 });
    // A restore to step 15: the later point goes.
    s = apply(s, ...roundTrip(4, 15, 2.5));
    expect(s.playgroundCurve.map((p) => p.step)).toEqual([10, 15]);
    // The same step again (a refresh while paused) replaces its point.
    s = apply(s, ...roundTrip(5, 15, 2.4));
    expect(s.playgroundCurve.map((p) => p.kl)).toEqual([3, 2.4]);
  });

  it('a reset clears the curve and the old layers', () => {
    const s = apply(initialRunState('auto'), ...roundTrip(1, 10, 3), { type: 'sent', msg: { type: 'reset' }, now: 5 });
    expect(s.playgroundCurve).toEqual([]);
    expect(s.points2d).toBeNull();
  });

  it('stays under its cap by thinning the older half', () => {
    let curve = appendDivergence([], reply(0, 0, 1));
    for (let step = 1; step <= 2 * MAX_DIVERGENCE_POINTS; step++) curve = appendDivergence(curve, reply(step, step, 1));
    expect(curve.length).toBeLessThanOrEqual(MAX_DIVERGENCE_POINTS);
    expect(curve.at(-1)!.step).toBe(2 * MAX_DIVERGENCE_POINTS);
    expect(curve.map((p) => p.step)).toEqual([...curve.map((p) => p.step)].sort((a, b) => a - b));
  });

  it('remembers the slow-motion delay it last sent', () => {
    const s = apply(initialRunState('auto'), { type: 'sent', msg: { type: 'setRoundDelay', ms: 200 }, now: 1 });
    expect(s.roundDelayMs).toBe(200);
  });
});
