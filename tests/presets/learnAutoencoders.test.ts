/**
 * The autoencoder and VAE variants of issue 12 learn in short headless runs on
 * the wasm backend, by the margins their names state, and show what each
 * variant is for: the denoising AE's reconstructions view gets the noisy
 * input and removes noise, the sparse AE's code is sparser than without its
 * penalty, β = 4 leaves fewer latent dimensions active than the plain VAE,
 * and the 2-D VAE's latent map is its latent space.
 *
 * Cost (see learn.test.ts): runs use batch 32 copies of the presets (same
 * architecture, the preset files untouched), seeded by each preset's seed.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { loadDocumentText } from '../../src/graph/load';
import { setupBackend } from '../../src/runtime/backend';
import { klPerDimension } from '../../src/runtime/likelihood';
import { ends, expectVaeLearns, load, mean, planOf, summary, train, variant } from './presetHarness';

beforeAll(async () => {
  await setupBackend('wasm');
});

/** An exercise as the learner opens it, its blanks not filled in (load() gives its solution). */
function asGiven(file: string): GraphDocument {
  const r = loadDocumentText(readFileSync(new URL(`../../presets/${file}`, import.meta.url), 'utf8'), `presets/${file}`);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

/** The first n examples of a run's data, as a model batch. */
const firstExamples = (run: { data: { x: Float32Array } }, n: number) => ({ x: run.data.x.subarray(0, n * 784), size: n });
const meanAbsDiff = (a: Float32Array, b: Float32Array) => mean(a.map((v, i) => Math.abs(v - b[i])));

describe('autoencoders learn (wasm, batch 32 copies)', () => {
  it('DAE: BCE against the clean digit falls by ≥ 40 % in 60 steps; the reconstructions view gets the noisy input, and the output is ≥ 15 % closer to the clean digit than that input is', async () => {
    const run = await train(variant('dae.json', { batch: 32 }), 60);
    const s = summary('DAE', run, 'adam');
    const { first, last } = ends(s, 3);
    expect(last).toBeLessThanOrEqual(0.6 * first);
    expect(run.plan.modes.reconstruct?.seenInput).not.toBeNull();
    const batch = firstExamples(run, 64);
    const { outputs, seen } = run.model.reconstruct(batch);
    expect(seen).not.toBeNull();
    const noisy = meanAbsDiff(seen!, batch.x);
    const denoised = meanAbsDiff(outputs, batch.x);
    console.log(`[learn] DAE: mean |noisy − clean| ${noisy.toFixed(3)}, |output − clean| ${denoised.toFixed(3)}`);
    expect(noisy).toBeGreaterThan(0.15);
    expect(denoised).toBeLessThanOrEqual(0.85 * noisy);
    run.model.dispose();
  });

  it('sparse AE: the objective falls by ≥ 40 % in 60 steps, and after 200 steps the code’s mean |activation| is ≥ 10 % below the same network trained without the L1 term', async () => {
    const withL1 = await train(variant('sparse-ae.json', { batch: 32 }), 200);
    const s = summary('sparse AE', withL1, 'adam');
    const { first, last } = ends(s.slice(0, 60), 3);
    expect(last).toBeLessThanOrEqual(0.6 * first);
    const plain = variant('sparse-ae.json', { batch: 32 });
    plain.nodes.find((n) => n.type === 'l1Activity')!.params.weight = 0;
    const without = await train(plain, 200);
    const code = (run: typeof withL1) => {
      const [values] = run.model.probe(firstExamples(run, 500), [{ node: 'relu', port: 'y' }], 'encode');
      return mean(values.data);
    };
    const [sparse, dense] = [code(withL1), code(without)];
    console.log(`[learn] sparse AE: mean |code| ${sparse.toFixed(3)} with L1, ${dense.toFixed(3)} without`);
    expect(sparse).toBeLessThanOrEqual(0.9 * dense);
    withL1.model.dispose();
    without.model.dispose();
  });

  it('conv AE: BCE falls by ≥ 40 % in 40 steps; the code is 4×4×8', async () => {
    const run = await train(variant('conv-ae.json', { batch: 32 }), 40);
    const s = summary('conv AE', run, 'adam');
    const { first, last } = ends(s, 3);
    expect(last).toBeLessThanOrEqual(0.6 * first);
    expect(run.plan.byId.pool3.outputShapes.y).toEqual([-1, 4, 4, 8]);
    expect(run.plan.byId.logits.outputShapes.y).toEqual([-1, 28, 28, 1]);
    run.model.dispose();
  });
});

describe('VAE variants learn (wasm, batch 32 copies)', () => {
  it('conv VAE: negative ELBO falls by ≥ 40 % in 40 steps, and the latent is used (KL > 1 nat)', async () => {
    const run = await expectVaeLearns('conv-vae.json', 'conv VAE', 40);
    run.model.dispose();
  });

  it('β-VAE: negative ELBO falls by ≥ 40 % in 200 steps, with fewer latent dimensions above 0.1 nats of KL than vae.json at equal steps', async () => {
    const active = async (file: string) => {
      const run = await train(variant(file, { batch: 32 }), 200);
      const perDim = await klPerDimension(run.model, run.data.x.subarray(0, 500 * 784), 500);
      return { run, active: perDim.filter((kl) => kl > 0.1).length };
    };
    const beta = await active('beta-vae.json');
    const plain = await active('vae.json');
    // The objective weighs KL 4×; the ELBO a learner compares is NLL + KL.
    const elbo = beta.run.losses.map((l) => l['Reconstruction (Bernoulli NLL)'] + l['KL to prior']);
    summary('β-VAE', beta.run, 'adam', `; −ELBO first ${elbo[0].toFixed(1)}, last ${elbo.at(-1)!.toFixed(1)}; active dims ${beta.active} (vae.json ${plain.active})`);
    const { first, last } = ends(elbo, 3);
    expect(last).toBeLessThanOrEqual(0.6 * first);
    expect(beta.active).toBeGreaterThan(0);
    expect(beta.active).toBeLessThan(plain.active);
    beta.run.model.dispose();
    plain.run.model.dispose();
  });

  it('reparameterization exercise: its solution is the VAE; negative ELBO falls by ≥ 40 % in 60 steps', async () => {
    const solved = load('exercise-reparameterization.json');
    const strip = (d: typeof solved) => d.nodes.map(({ locked: _locked, ...n }) => n);
    expect(strip(solved)).toEqual(strip(load('vae.json')));
    expect(solved.edges.map((e) => e.id).sort()).toEqual(load('vae.json').edges.map((e) => e.id).sort());
    const run = await train(variant('exercise-reparameterization.json', { batch: 32 }), 60);
    const s = summary('reparameterization exercise', run, 'adam');
    const { first, last } = ends(s, 3);
    expect(last).toBeLessThanOrEqual(0.6 * first);
    run.model.dispose();
  });

  it('ae-not-generative exercise: the learner gets an autoencoder (reconstruct, no generate); its solution is the VAE, which generates; negative ELBO falls by ≥ 40 % in 60 steps', async () => {
    const given = asGiven('exercise-ae-not-generative.json');
    expect(planOf(given).modes.generate).toBeNull();
    expect(planOf(given).modes.reconstruct).not.toBeNull();
    const solved = load('exercise-ae-not-generative.json');
    const plain = (d: typeof solved) => d.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params })).sort((a, b) => a.id.localeCompare(b.id));
    expect(plain(solved)).toEqual(plain(load('vae.json')));
    expect(solved.edges.map((e) => e.id).sort()).toEqual(load('vae.json').edges.map((e) => e.id).sort());
    expect(planOf(solved).modes.generate).toMatchObject({ autoregressive: false, conditional: false });
    const run = await train(variant('exercise-ae-not-generative.json', { batch: 32 }), 60);
    const s = summary('ae-not-generative exercise (solution)', run, 'adam');
    const { first, last } = ends(s, 3);
    expect(last).toBeLessThanOrEqual(0.6 * first);
    run.model.dispose();
  });

  it('quick VAE: negative ELBO falls by ≥ 40 % in 60 steps, through its 8-dimensional latent space', async () => {
    expect(planOf(load('vae-quick.json')).modes).toMatchObject({ encode: { latentSize: 8 }, decode: { latentSize: 8 } });
    const run = await expectVaeLearns('vae-quick.json', 'quick VAE', 60);
    run.model.dispose();
  });

  it('2-D VAE: negative ELBO falls by ≥ 40 % in 60 steps; encode and decode work in the 2-D latent space itself', async () => {
    expect(planOf(load('vae-2d.json')).modes).toMatchObject({ encode: { latentSize: 2 }, decode: { latentSize: 2 } });
    const run = await train(variant('vae-2d.json', { batch: 32 }), 60);
    const s = summary('2-D VAE', run, 'adam');
    const { first, last } = ends(s, 3);
    expect(last).toBeLessThanOrEqual(0.6 * first);
    expect(run.model.encode(firstExamples(run, 8)).length).toBe(8 * 2);
    run.model.dispose();
  });
});
