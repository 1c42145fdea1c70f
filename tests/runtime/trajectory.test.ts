/**
 * The worker's trajectory request (the Diffusion view): x_t from pure noise to
 * the samples along a DDIM chain of the asked length, for 2-D points (with the
 * held-out points and a frame to draw them in) and for images (28×28 frames),
 * the same noise on every refresh, no tensor left behind, and clear errors.
 */
import { describe, expect, it } from 'vitest';
import type { FromWorkerOf } from '../../src/runtime/protocol';
import * as tf from '../../src/runtime/tf';
import { tinyImageDiffusion } from '../nodes/harness';
import { preset, sessionHarness } from './sessionHarness';

type Trajectory = FromWorkerOf<'trajectory'>;

const mnistDiffusion = tinyImageDiffusion({ batchSize: 4, T: 100, samplerSteps: 10 });

const finite = (a: Float32Array) => a.every(Number.isFinite);

describe('trajectory request', () => {
  it('ddpm-2d: frames from x_T (t = T) to the samples (t = 0), each n × 2 and finite, over held-out points in a frame that holds them', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: preset('ddpm-2d') });
    const info = h.of('loaded')[0].info;
    expect(info.modes.diffusion).toBe(true);
    expect(info.diffusionSteps).toBe(1000);
    await h.session.handle({ type: 'step', count: 3 });
    const before = tf.memory().numTensors;
    await h.session.handle({ type: 'trajectory', id: 1, n: 50, frames: 6, steps: 10 });
    await h.session.handle({ type: 'trajectory', id: 2, n: 50, frames: 6, steps: 10 });
    // Asking for more frames than a chain of 10 steps has positions gives each of its 11 once.
    await h.session.handle({ type: 'trajectory', id: 3, n: 50, frames: 40, steps: 10 });
    await h.session.handle({ type: 'trajectory', id: 4, n: 50, frames: 6, steps: 20 });
    expect(h.errors()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    const [a, again, dense, longer] = h.of('trajectory') as Trajectory[];
    expect(a).toMatchObject({ id: 1, n: 50, shape: [2], steps: 10, T: 1000, step: 3 });
    // ddim k = 10 visits 999, 888, …, 0 (indices); frames at chain positions 0, 2, 4, 6, 8 and the end.
    expect(a.t).toEqual([1000, 778, 556, 334, 112, 0]);
    expect(a.frames.map((f) => f.length)).toEqual(Array(6).fill(100));
    expect(a.frames.every(finite)).toBe(true);
    expect(a.ms).toBeGreaterThan(0);
    // x_T is pure noise: N(0, I), so its spread is about 1 whatever the model has learned.
    const xT = Array.from(a.frames[0]);
    const sd = Math.sqrt(xT.reduce((s, v) => s + v * v, 0) / xT.length);
    expect(sd).toBeGreaterThan(0.7);
    expect(sd).toBeLessThan(1.3);
    expect(a.real!.length).toBe(100);
    const [x0, x1, y0, y1] = a.bounds!;
    for (let i = 0; i < 50; i++) {
      expect(a.real![2 * i]).toBeGreaterThan(x0);
      expect(a.real![2 * i]).toBeLessThan(x1);
      expect(a.real![2 * i + 1]).toBeGreaterThan(y0);
      expect(a.real![2 * i + 1]).toBeLessThan(y1);
    }
    // The same noise on every refresh: the paths move only when the model does.
    expect(again.frames).toEqual(a.frames);
    expect(dense.t.length).toBe(11);
    expect(dense.frames[0]).toEqual(a.frames[0]);
    expect(dense.frames[10]).toEqual(a.frames[5]);
    // Another step count starts from the same x_T but takes another way to the samples.
    expect(longer.steps).toBe(20);
    expect(longer.frames[0]).toEqual(a.frames[0]);
    expect(longer.frames[5]).not.toEqual(a.frames[5]);
  }, 60_000);

  it('an image diffusion model: 28×28×1 frames, one row of n values per frame, and no points or frame', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: mnistDiffusion });
    await h.session.handle({ type: 'step' });
    await h.session.handle({ type: 'trajectory', id: 7, n: 3, frames: 4, steps: 6 });
    expect(h.errors()).toEqual([]);
    const [r] = h.of('trajectory');
    expect(r).toMatchObject({ id: 7, n: 3, shape: [28, 28, 1], steps: 6, T: 100, real: null, bounds: null });
    expect(r.t[0]).toBe(100);
    expect(r.t.at(-1)).toBe(0);
    expect(r.frames.map((f) => f.length)).toEqual(Array(4).fill(3 * 784));
    expect(r.frames.every(finite)).toBe(true);
    // The chain clips its prediction of x₀ to the pixels' [0, 1], so the samples end in it.
    for (const v of r.frames[3]) expect(Math.abs(v - 0.5)).toBeLessThanOrEqual(0.5 + 1e-4);
  }, 60_000);

  it('says why when the graph is no diffusion model or the step count is out of range', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: preset('vae-2d') });
    await h.session.handle({ type: 'trajectory', id: 1, n: 10, frames: 5, steps: 10 });
    expect(h.errors().at(-1)).toMatchObject({ where: 'trajectory', message: expect.stringContaining('not a diffusion model') });
    await h.session.handle({ type: 'load', doc: preset('ddpm-2d') });
    await h.session.handle({ type: 'trajectory', id: 2, n: 10, frames: 5, steps: 5000 });
    expect(h.errors().at(-1)?.message).toContain('from 1 to T = 1000');
    await h.session.handle({ type: 'trajectory', id: 3, n: 10, frames: 1, steps: 10 });
    expect(h.errors().at(-1)?.message).toContain('2 to 200 frames');
    expect(h.of('trajectory')).toEqual([]);
  }, 60_000);
});
