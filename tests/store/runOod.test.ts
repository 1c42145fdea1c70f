/** The run client's OOD state: answers land by request, stale ones are dropped, and the ranking and verdict follow the CLI. */
import { describe, expect, it } from 'vitest';
import type { FromWorker, FromWorkerOf, ModelInfo, ToWorker } from '../../src/runtime/protocol';
import { initialRunState, reduceRun, type RunEvent, type RunState, type ViewKind } from '../../src/store/runClient';
import { oodHistogram, oodVerdict, percentileOf } from '../../src/store/runOod';

const apply = (s: RunState, ...events: RunEvent[]) => events.reduce(reduceRun, s);
const got = (msg: FromWorker, now = 0): RunEvent => ({ type: 'received', msg, now });
const sent = (msg: ToWorker, now = 0, view?: ViewKind): RunEvent => ({ type: 'sent', msg, now, view });
const ask = (id: number) => sent({ type: 'scoreImages', id, images: new Float32Array(784), n: 1 }, 0, 'ood');
const test = { n: 4, sorted: [-120, -100, -90, -80] };
const scored = (id: number, ll: number, modelKey = 'm1'): FromWorkerOf<'scored'> => ({
  type: 'scored',
  id,
  step: 30,
  modelKey,
  logLikelihoods: [ll],
  test,
  kind: 'is-nll',
  note: 'importance-sampled',
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

describe('OOD scores in the run client', () => {
  it('keeps the answer to the request in flight and ignores stale ones', () => {
    let s = apply(initialRunState('auto'), ask(1));
    expect(s.requests.ood?.id).toBe(1);
    s = apply(s, got(scored(7, -50)));
    expect(s.ood.latest).toBeNull();
    s = apply(s, got(scored(1, -95)));
    expect(s.requests.ood).toBeUndefined();
    expect(s.ood.latest?.logLikelihoods).toEqual([-95]);
  });

  it('keeps strange-input scores in their own slot', () => {
    const strange: FromWorkerOf<'strangeScored'> = {
      ...scored(2, -10),
      type: 'strangeScored',
      strange: [{ name: 'blank', description: 'all black', image: new Float32Array(784) }],
    };
    const s = apply(initialRunState('auto'), sent({ type: 'scoreStrange', id: 2 }, 0, 'oodStrange'), got(strange));
    expect(s.ood.strange?.strange[0].name).toBe('blank');
    expect(s.ood.latest).toBeNull();
  });

  it('forgets scores when another model loads or on reset, not when the same one reloads', () => {
    let s = apply(initialRunState('auto'), ask(1), got(scored(1, -95)));
    expect(apply(s, got(loaded('m1'))).ood.latest).not.toBeNull();
    expect(apply(s, got(loaded('m2'))).ood.latest).toBeNull();
    s = apply(s, sent({ type: 'reset' }));
    expect(s.ood.latest).toBeNull();
  });

  it('ranks an image among the test set, ties counting half, with the CLI verdict', () => {
    expect(percentileOf(test, -95)).toBe(50);
    expect(percentileOf(test, -90)).toBe(62.5);
    expect(percentileOf(test, -500)).toBe(0);
    expect(percentileOf(test, 0)).toBe(100);
    expect(oodVerdict(0)).toMatch(/unlikely/);
    expect(oodVerdict(50)).toBe('typical');
    expect(oodVerdict(100)).toBe('unusually likely');
  });

  it('bins the test set over a range wide enough for the mark', () => {
    const h = oodHistogram(test, 4, -200);
    expect(h.lo).toBe(-200);
    expect(h.hi).toBe(-80);
    expect(h.counts.reduce((a, b) => a + b)).toBe(4);
    expect(h.counts[3]).toBe(3);
  });
});
