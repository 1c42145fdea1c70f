/**
 * Meta-test for the presets (DESIGN.md, "Testing habits"): every graph document
 * in presets/ loads, compiles without errors, carries what a learner needs
 * (title, description, goals), offers the modes a user expects, and LEARNS in
 * a short headless run on the wasm backend, by a margin stated in each test's
 * name.
 *
 * Cost: this machine has 2 CPU cores and wasm runs single-threaded in Node, so
 * the runs are short and some presets are trained on a modified COPY of the
 * document (the preset files themselves are untouched):
 *   - AE, VAE, CVAE: batch 32 instead of 128 (same architecture);
 *   - GAN: batch 8 instead of 64 (same architecture);
 *   - PixelCNN: batch 8 instead of 64 (same architecture, all 64 filters);
 *     a batch-8 step takes 0.6–1.8 s here depending on load, so it runs only
 *     40 steps. (If this ever gets too slow, lower the masked convolutions'
 *     filters in the copy with `maskedFilters` — and say so in the test name.)
 * Every run is seeded by the preset's own seed, so the numbers repeat exactly
 * on the same backend.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { setupBackend } from '../../src/runtime/backend';
import { CompiledModel } from '../../src/runtime/model';
import { ends, expectVaeLearns, load, mean, planOf, presetFiles, summary, train, variant } from './presetHarness';

const testsDir = fileURLToPath(new URL('./', import.meta.url));

beforeAll(async () => {
  await setupBackend('wasm');
});

describe('every preset', () => {
  it.each(presetFiles)('%s has a learning test in tests/presets and a measured row in the README', (file) => {
    const tests = readdirSync(testsDir).filter((f) => f.endsWith('.test.ts'));
    const named = tests.filter((t) => readFileSync(testsDir + t, 'utf8').includes(`'${file}'`));
    expect(named.length, `no test in tests/presets trains '${file}'`).toBeGreaterThan(0);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme, `README has no measured row for ${file}`).toContain(`train presets/${file}`);
  });

  it.each(presetFiles)('%s loads, compiles with no errors and no warnings, and has a title, a description and goals', (file) => {
    const doc = load(file);
    const r = compile(doc, registry);
    expect(r.errors).toEqual([]);
    expect(r.plan).toBeTruthy();
    expect(r.plan!.modes.train).toBe(true);
    expect(doc.meta.title?.trim().length ?? 0).toBeGreaterThan(3);
    expect(doc.meta.description?.trim().length ?? 0).toBeGreaterThan(40);
    expect(doc.meta.goals?.length ?? 0).toBeGreaterThanOrEqual(1);
    for (const g of doc.meta.goals ?? []) expect(g.trim().length).toBeGreaterThan(10);
  });
});

describe('modes a user expects', () => {
  it('VAE: generate (unconditional, not autoregressive), reconstruct, encode, evaluate the ELBO', () => {
    const m = planOf(load('vae.json')).modes;
    expect(m.generate).toMatchObject({ autoregressive: false, conditional: false });
    expect(m.reconstruct).not.toBeNull();
    expect(m.encode).toMatchObject({ latentSize: 20 });
    expect(m.evaluate?.kind).toBe('elbo');
  });

  it('CVAE: generation is conditional on a class; reconstruct, encode (a 4-d code, so the label carries the digit), evaluate the ELBO', () => {
    const m = planOf(load('cvae.json')).modes;
    expect(m.generate).toMatchObject({ autoregressive: false, conditional: true });
    expect(m.reconstruct).not.toBeNull();
    expect(m.encode).toMatchObject({ latentSize: 4 });
    expect(m.evaluate?.kind).toBe('elbo');
  });

  it('AE: reconstruct and encode, but no generate (a plain autoencoder has no prior to sample)', () => {
    const m = planOf(load('ae.json')).modes;
    expect(m.generate).toBeNull();
    expect(m.reconstruct).not.toBeNull();
    expect(m.encode).toMatchObject({ latentSize: 32 });
  });

  it('PixelCNN: autoregressive generate and exact NLL; nothing to reconstruct or encode', () => {
    const m = planOf(load('pixelcnn.json')).modes;
    expect(m.generate).toMatchObject({ autoregressive: true });
    expect(m.evaluate?.kind).toBe('nll');
    expect(m.reconstruct).toBeNull();
    expect(m.encode).toBeNull();
  });

  it('GAN: generate; two Adam optimizers (2e-4, β1 0.5) on disjoint networks; the discriminator is ONE set of variables', () => {
    const plan = planOf(load('gan.json'));
    expect(plan.modes.generate).toMatchObject({ autoregressive: false });
    expect(plan.modes.evaluate).toBeNull();
    expect(plan.optimizers).toHaveLength(2);
    for (const o of plan.optimizers) {
      expect(o.learningRate).toBe(2e-4);
      expect(plan.byId[o.id].params).toMatchObject({ algorithm: 'adam', beta1: 0.5 });
      expect(o.stepsPerRound).toBe(1);
    }
    const [d, g] = ['optD', 'optG'].map((id) => plan.optimizers.find((o) => o.id === id)!);
    expect(d.trainsDocIds).toEqual(['dReal']);
    expect(g.trainsDocIds).toEqual(['gen']);
    expect(d.trains.filter((t) => g.trains.includes(t))).toEqual([]);
    // Both applications of the discriminator resolve to the same weight owners...
    const fake = plan.nodes.filter((n) => n.docId === 'dFake');
    const real = plan.nodes.filter((n) => n.docId === 'dReal');
    expect(fake.length).toBeGreaterThan(0);
    expect(fake.map((n) => n.weightOwner)).toEqual(real.map((n) => n.weightOwner));
    // ...and the built model holds exactly one set of discriminator variables.
    const model = new CompiledModel(plan);
    const names = [...model.namedVariables.keys()];
    const dVars = names.filter((n) => n.startsWith('dReal/'));
    expect(dVars.length).toBeGreaterThan(0);
    expect(names.filter((n) => n.startsWith('dFake/'))).toEqual([]);
    // One kernel and one bias per discriminator layer that has weights.
    expect(dVars.length).toBe(2 * real.filter((n) => n.paramCount > 0).length);
    model.dispose();
  });
});

describe('every preset learns in a short headless run (wasm)', () => {
  it('AE: reconstruction loss falls by ≥ 40% in 60 steps (batch 32)', async () => {
    const run = await train(variant('ae.json', { batch: 32 }), 60);
    const s = summary('AE', run, 'adam');
    const { first, last } = ends(s, 3);
    expect(s.every(Number.isFinite)).toBe(true);
    expect(last).toBeLessThanOrEqual(0.6 * first);
    run.model.dispose();
  });

  it('VAE: negative ELBO falls by ≥ 40% in 60 steps (batch 32), and the latent is used (KL > 1 nat)', async () => {
    const run = await expectVaeLearns('vae.json', 'VAE', 60);
    run.model.dispose();
  });

  it('CVAE: negative ELBO falls by ≥ 40% in 60 steps (batch 32), and the latent is used (KL > 1 nat)', async () => {
    const run = await expectVaeLearns('cvae.json', 'CVAE', 60);
    // Conditional generation runs for a chosen class.
    expect(run.model.generate(4, 7).length).toBe(4 * 784);
    run.model.dispose();
  });

  it('PixelCNN (copy: batch 8): NLL falls by ≥ 50% in 40 steps and beats the best context-free model', async () => {
    const run = await train(variant('pixelcnn.json', { batch: 8 }), 40);
    // The best model that ignores context: each pixel an independent Bernoulli
    // with its own training-set mean. Its NLL is the sum of the pixel entropies.
    // Falling below it means the masked convolutions use the pixels above/left.
    const d = run.data;
    const dims = 784;
    const p = new Float64Array(dims);
    for (let i = 0; i < d.count; i++) for (let j = 0; j < dims; j++) p[j] += d.x[i * dims + j];
    let independent = 0;
    for (let j = 0; j < dims; j++) {
      const q = Math.min(Math.max(p[j] / d.count, 1e-6), 1 - 1e-6);
      independent -= q * Math.log(q) + (1 - q) * Math.log(1 - q);
    }
    const s = summary('PixelCNN', run, 'adam', `; context-free baseline ${independent.toFixed(1)} nats`);
    const { first, last } = ends(s, 5);
    expect(last).toBeLessThanOrEqual(0.5 * first);
    expect(last).toBeLessThan(independent);
    run.model.dispose();
  }, 240_000);

  /**
   * A GAN's losses do not fall monotonically, so "learns" is judged on both
   * players: the discriminator learns to tell real from fake (its loss drops
   * below its untrained value ln 4 ≈ 1.386), and the generator moves its
   * samples toward the data: the gap between the mean pixel intensity of 64
   * samples and the data's (≈ 0.13 for MNIST; an untrained sigmoid generator
   * starts near 0.5) must close by at least half. A generator that gets no
   * gradient keeps its samples where they were, which the control run below
   * checks: with the generator never stepped, the gap does not close at all.
   */
  it('GAN (copy: batch 8): D loss drops below its initial value, and samples close ≥ 50% of the gap to the data mean intensity in 100 rounds', async () => {
    const run = await train(variant('gan.json', { batch: 8 }), 100);
    const dataMean = mean(run.data.x);
    const { model } = run;
    // The gap before training, from a fresh model with the same seed.
    const fresh = new CompiledModel(run.plan);
    const before = Math.abs(mean(fresh.generate(64)) - dataMean);
    fresh.dispose();
    const after = Math.abs(mean(model.generate(64)) - dataMean);
    const dLoss = run.losses.map((l) => l.optD);
    const gLoss = run.losses.map((l) => l.optG);
    summary('GAN', run, 'optD', `; G first ${gLoss[0].toFixed(3)}, last ${gLoss.at(-1)!.toFixed(3)}; data mean ${dataMean.toFixed(3)}, sample-mean gap ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect([...dLoss, ...gLoss].every(Number.isFinite)).toBe(true);
    expect(dLoss[0]).toBeGreaterThan(1.2); // ≈ ln 4 at the start: D cannot tell yet
    expect(mean(dLoss.slice(20, 40))).toBeLessThan(dLoss[0]);
    expect(mean(dLoss.slice(-20))).toBeLessThan(dLoss[0]);
    expect(before).toBeGreaterThan(0.2);
    expect(after).toBeLessThanOrEqual(0.5 * before);
    model.dispose();
  }, 240_000);

  it('GAN control: with the generator never stepped, the sample-mean gap does not close (the criterion above can fail)', async () => {
    const run = await train(variant('gan.json', { batch: 8 }), 40, { only: 'optD' });
    const dataMean = mean(run.data.x);
    const fresh = new CompiledModel(run.plan);
    const before = Math.abs(mean(fresh.generate(64)) - dataMean);
    fresh.dispose();
    const after = Math.abs(mean(run.model.generate(64)) - dataMean);
    summary('GAN control (D only)', run, 'optD', `; sample-mean gap ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect(after).toBeGreaterThan(0.9 * before);
    run.model.dispose();
  }, 120_000);
});
