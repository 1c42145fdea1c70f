/**
 * One source of truth (issue 10, section 1), driven through the session in
 * Node on wasm: optimizer slots load by algorithm and name, never by position;
 * only finite checkpoints count as good; reset and restore after a divergence
 * go back to the document's learning rates and batch size.
 */
import { describe, expect, it } from 'vitest';
import type { FromWorker, FromWorkerOf } from '../../src/runtime/protocol';
import { memoryStore } from '../../src/runtime/session';
import { Checkpoints } from '../../src/runtime/checkpoints';
import type { BackendManager } from '../../src/runtime/backends';
import type { LossLog } from '../../src/runtime/metrics';
import type { ModelState } from '../../src/runtime/model';
import type { Workspace } from '../../src/runtime/workspace';
import { preset, sessionHarness } from './sessionHarness';

const harness = sessionHarness;

const finite = (p: { losses: Record<string, number> }) => Object.values(p.losses).every(Number.isFinite);

describe('one source of truth', () => {
  it('a snapshot with an infinite optimizer slot or a NaN weight is never kept as the last good checkpoint', async () => {
    let state: ModelState;
    const ws = {
      model: { saveState: async () => structuredClone(state) },
      diverged: false,
      measurements: [],
      docKey: 'doc',
      batcher: { state: () => ({ seed: 1, batchSize: 8, count: 100, epoch: 0, cursor: 0, step: 0 }) },
      batchSize: 8,
      learningRates: {},
    } as unknown as Workspace;
    const backends = { guard: <T>(op: () => T) => Promise.resolve(op()), name: 'cpu' } as unknown as BackendManager;
    const log = { curve: () => [] } as unknown as LossLog;
    const posted: FromWorker[] = [];
    const store = memoryStore();
    const checkpoints = new Checkpoints(ws, backends, log, { store, every: 1, seconds: 1, post: (m) => posted.push(m) });
    const at = (step: number, slot: number, weight: number): ModelState => ({
      step,
      randomCounter: 0,
      tensors: {
        'var:enc/kernel': { shape: [2], data: new Float32Array([0.5, weight]) },
        'opt:adam:LatentLabAdam:enc/kernel/v': { shape: [2], data: new Float32Array([slot, 1]) },
      },
    });
    state = at(3, 0.25, 1);
    await checkpoints.save(true);
    expect(checkpoints.lastGood?.info.step).toBe(3);
    for (const [slot, weight] of [
      [Infinity, 1],
      [0.25, NaN],
    ]) {
      state = at(4, slot, weight);
      await checkpoints.save(true);
      expect(checkpoints.lastGood?.info.step).toBe(3);
      expect([...store.map.values()].map((c) => c.info.step)).toEqual([3]);
    }
    expect(posted.filter((m) => m.type === 'checkpoint')).toHaveLength(1);
  });

  it('switching the optimizer algorithm mid-run (Adam → RMSprop, keep) keeps the weights, starts fresh slots and trains on', async () => {
    const h = harness();
    const doc = preset('vae');
    await h.session.handle({ type: 'load', doc });
    await h.session.handle({ type: 'setBatchSize', batchSize: 8 });
    await h.session.handle({ type: 'step', count: 3 });
    await h.session.handle({ type: 'saveCheckpoint' });
    const before = [...h.store.map.values()].at(-1)!;

    const switched = structuredClone(doc);
    const opt = switched.nodes.find((n) => n.type === 'optimizer')!;
    expect(opt.params.algorithm ?? 'adam').toBe('adam');
    opt.params.algorithm = 'rmsprop';
    await h.session.handle({ type: 'load', doc: switched, onChange: 'keep' });
    expect(h.of('docChanged')).toEqual([]);
    expect(h.session.step).toBe(3);
    await h.session.handle({ type: 'saveCheckpoint' });
    const after = [...h.store.map.values()].at(-1)!;
    expect(after.docKey).not.toBe(before.docKey);
    // The weights are the trained ones, value for value.
    const vars = Object.keys(before.state.tensors).filter((k) => k.startsWith('var:'));
    expect(vars.length).toBeGreaterThan(0);
    for (const k of vars) expect(Array.from(after.state.tensors[k].data)).toEqual(Array.from(before.state.tensors[k].data));

    const from = h.events.length;
    await h.session.handle({ type: 'step', count: 3 });
    expect(h.of('diverged')).toEqual([]);
    const next = h.points(from);
    expect(next.map((p) => p.step)).toEqual([4, 5, 6]);
    expect(next.every(finite)).toBe(true);
    // RMSprop's own slots, keyed by algorithm and name.
    await h.session.handle({ type: 'saveCheckpoint' });
    const slots = Object.keys([...h.store.map.values()].at(-1)!.state.tensors).filter((k) => k.startsWith('opt:'));
    expect(slots.some((k) => /:RMSProp:.*\/rms$/.test(k))).toBe(true);
    expect(slots.every((k) => k.includes(':RMSProp:'))).toBe(true);
    expect(h.errors()).toEqual([]);
  });

  it('after a divergence (lr 1e6) only a finite checkpoint is offered, and restore trains at the document learning rate', async () => {
    const h = harness();
    await h.session.handle({ type: 'load', doc: preset('ae') });
    await h.session.handle({ type: 'setBatchSize', batchSize: 16 });
    const loaded = h.of('loaded')[0];
    const opt = loaded.info.optimizers[0];
    await h.session.handle({ type: 'step', count: 2 });
    await h.session.handle({ type: 'setLearningRate', optimizer: opt.id, lr: 1e6 });
    // Single steps checkpoint after each step that did not diverge.
    for (let i = 0; i < 40 && h.of('diverged').length === 0; i++) await h.session.handle({ type: 'step' });
    const diverged = h.of('diverged')[0];
    expect(diverged).toBeDefined();
    expect(diverged.checkpoint).not.toBeNull();
    // What is kept (in memory and in the store) holds finite weights and optimizer state only.
    const kept = [...h.store.map.values()].at(-1)!;
    expect(kept.info.step).toBe(diverged.checkpoint!.step);
    for (const [k, t] of Object.entries(kept.state.tensors)) expect(t.data.every(Number.isFinite), k).toBe(true);

    await h.session.handle({ type: 'restoreCheckpoint' });
    const restored = h.of('restored')[0];
    expect(restored.step).toBe(diverged.checkpoint!.step);
    const from = h.events.length;
    await h.session.handle({ type: 'step', count: 2 });
    expect(h.of('diverged')).toHaveLength(1);
    const next = h.points(from);
    expect(next).toHaveLength(2);
    expect(next.every(finite)).toBe(true);
    // The page is told the rate it trains at now, and why it changed.
    expect(restored.learningRates).toEqual({ [opt.id]: opt.learningRate });
    expect(restored.note).toMatch(/diverged/);
    expect(h.errors()).toEqual([]);
  });

  it('restore without a divergence gives the checkpoint’s learning rates: its override, else the document’s', async () => {
    const start = async () => {
      const h = harness();
      await h.session.handle({ type: 'load', doc: preset('ae') });
      await h.session.handle({ type: 'setBatchSize', batchSize: 16 });
      await h.session.handle({ type: 'step', count: 2 });
      return h;
    };
    const control = await start();
    await control.session.handle({ type: 'step', count: 2 });
    const h = await start();
    const opt = h.of('loaded')[0].info.optimizers[0];
    // A rate set after the checkpoint is not carried into the restored model.
    await h.session.handle({ type: 'setLearningRate', optimizer: opt.id, lr: 0.5 });
    await h.session.handle({ type: 'restoreCheckpoint' });
    expect(h.of('restored')[0]).toMatchObject({ step: 2, learningRates: { [opt.id]: opt.learningRate } });
    const from = h.events.length;
    await h.session.handle({ type: 'step', count: 2 });
    const [a, b] = [control.points().slice(-2), h.points(from)];
    expect(b.map((p) => p.step)).toEqual([3, 4]);
    for (let i = 0; i < 2; i++) for (const [term, v] of Object.entries(a[i].losses)) expect(b[i].losses[term]).toBeCloseTo(v, 2);

    await h.session.handle({ type: 'setLearningRate', optimizer: opt.id, lr: 5e-4 });
    await h.session.handle({ type: 'step' });
    await h.session.handle({ type: 'setLearningRate', optimizer: opt.id, lr: 0.5 });
    await h.session.handle({ type: 'restoreCheckpoint' });
    expect(h.of('restored')[1]).toMatchObject({ step: 5, learningRates: { [opt.id]: 5e-4 } });
    expect(h.of('restored').map((r) => r.note)).toEqual([undefined, undefined]);
    expect(h.errors()).toEqual([]);
  });

  it('reset drops every learning-rate and batch-size override: the next steps match a fresh load', async () => {
    const run = async (overrides: boolean) => {
      const h = harness();
      await h.session.handle({ type: 'load', doc: preset('ae') });
      const opt = h.of('loaded')[0].info.optimizers[0];
      if (overrides) {
        await h.session.handle({ type: 'setLearningRate', optimizer: opt.id, lr: 5 });
        await h.session.handle({ type: 'setBatchSize', batchSize: 8 });
        await h.session.handle({ type: 'step', count: 2 });
        await h.session.handle({ type: 'reset' });
      }
      const from = h.events.length;
      await h.session.handle({ type: 'step', count: 2 });
      expect(h.errors()).toEqual([]);
      return h.points(from);
    };
    const fresh = await run(false);
    const reset = await run(true);
    expect(reset.map((p) => p.step)).toEqual([1, 2]);
    expect(reset).toEqual(fresh);
  });
});

describe('play after a load that failed', () => {
  it('refuses, naming the problem, while the latest load had compile errors or its data failed to load', async () => {
    const h = harness();
    const doc = preset('ae');
    await h.session.handle({ type: 'load', doc });
    await h.session.handle({ type: 'setBatchSize', batchSize: 16 });
    await h.session.handle({ type: 'step' });
    expect(h.session.step).toBe(1);

    // The optimizer loses its loss: the document does not compile.
    const broken = structuredClone(doc);
    broken.edges = broken.edges.filter((e) => e.target !== broken.nodes.find((n) => n.type === 'optimizer')!.id);
    await h.session.handle({ type: 'load', doc: broken });
    const compileErrors = h.of('compileErrors')[0];
    expect(compileErrors.errors.length).toBeGreaterThan(0);
    await h.session.handle({ type: 'play' });
    await h.session.handle({ type: 'step' });
    await h.session.idle();
    expect(h.session.isRunning).toBe(false);
    expect(h.session.step).toBe(1);
    const [play, step] = h.errors();
    expect(play).toMatchObject({ where: 'play' });
    expect(play.message).toMatch(/cannot play: the latest graph did not load/);
    expect(play.message).toContain(compileErrors.errors.find((e) => e.severity === 'error')!.message);
    expect(step).toMatchObject({ where: 'step' });

    // Data that cannot be read: the same, with the problem on the Dataset node.
    const noData = structuredClone(doc);
    const dataset = noData.nodes.find((n) => n.type === 'dataset')!;
    Object.assign(dataset.params, { source: 'idx', path: '/nonexistent/images.idx' });
    await h.session.handle({ type: 'load', doc: noData });
    const dataErrors = h.of('compileErrors')[1].errors;
    expect(dataErrors).toEqual([
      expect.objectContaining({ code: 'data-unavailable', nodeId: dataset.id, message: expect.stringMatching(/not found/) }),
    ]);
    await h.session.handle({ type: 'play' });
    await h.session.idle();
    expect(h.session.step).toBe(1);
    expect(h.errors()[2].message).toMatch(/cannot play: the latest graph did not load \(it has an error: .*nonexistent/);

    // A good document again: it trains.
    await h.session.handle({ type: 'load', doc });
    await h.session.handle({ type: 'step' });
    expect(h.session.step).toBe(2);
    expect(h.errors()).toHaveLength(3);
  });
  it('a document edit of the learning rate keeps the weights, asks nothing, and makes the kept state the checkpoint to return to', async () => {
    const h = harness();
    const doc = preset('vae');
    await h.session.handle({ type: 'load', doc });
    await h.session.handle({ type: 'step', count: 3 });
    const edited = structuredClone(doc);
    edited.nodes.find((n) => n.id === 'adam')!.params.learningRate = 5e-4;
    const from = h.events.length;
    await h.session.handle({ type: 'load', doc: edited, onChange: 'ask' });
    expect(h.of('docChanged')).toEqual([]);
    expect(h.session.step).toBe(3);
    const loaded = h.events.slice(from).find((e): e is FromWorkerOf<'loaded'> => e.type === 'loaded')!;
    expect(loaded.info.optimizers[0].learningRate).toBe(5e-4);
    expect(h.events.slice(from).some((e) => e.type === 'checkpoint' && e.info.step === 3)).toBe(true);
    await h.session.handle({ type: 'step' });
    await h.session.handle({ type: 'restoreCheckpoint' });
    expect(h.of('restored').at(-1)?.step).toBeGreaterThanOrEqual(3);
    expect(h.errors()).toEqual([]);
  });
});
