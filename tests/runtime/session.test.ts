/**
 * The worker-side session, driven directly in Node (no Worker): the same
 * messages the page sends, on the wasm backend with cpu as the fallback.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import type { FromWorker, FromWorkerOf } from '../../src/runtime/protocol';
import { setupBackend } from '../../src/runtime/backend';
import { attachBackend, openBackend } from '../../src/runtime/backendHandle';
import { CompiledModel } from '../../src/runtime/model';
import { memoryStore, TrainingSession } from '../../src/runtime/session';
import * as tf from '../../src/runtime/tf';
import { preset, sessionHarness } from './sessionHarness';

const harness = sessionHarness;

describe('training session (Node, wasm → cpu)', () => {
  it('loads the VAE, picks a backend, trains 20 steps with the loss falling; pause and single step', async () => {
    const h = harness();
    await h.session.handle({ type: 'load', doc: preset('vae') });
    await h.session.handle({ type: 'setBatchSize', batchSize: 32 });
    expect(h.errors()).toEqual([]);
    const backend = h.of('backend')[0];
    expect(backend.backend).toBe('wasm');
    expect(backend.threads).toBe(Math.min(4, availableParallelism())); // Node: a GEMM thread per core
    const loaded = h.of('loaded')[0];
    expect(loaded.info.modes).toMatchObject({ generate: true, reconstruct: true, encode: true });
    expect(loaded.info.latentSize).toBe(20);
    const total = loaded.info.optimizers[0].id;

    await h.session.handle({ type: 'play' });
    await h.waitFor(() => h.session.step >= 20);
    await h.session.handle({ type: 'pause' });
    expect(h.session.isRunning).toBe(false);
    const curve = h.losses(total);
    expect(curve.length).toBeGreaterThanOrEqual(20);
    const first = curve.slice(0, 3).reduce((a, b) => a + b) / 3;
    const last = curve.slice(-3).reduce((a, b) => a + b) / 3;
    expect(last).toBeLessThan(first * 0.8);
    expect(curve.every(Number.isFinite)).toBe(true);
    // Each term is reported separately.
    expect(Object.keys(h.of('metrics').flatMap((m) => m.points)[0].losses).length).toBeGreaterThanOrEqual(3);

    const at = h.session.step;
    await h.session.handle({ type: 'step' });
    expect(h.session.step).toBe(at + 1);
    expect(h.of('state').at(-1)).toMatchObject({ running: false, step: at + 1 });
    // A checkpoint was taken on pause.
    expect(h.of('checkpoint').some((c) => c.stored)).toBe(true);

    // Views answer with plain data of the right size.
    await h.session.handle({ type: 'samples', id: 1, n: 4 });
    await h.session.handle({ type: 'samples', id: 2, n: 4 });
    const [s1, s2] = h.of('samples');
    expect(s1.images.length).toBe(4 * 784);
    expect(Array.from(s1.images)).toEqual(Array.from(s2.images)); // fixed seed
    await h.session.handle({ type: 'reconstructions', id: 3, n: 8 });
    expect(h.of('reconstructions')[0].outputs.length).toBe(8 * 784);
    await h.session.handle({ type: 'latentMap', id: 4, count: 300 });
    const map = h.of('latentMap')[0];
    expect(map.n).toBe(300);
    expect(map.basis?.length).toBe(40);
    expect(map.labels?.length).toBe(300);
    await h.session.handle({ type: 'decode', id: 5, latents: new Float32Array(40), n: 2 });
    expect(h.of('decoded')[0].images.length).toBe(2 * 784);
    await h.session.handle({ type: 'klPerDim', id: 6 });
    expect(h.of('kl')[0].perDim.length).toBe(20);
    await h.session.handle({ type: 'preview', id: 7, nodeId: 'enc' });
    expect(h.of('preview')[0].shape).toEqual([8, 512]);
    await h.session.handle({ type: 'export', id: 8 });
    const exp = h.of('exported')[0];
    const manifest = JSON.parse(exp.modelJson).weightsManifest[0];
    const count = manifest.weights.reduce((a: number, w: { shape: number[] }) => a + w.shape.reduce((x, y) => x * y, 1), 0);
    expect(exp.weights.byteLength).toBe(count * 4);
    expect(h.errors()).toEqual([]);
  });

  it('keeps the live tensor count flat from step 2 to step 1000', async () => {
    const h = harness({ checkpointEvery: 250 });
    await h.session.handle({ type: 'load', doc: preset('vae') });
    await h.session.handle({ type: 'setBatchSize', batchSize: 8 });
    await h.session.handle({ type: 'step', count: 2 });
    const at2 = h.of('metrics').at(-1)!.numTensors;
    await h.session.handle({ type: 'play' });
    await h.waitFor(() => h.session.step >= 1000, 240_000);
    await h.session.handle({ type: 'pause' });
    await h.session.handle({ type: 'samples', id: 1, n: 4 });
    await h.session.handle({ type: 'step' });
    expect(h.session.step).toBeGreaterThanOrEqual(1000);
    const counts = h.of('metrics').map((m) => m.numTensors);
    expect(counts.at(-1)).toBe(at2);
    expect(Math.max(...counts.slice(1))).toBe(at2);
    // Rebuilding the model (restore, reset) leaves nothing behind either.
    await h.session.handle({ type: 'restoreCheckpoint' });
    await h.session.handle({ type: 'step' });
    await h.session.handle({ type: 'reset' });
    await h.session.handle({ type: 'step', count: 2 });
    expect(h.of('metrics').at(-1)!.numTensors).toBe(at2);
    expect(h.errors()).toEqual([]);
  }, 300_000);

  it('checkpoint save → restore gives identical next losses, also after a reload', async () => {
    const h = harness();
    await h.session.handle({ type: 'load', doc: preset('vae') });
    await h.session.handle({ type: 'setBatchSize', batchSize: 16 });
    await h.session.handle({ type: 'step', count: 5 });
    await h.session.handle({ type: 'saveCheckpoint' });
    expect(h.store.map.size).toBe(1);
    const [key, saved] = [...h.store.map.entries()][0];
    const snapshot = structuredClone(saved);
    expect(snapshot.info.step).toBe(5);
    const pointsAfter = (events: FromWorker[], from: number) =>
      events
        .slice(from)
        .filter((e): e is FromWorkerOf<'metrics'> => e.type === 'metrics')
        .flatMap((m) => m.points);

    const before = h.events.length;
    await h.session.handle({ type: 'step', count: 4 });
    const a = pointsAfter(h.events, before);
    expect(a.map((p) => p.step)).toEqual([6, 7, 8, 9]);

    // "Reload": a fresh session on a store holding the step-5 checkpoint resumes from it.
    const resumeRun = async () => {
      const events: FromWorker[] = [];
      const store = memoryStore();
      store.map.set(key, structuredClone(snapshot));
      const s = new TrainingSession({ post: (m) => events.push(m), store, available: ['wasm', 'cpu'] });
      await s.handle({ type: 'load', doc: preset('vae'), resume: true });
      expect(events.find((e): e is FromWorkerOf<'loaded'> => e.type === 'loaded')!.resumed).toBe(true);
      expect(s.step).toBe(5);
      const from = events.length;
      await s.handle({ type: 'step', count: 4 });
      return pointsAfter(events, from);
    };
    const b = await resumeRun();
    const c = await resumeRun();
    // Two restores of one checkpoint are bit-identical...
    expect(c).toEqual(b);
    // ...and match the uninterrupted run to float32 rounding: same batches and noise, but Adam
    // recomputes its bias-correction powers from the iteration count on restore (β^t, not t products).
    expect(b.map((p) => p.step)).toEqual([6, 7, 8, 9]);
    for (let i = 0; i < a.length; i++) for (const [term, v] of Object.entries(a[i].losses)) expect(b[i].losses[term]).toBeCloseTo(v, 2);

    // Resuming in a session that already has the graph loaded also rewinds to the stored checkpoint.
    h.store.map.set(key, structuredClone(snapshot));
    await h.session.handle({ type: 'load', doc: preset('vae'), resume: true });
    expect(h.session.step).toBe(5);
    await h.session.handle({ type: 'step', count: 4 });

    // restoreCheckpoint rewinds to the last checkpoint (single steps checkpoint too).
    await h.session.handle({ type: 'restoreCheckpoint' });
    expect(h.session.step).toBe(9);
    expect(h.errors()).toEqual([]);
  });

  it('divergence pauses with the step and term and offers the last checkpoint', async () => {
    const h = harness();
    await h.session.handle({ type: 'load', doc: preset('vae') });
    await h.session.handle({ type: 'setBatchSize', batchSize: 8 });
    await h.session.handle({ type: 'step', count: 3 });
    await h.session.handle({ type: 'saveCheckpoint' });
    await h.session.handle({ type: 'debugFail', kind: 'nan' });
    await h.session.handle({ type: 'play' });
    await h.waitFor(() => h.of('diverged').length > 0);
    await h.session.idle();
    const d = h.of('diverged')[0];
    expect(d.checkpoint?.step).toBe(3);
    expect(h.session.isRunning).toBe(false);
    await h.session.handle({ type: 'restoreCheckpoint' });
    expect(h.session.step).toBe(3);
  });

  it('editing the graph asks before discarding weights, and keeps matching ones on request', async () => {
    const h = harness();
    const doc = preset('vae');
    await h.session.handle({ type: 'load', doc });
    await h.session.handle({ type: 'setBatchSize', batchSize: 8 });
    await h.session.handle({ type: 'step', count: 3 });
    // Moving a node changes nothing.
    const moved = structuredClone(doc);
    moved.nodes[0].position.x += 50;
    await h.session.handle({ type: 'load', doc: moved });
    expect(h.of('docChanged')).toEqual([]);
    expect(h.session.step).toBe(3);
    // Changing the latent size changes shapes: ask.
    const edited = structuredClone(doc);
    edited.nodes.find((n) => n.id === 'mu')!.params.units = 10;
    edited.nodes.find((n) => n.id === 'logvar')!.params.units = 10;
    await h.session.handle({ type: 'load', doc: edited });
    const ask = h.of('docChanged')[0];
    expect(ask.matching).toBeGreaterThan(0);
    expect(ask.matching).toBeLessThan(ask.total);
    expect(h.session.step).toBe(3);
    await h.session.handle({ type: 'load', doc: edited, onChange: 'keep' });
    expect(h.session.step).toBe(3);
    await h.session.handle({ type: 'step' });
    expect(h.session.step).toBe(4);
    expect(h.errors()).toEqual([]);
  });

  it('a missing kernel falls back to the next backend and resumes from the checkpoint', async () => {
    const h = harness({ checkpointEvery: 5 });
    await h.session.handle({ type: 'load', doc: preset('vae') });
    await h.session.handle({ type: 'setBatchSize', batchSize: 8 });
    await h.session.handle({ type: 'play' });
    await h.waitFor(() => h.session.step >= 12);
    const ckptStep = h.of('checkpoint').at(-1)!.info.step;
    await h.session.handle({ type: 'debugFail', kind: 'kernel' });
    await h.waitFor(() => h.of('fallback').length > 0);
    const fb = h.of('fallback')[0];
    expect(fb).toMatchObject({ from: 'wasm', to: 'cpu' });
    expect(fb.reason).toMatch(/kernel/i);
    expect(fb.resumedFromStep).toBeGreaterThanOrEqual(ckptStep);
    expect(h.of('backend').at(-1)!.backend).toBe('cpu');
    // It carries on training on cpu with finite losses.
    const resumedAt = fb.resumedFromStep;
    await h.waitFor(() => h.session.step >= resumedAt + 3);
    await h.session.handle({ type: 'pause' });
    const after = h
      .of('metrics')
      .flatMap((m) => m.points)
      .filter((p) => p.step > resumedAt);
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(after.every((p) => Object.values(p.losses).every(Number.isFinite))).toBe(true);
    expect(h.errors()).toEqual([]);
  });

  it('a WebGPU read that never settles fails once the device is lost, and the run resumes on wasm from the checkpoint', async () => {
    const events: FromWorker[] = [];
    // "webgpu" here is the cpu backend with a stand-in device: destroy() resolves device.lost, as on a real GPU.
    const fakeWebgpu = async () => {
      await setupBackend('cpu');
      let lost!: (info: { message: string }) => void;
      const device = { lost: new Promise<{ message: string }>((r) => (lost = r)), destroy: () => lost({ message: 'destroyed' }) };
      (tf.backend() as unknown as { device: unknown }).device = device;
      return attachBackend('webgpu', { backend: 'webgpu', threads: 1, simd: false });
    };
    const session = new TrainingSession({
      post: (m) => events.push(m),
      available: ['webgpu', 'wasm'],
      setupBackend: (name) => (name === 'webgpu' ? fakeWebgpu() : openBackend(name)),
      metricsIntervalMs: 0,
    });
    const waitFor = async (pred: () => boolean, ms = 60_000) => {
      const t0 = Date.now();
      while (!pred()) {
        if (Date.now() - t0 > ms) throw new Error(`timed out; events: ${JSON.stringify(events.filter((e) => e.type === 'error'))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await session.handle({ type: 'load', doc: preset('vae') });
    await session.handle({ type: 'setBatchSize', batchSize: 16 });
    expect(session.backendName).toBe('webgpu');
    await session.handle({ type: 'play' });
    await waitFor(() => session.step >= 2);
    await session.handle({ type: 'pause' });
    const at = session.step;
    // The next round's read hangs, as a mapAsync on a dying device can.
    const hang = vi.spyOn(CompiledModel.prototype, 'trainRound').mockImplementationOnce(() => new Promise(() => undefined));
    try {
      await session.handle({ type: 'play' });
      await new Promise((r) => setTimeout(r, 100));
      expect(session.step).toBe(at);
      await session.handle({ type: 'debugFail', kind: 'deviceLost' });
      await waitFor(() => events.some((e) => e.type === 'fallback'));
      const fallback = events.find((e) => e.type === 'fallback') as FromWorkerOf<'fallback'>;
      expect(fallback).toMatchObject({ from: 'webgpu', to: 'wasm', resumedFromStep: at });
      expect(fallback.reason).toMatch(/WebGPU device lost: destroyed/);
      await waitFor(() => session.step >= at + 2);
      await session.handle({ type: 'pause' });
      expect(session.backendName).toBe('wasm');
      expect(events.filter((e) => e.type === 'error')).toEqual([]);
    } finally {
      hang.mockRestore();
    }
  });

  it('GAN: both players report losses; stepping only the discriminator moves the step by one', async () => {
    const h = harness();
    await h.session.handle({ type: 'load', doc: preset('gan') });
    await h.session.handle({ type: 'setBatchSize', batchSize: 8 });
    const info = h.of('loaded')[0].info;
    expect(info.optimizers.map((o) => o.id).sort()).toEqual(['optD', 'optG']);
    await h.session.handle({ type: 'step' });
    const both = h
      .of('metrics')
      .flatMap((m) => m.points)
      .at(-1)!;
    expect(Object.keys(both.losses)).toEqual(expect.arrayContaining(['optD', 'optG']));
    await h.session.handle({ type: 'step', optimizer: 'optD' });
    expect(h.session.step).toBe(2);
    const only = h
      .of('metrics')
      .flatMap((m) => m.points)
      .at(-1)!;
    expect(Object.keys(only.losses)).toContain('optD');
    expect(Object.keys(only.losses)).not.toContain('optG');
    expect(h.errors()).toEqual([]);
  });

  it('PixelCNN: sampling arrives pixel by pixel without blocking the worker', async () => {
    const h = harness();
    await h.session.handle({ type: 'load', doc: preset('pixelcnn') });
    await h.session.handle({ type: 'setBatchSize', batchSize: 4 });
    await h.session.handle({ type: 'step' });
    await h.session.handle({ type: 'autoregressive', id: 1, n: 2 });
    await h.waitFor(() => h.of('pixels').length >= 2);
    // Other messages get through while it draws.
    await h.session.handle({ type: 'step' });
    expect(h.session.step).toBe(2);
    const seen = h.of('pixels');
    expect(seen[1].index).toBeGreaterThan(seen[0].index);
    expect(seen[0].canvas.length).toBe(2 * 784);
    // Pixels after the current one are still blank.
    const last = seen.at(-1)!;
    expect(Array.from(last.canvas.slice(last.index + 1, 784)).every((v) => v === 0)).toBe(true);
    await h.session.handle({ type: 'reset' }); // cancels the drawing
    const count = h.of('pixels').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(h.of('pixels').length).toBe(count);
    // The page is told no last pixel is coming, so its samples view can ask again.
    expect(h.of('cancelled')).toEqual([{ type: 'cancelled', id: 1 }]);
    expect(h.errors()).toEqual([]);
  });
});
