import { describe, expect, it } from 'vitest';
import type { BackendName, FromWorker, FromWorkerOf, LossPoint, ModelInfo, ToWorker } from '../../src/runtime/protocol';
import type { GraphDocument } from '../../src/graph/document';
import { appendPoints, ELBO_SERIES, emptyCurves, MAX_POINTS, withElbo } from '../../src/store/runCurves';
import {
  HANG_MS,
  MAX_NOTICES,
  VIEW_COST_FACTOR,
  VIEW_MIN_MS,
  hangCheck,
  initialRunState,
  mayRequest,
  reduceRun,
  type RunEvent,
  type RunState,
  type ViewKind,
} from '../../src/store/runClient';

const apply = (s: RunState, ...events: RunEvent[]) => events.reduce(reduceRun, s);
const got = (msg: FromWorker, now: number): RunEvent => ({ type: 'received', msg, now });
const sent = (msg: ToWorker, now: number, view?: ViewKind): RunEvent => ({ type: 'sent', msg, now, view });

const samplesReply = (id: number): FromWorkerOf<'samples'> => ({
  type: 'samples',
  id,
  n: 1,
  shape: [1],
  images: new Float32Array([id]),
  step: 0,
});
const decodedReply = (id: number): FromWorkerOf<'decoded'> => ({ type: 'decoded', id, n: 1, shape: [1], images: new Float32Array([id]) });
const pixelsReply = (id: number, done: boolean): FromWorkerOf<'pixels'> => ({
  type: 'pixels',
  id,
  n: 1,
  shape: [1],
  index: 0,
  total: 1,
  canvas: new Float32Array(1),
  done,
});
const metrics = (points: LossPoint[]): FromWorkerOf<'metrics'> => ({
  type: 'metrics',
  points,
  step: points.at(-1)?.step ?? 0,
  stepsPerSec: 1,
  numTensors: 0,
  numBytes: 0,
  msPerStep: 1,
});
const stateMsg = (running: boolean): FromWorkerOf<'state'> => ({ type: 'state', running, step: 0 });
const backendMsg = (backend: BackendName): FromWorkerOf<'backend'> => ({
  type: 'backend',
  backend,
  requested: 'auto',
  threads: 1,
  simd: false,
  skipped: [],
});
const doc = { schemaVersion: 1, meta: {}, nodes: [], edges: [] } as unknown as GraphDocument;

/** A samples request with the state's next id, as the shell sends it. */
function requestSamples(s: RunState, now: number): [RunState, number] {
  const id = s.nextId;
  return [reduceRun(s, sent({ type: 'samples', id, n: 1 }, now, 'samples')), id];
}

/** Everything but the time the worker was last heard from: a dropped reply must change nothing else. */
const withoutHeard = (s: RunState) => ({ ...s, lastHeard: 0 });

describe('curves', () => {
  it('appends points, filling NaN where a term was not reported, without touching the input', () => {
    const a = appendPoints(emptyCurves(), [{ step: 1, losses: { rec: 3 } }]);
    const b = appendPoints(a, [{ step: 2, losses: { rec: 2, kl: 1 } }]);
    expect(b.steps).toEqual([1, 2]);
    expect(b.series).toEqual({ rec: [3, 2], kl: [NaN, 1] });
    expect(b.version).toBe(a.version + 1);
    expect(a.steps).toEqual([1]);
    expect(a.series).toEqual({ rec: [3] });
  });

  it('rewinds to the first new step after a restore or fallback', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, losses: { rec: i + 1 } }));
    const c = appendPoints(appendPoints(emptyCurves(), points), [{ step: 6, losses: { rec: 60 } }]);
    expect(c.steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(c.series.rec).toEqual([1, 2, 3, 4, 5, 60]);
  });

  it('thins past MAX_POINTS, keeps the last point and every series aligned with its step', () => {
    const points = Array.from({ length: MAX_POINTS + 2 }, (_, i) => ({ step: i, losses: { rec: i } }));
    const c = appendPoints(emptyCurves(), points);
    expect(c.steps.length).toBeLessThanOrEqual(MAX_POINTS / 2 + 2);
    expect(c.steps.at(-1)).toBe(MAX_POINTS + 1);
    expect(c.series.rec).toEqual(c.steps);
  });

  it('metrics messages feed the curves through the reducer', () => {
    const s = apply(initialRunState('auto'), got(metrics([{ step: 1, losses: { rec: 1 } }]), 10));
    expect(s.curves.steps).toEqual([1]);
    expect(s.step).toBe(1);
  });
});

/** What the worker says about a β-VAE (KL weight 4) once it is loaded: only the parts the curves read. */
const betaVae = (elbo: ModelInfo['elbo']): FromWorkerOf<'loaded'> => ({
  type: 'loaded',
  info: { elbo, units: {}, optimizers: [] } as unknown as ModelInfo,
  step: 0,
  storedCheckpoint: null,
  resumed: false,
  warnings: [],
});
const betaPoint = (step: number, recon: number, kl: number): LossPoint => ({
  step,
  losses: { Reconstruction: recon, 'KL to prior': kl, 'Training objective': recon + 4 * kl, adam: recon + 4 * kl },
});

describe('the negative ELBO curve', () => {
  it('is the NLL plus the KL as measured, not the weighted objective a β-VAE minimises', () => {
    const s = apply(
      initialRunState('auto'),
      got(betaVae({ nll: 'Reconstruction', kl: 'KL to prior' }), 0),
      got(metrics([betaPoint(1, 100, 10), betaPoint(2, 90, 5)]), 10),
    );
    expect(s.curves.series[ELBO_SERIES]).toEqual([110, 95]);
    expect(s.curves.series['Training objective']).toEqual([140, 110]);
  });

  it('is not drawn for a graph without an ELBO (an AE, a GAN)', () => {
    const s = apply(initialRunState('auto'), got(betaVae(null), 0), got(metrics([betaPoint(1, 100, 10)]), 10));
    expect(Object.keys(s.curves.series)).not.toContain(ELBO_SERIES);
  });

  it('skips a point that lacks one of its terms (another optimizer stepped alone)', () => {
    const points = [{ step: 1, losses: { Reconstruction: 100 } }];
    expect(withElbo(points, { nll: 'Reconstruction', kl: 'KL to prior' })).toEqual(points);
  });
});

describe('requests and their replies', () => {
  it('drops a samples reply to a request sent before a reset', () => {
    const [requested, id] = requestSamples(initialRunState('auto'), 0);
    const s = reduceRun(requested, sent({ type: 'reset' }, 10));
    const after = reduceRun(s, got(samplesReply(id), 20));
    expect(after.samples).toBeNull();
    expect(withoutHeard(after)).toEqual(withoutHeard(s));
    expect(after.lastHeard).toBe(20);
  });

  it('drops replies to requests sent before a restarting load, keeps them across an ask load', () => {
    const [asked, id] = requestSamples(initialRunState('auto'), 0);
    expect(reduceRun(reduceRun(asked, sent({ type: 'load', doc, onChange: 'ask' }, 5)), got(samplesReply(id), 9)).samples?.id).toBe(id);
    for (const load of [
      { type: 'load', doc, onChange: 'restart' },
      { type: 'load', doc, onChange: 'ask', resume: true },
    ] satisfies ToWorker[]) {
      const s = reduceRun(asked, sent(load, 5));
      expect(reduceRun(s, got(samplesReply(id), 9)).samples).toBeNull();
    }
  });

  it('drops a reply to an older request of the same kind while the newer one is outstanding', () => {
    const [first, older] = requestSamples(initialRunState('auto'), 0);
    // An error frees every slot, so a newer request of the same kind can go while the older reply is still on its way.
    const freed = reduceRun(first, got({ type: 'error', message: 'boom', where: 'samples' }, 5));
    const [s, newer] = requestSamples(freed, 6);
    expect(newer).toBeGreaterThan(older);
    const stale = reduceRun(s, got(samplesReply(older), 7));
    expect(stale.samples).toBeNull();
    expect(stale.requests.samples?.id).toBe(newer);
    const fresh = reduceRun(stale, got(samplesReply(newer), 8));
    expect(fresh.samples?.id).toBe(newer);
    expect(fresh.requests.samples).toBeUndefined();
  });

  it('does not take a reply of one kind as the answer to another kind with the same id', () => {
    const [s, id] = requestSamples(initialRunState('auto'), 0);
    const after = reduceRun(s, got({ type: 'kl', id, perDim: new Float32Array(1) }, 5));
    expect(after.kl).toBeNull();
    expect(after.requests.samples?.id).toBe(id);
  });

  it('keeps the samples slot through pixel progress and frees it on the last pixel', () => {
    const [s, id] = requestSamples(initialRunState('auto'), 0);
    const progress = reduceRun(s, got(pixelsReply(id, false), 5));
    expect(progress.pixels?.done).toBe(false);
    expect(progress.requests.samples?.id).toBe(id);
    const done = reduceRun(progress, got(pixelsReply(id, true), 6));
    expect(done.pixels?.done).toBe(true);
    expect(done.requests.samples).toBeUndefined();
  });

  it('frees the samples slot when the worker cancels that request, and ignores a cancel of another id', () => {
    const [s, id] = requestSamples(initialRunState('auto'), 0);
    const progress = reduceRun(s, got(pixelsReply(id, false), 5));
    expect(withoutHeard(reduceRun(progress, got({ type: 'cancelled', id: id + 7 }, 6)))).toEqual(withoutHeard(progress));
    const cancelled = reduceRun(progress, got({ type: 'cancelled', id }, 7));
    expect(cancelled.requests.samples).toBeUndefined();
    expect(mayRequest(cancelled, 'samples', false, 8)).toBe(true);
  });

  it('sends decode replies to their purpose and drops one no request is waiting for', () => {
    let s = initialRunState('auto');
    const mapId = s.nextId;
    s = reduceRun(s, sent({ type: 'decode', id: mapId, latents: new Float32Array(2), n: 1 }, 0, 'decode:map'));
    const interpId = s.nextId;
    s = reduceRun(s, sent({ type: 'decode', id: interpId, latents: new Float32Array(2), n: 1 }, 0, 'decode:interp'));
    expect(interpId).not.toBe(mapId);
    s = apply(s, got(decodedReply(interpId), 3), got(decodedReply(mapId), 4), got(decodedReply(999), 5));
    expect(Object.keys(s.decoded).sort()).toEqual(['interp', 'map']);
    expect(s.decoded.interp.id).toBe(interpId);
    expect(s.decoded.map.id).toBe(mapId);
    expect(s.requests).toEqual({});
  });
});

describe('view pacing', () => {
  const running = () => reduceRun(initialRunState('auto'), got(stateMsg(true), 0));

  it('refuses an auto refresh while one is in flight and until max(VIEW_MIN_MS, 8 × round trip) has passed', () => {
    for (const roundTrip of [100, 400]) {
      const [inFlight, id] = requestSamples(running(), 1000);
      expect(mayRequest(inFlight, 'samples', true, 1001)).toBe(false);
      expect(mayRequest(inFlight, 'samples', false, 1001)).toBe(false);
      const answeredAt = 1000 + roundTrip;
      const s = reduceRun(inFlight, got(samplesReply(id), answeredAt));
      const wait = Math.max(VIEW_MIN_MS, roundTrip * VIEW_COST_FACTOR);
      expect(wait).toBe(roundTrip === 100 ? VIEW_MIN_MS : 3200);
      expect(mayRequest(s, 'samples', true, answeredAt + wait - 1)).toBe(false);
      expect(mayRequest(s, 'samples', true, answeredAt + wait)).toBe(true);
      // A manual refresh skips the pacing; other kinds have their own.
      expect(mayRequest(s, 'samples', false, answeredAt + 1)).toBe(true);
      expect(mayRequest(s, 'recon', true, answeredAt + 1)).toBe(true);
    }
  });

  it('does not pace auto refreshes while paused', () => {
    const [inFlight, id] = requestSamples(running(), 0);
    const s = apply(inFlight, got(samplesReply(id), 100), got(stateMsg(false), 101));
    expect(mayRequest(s, 'samples', true, 102)).toBe(true);
  });
});

describe('hang watchdog', () => {
  it('reports a hang only after HANG_MS of silence while a step is owed', () => {
    let s = initialRunState('auto');
    expect(hangCheck(s, HANG_MS * 10)).toBeNull();
    s = apply(s, got(backendMsg('webgpu'), 0), sent({ type: 'step' }, 1000));
    expect(hangCheck(s, 1000 + HANG_MS)).toBeNull();
    expect(hangCheck(s, 1000 + HANG_MS + 1)).toEqual({ hung: 'webgpu', restartOn: 'wasm' });
    // The owed step came back: nothing is owed any more, however long the silence.
    s = reduceRun(s, got(metrics([{ step: 1, losses: {} }]), 2000));
    expect(hangCheck(s, 2000 + HANG_MS * 10)).toBeNull();
  });

  it('counts silence from the last message while running', () => {
    let s = apply(initialRunState('auto'), got(backendMsg('wasm'), 0), got(stateMsg(true), 10));
    s = reduceRun(s, got(metrics([{ step: 1, losses: {} }]), 30_000));
    expect(hangCheck(s, 30_000 + HANG_MS)).toBeNull();
    expect(hangCheck(s, 30_001 + HANG_MS)).toEqual({ hung: 'wasm', restartOn: 'cpu' });
  });

  it('a hang frees the view slots, stops the run and switches the backend choice', () => {
    let [s] = requestSamples(apply(initialRunState('auto'), got(backendMsg('cpu'), 0), got(stateMsg(true), 0)), 0);
    const hang = hangCheck(s, HANG_MS + 1)!;
    expect(hang).toEqual({ hung: 'cpu', restartOn: 'cpu' });
    s = reduceRun(s, { type: 'hang', ...hang });
    expect(s).toMatchObject({ running: false, backend: null, backendChoice: 'cpu', requests: {}, expectingSince: null });
    expect(s.notices.at(-1)?.text).toMatch(/cpu stopped responding/);
    expect(hangCheck(s, HANG_MS * 10)).toBeNull();
  });
});

describe('notices', () => {
  it('keeps the newest MAX_NOTICES with distinct ids, and dismisses by id', () => {
    let s = initialRunState('auto');
    for (let i = 0; i < MAX_NOTICES + 3; i++) s = reduceRun(s, got({ type: 'restored', step: i }, i));
    expect(s.notices).toHaveLength(MAX_NOTICES);
    expect(s.notices.at(-1)?.text).toMatch(`step ${MAX_NOTICES + 2}`);
    expect(new Set(s.notices.map((n) => n.id)).size).toBe(MAX_NOTICES);
    const gone = s.notices[1].id;
    s = reduceRun(s, { type: 'dismissNotice', id: gone });
    expect(s.notices.map((n) => n.id)).not.toContain(gone);
    expect(s.notices).toHaveLength(MAX_NOTICES - 1);
  });

  it('belong to the state that raised them: a new backend replaces what was said of the old one; reset and restore drop the divergence and its Restore', () => {
    const skippedOn = (backend: BackendName, skipped: FromWorkerOf<'backend'>['skipped']): FromWorker => ({
      ...backendMsg(backend),
      skipped,
    });
    let s = reduceRun(
      initialRunState('auto'),
      got(
        skippedOn('wasm', [
          { backend: 'webgpu', reason: 'no adapter' },
          { backend: 'webgl', reason: 'software renderer (SwiftShader) is slower than wasm', deliberate: true },
        ]),
        1,
      ),
    );
    // One notice for the one choice, a warning because something failed rather than was skipped on purpose.
    expect(s.notices.map((n) => [n.kind, n.text])).toEqual([
      ['warn', 'Using wasm. webgpu could not start (no adapter); webgl skipped: software renderer (SwiftShader) is slower than wasm.'],
    ]);
    expect(
      reduceRun(initialRunState('auto'), got(skippedOn('wasm', [{ backend: 'webgl', reason: 'slow', deliberate: true }]), 1)).notices.map(
        (n) => n.kind,
      ),
    ).toEqual(['info']);
    // Chosen by hand, webgl runs: nothing said about wasm's start still holds.
    s = reduceRun(s, got(skippedOn('webgl', []), 2));
    expect(s.notices).toEqual([]);
    const diverged: FromWorker = {
      type: 'diverged',
      step: 9,
      term: 'loss',
      value: Infinity,
      checkpoint: { step: 5, savedAt: 0, backend: 'wasm' },
    };
    s = reduceRun(s, got(diverged, 3));
    expect(s.notices.map((n) => n.action)).toEqual(['restore']);
    expect(s.notices[0].text).toMatch(/^Training diverged at step 9: loss became Infinity/);
    expect(reduceRun(s, sent({ type: 'reset' }, 4)).notices).toEqual([]);
    // An optimizer's total is named as the chart names it, not by the optimizer's id.
    const withInfo = { ...s, info: { optimizers: [{ id: 'adam', label: 'Adam' }] } as unknown as ModelInfo };
    expect(reduceRun(withInfo, got({ ...diverged, term: 'adam' }, 3)).notices.at(-1)!.text).toMatch(
      /: Adam's training objective became Infinity/,
    );
    const restored = reduceRun(s, got({ type: 'restored', step: 5 }, 4));
    expect(restored.notices.map((n) => n.text)).toEqual(['Restored the checkpoint from step 5.']);
  });
});
