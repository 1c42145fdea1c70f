/** The session's sample-quality request (the Metrics view), on wasm in Node. */
import { describe, expect, it } from 'vitest';
import { preset, sessionHarness } from './sessionHarness';

describe('measureSamples request', () => {
  it('measures a GAN between rounds, with progress, and resumes training', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: preset('gan') });
    await h.session.handle({ type: 'step', count: 2 });
    await h.session.handle({ type: 'play' });
    await h.waitFor(() => h.session.step >= 4);
    await h.session.handle({ type: 'measureSamples', id: 7, n: 100 });
    const [m] = h.of('measured');
    expect(h.errors()).toEqual([]);
    expect(m.id).toBe(7);
    expect(m.unavailable).toBeUndefined();
    expect(m.step).toBeGreaterThanOrEqual(4);
    expect(m.metrics!.n).toBe(100);
    expect(m.metrics!.fld).toBeGreaterThan(m.metrics!.fld_floor!);
    expect(m.metrics!.class_counts).toHaveLength(10);
    expect(h.of('measureProgress').map((p) => p.done)).toEqual([0, 1, 2, 3, 4]);
    // Training paused for it and plays on.
    expect(h.session.isRunning).toBe(true);
    await h.session.handle({ type: 'pause' });
    // The classifier is reused: a second measurement on the same backend loads nothing new.
    await h.session.handle({ type: 'measureSamples', id: 8, n: 50 });
    expect(h.of('measured')[1].metrics!.n).toBe(50);
    expect(h.of('measured')[1].modelKey).toBe(m.modelKey);
  }, 120_000);

  it('keeps the measurement history with the checkpoint: a reload resumes with it, a reset forgets it', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: preset('gan') });
    await h.session.handle({ type: 'step', count: 2 });
    await h.session.handle({ type: 'measureSamples', id: 1, n: 50 });
    await h.session.handle({ type: 'step', count: 1 });
    await h.session.handle({ type: 'measureSamples', id: 2, n: 50 });
    expect(h.errors()).toEqual([]);
    // A second worker on the same store, as after a page reload.
    const again = sessionHarness();
    for (const [k, v] of h.store.map) again.store.map.set(k, v);
    await again.session.handle({ type: 'load', doc: preset('gan'), resume: true });
    const [reloaded] = again.of('loaded');
    expect(reloaded.resumed).toBe(true);
    expect(reloaded.measurements!.map((m) => m.step)).toEqual([2, 3]);
    expect(reloaded.measurements![1].metrics.fld).toBe(h.of('measured')[1].metrics!.fld);
    await again.session.handle({ type: 'reset' });
    await again.session.handle({ type: 'load', doc: preset('gan'), resume: true });
    expect(again.of('loaded').at(-1)!.measurements).toEqual([]);
  }, 120_000);

  it('a VAE: the measurement carries the likelihood too, with the K asked for, beside the independent-pixel reference', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: preset('vae') });
    await h.session.handle({ type: 'step', count: 20 });
    await h.session.handle({ type: 'measureSamples', id: 3, n: 100, importanceSamples: 5 });
    expect(h.errors()).toEqual([]);
    const l = h.of('measured')[0].metrics!.likelihood!;
    expect(l.kind).toBe('elbo');
    expect(l.examples).toBe(100);
    expect(l.importanceSampled!.samples).toBe(5);
    expect(l.importanceSampled!.nats).toBeLessThanOrEqual(l.nats + 1e-3);
    expect(l.independentPixels!.nats).toBeGreaterThan(0);
    expect(l.klPerDim).toHaveLength(20);
    expect(h.of('measureProgress')[0]).toMatchObject({ what: 'likelihood of the test examples' });
    await h.session.handle({ type: 'measureSamples', id: 4, n: 100, importanceSamples: -1 });
    expect(h.errors().at(-1)!.message).toMatch(/importance samples/);
  }, 120_000);

  it('answers a graph that cannot generate with a reason, and refuses a bad n', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: preset('ae') });
    await h.session.handle({ type: 'measureSamples', id: 1, n: 100 });
    expect(h.of('measured')[0]).toMatchObject({ id: 1, metrics: null });
    expect(h.of('measured')[0].unavailable).toMatch(/cannot generate/);
    await h.session.handle({ type: 'measureSamples', id: 2, n: 0 });
    expect(h.errors().at(-1)).toMatchObject({ where: 'measureSamples' });
    expect(h.of('loaded')[0].modelKey).toBe(h.of('measured')[0].modelKey);
  }, 60_000);
});
