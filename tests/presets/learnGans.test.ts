/**
 * Learning tests for the GAN variants and the 2-D presets, in the style of
 * learn.test.ts: a short seeded headless run on wasm per preset, judged by a
 * margin stated in each test's name. The image GANs with 5 critic steps or
 * convolutions train a batch-8 COPY (same architecture; the files are
 * untouched), as learn.test.ts does for the DCGAN; gan-minimax (MLPs, one D
 * step) and the 2-D presets train as shipped.
 *
 * A GAN's losses do not fall monotonically, so image GANs are judged as in
 * learn.test.ts: the discriminator (critic) learns to tell real from fake,
 * and the generator moves its samples toward the data — the gap between the
 * mean pixel intensity of 64 samples and the data's (≈ 0.13 for MNIST; an
 * untrained sigmoid generator starts near 0.5) closes by a stated share.
 * 2-D presets are judged by grid KL against the real points (src/eval).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridDivergence, matrix } from '../../src/eval';
import type { GraphDocument } from '../../src/graph/document';
import { loadDocumentText } from '../../src/graph/load';
import { setupBackend } from '../../src/runtime/backend';
import { CompiledModel } from '../../src/runtime/model';
import { ends, load, mean, planOf, summary, train, variant, type Run } from './presetHarness';

beforeAll(async () => {
  await setupBackend('wasm');
});

/** |mean intensity of 64 samples − the data's|, before training (a fresh model, same seed) and after. */
function sampleMeanGap(run: Run) {
  const dataMean = mean(run.data.x);
  const fresh = new CompiledModel(run.plan);
  const before = Math.abs(mean(fresh.generate(64)) - dataMean);
  fresh.dispose();
  return { before, after: Math.abs(mean(run.model.generate(64)) - dataMean) };
}

const series = (run: Run, key: string) => run.losses.map((l) => l[key]);

/** Grid KL(real ‖ generated) on a 20×20 grid, nats: 1,000 generated points against the first 1,000 real ones. */
function gridKl(model: CompiledModel, run: Run): number {
  const n = 1000;
  const real = matrix(n, 2, run.data.x.slice(0, 2 * n));
  return gridDivergence(real, matrix(n, 2, model.generate(n))).kl;
}

/** An exercise as the learner opens it, its blanks not filled in (load() gives its solution). */
function asGiven(file: string): GraphDocument {
  const r = loadDocumentText(readFileSync(new URL(`../../presets/${file}`, import.meta.url), 'utf8'), `presets/${file}`);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

function withGeneratorLoss(doc: GraphDocument, kind: string): GraphDocument {
  const copy = structuredClone(doc);
  copy.nodes.find((n) => n.id === 'gLoss')!.params.kind = kind;
  return copy;
}

describe('GAN presets', () => {
  it("gan-minimax.json: the generator stalls — within 60 rounds D's loss is below 0.2 while G's saturating loss stays within 0.05 of 0", async () => {
    const run = await train(load('gan-minimax.json'), 60);
    const d = series(run, 'optD');
    const g = series(run, 'optG');
    summary('GAN minimax', run, 'optD', `; G mean of rounds 41–60 ${mean(g.slice(40)).toFixed(4)}`);
    expect(d[0]).toBeGreaterThan(1.2); // ≈ ln 4: D cannot tell yet
    expect(mean(d.slice(40))).toBeLessThan(0.2);
    expect(Math.abs(mean(g.slice(40)))).toBeLessThan(0.05);
    run.model.dispose();
  });

  it('gan-minimax control: the same networks with the non-saturating generator loss are not stalled (G loss above 1 over rounds 41–60)', async () => {
    const run = await train(withGeneratorLoss(load('gan-minimax.json'), 'nonSaturating'), 60);
    const g = series(run, 'optG');
    summary('GAN minimax control (non-saturating)', run, 'optG');
    expect(mean(g.slice(40))).toBeGreaterThan(1);
    run.model.dispose();
  });

  it("gan-loss exercise: the learner gets gan-minimax's saturating game; its solution, the non-saturating loss, is not stalled (G loss above 1 over rounds 41–60)", async () => {
    const given = asGiven('exercise-gan-loss.json');
    const plain = (d: GraphDocument) => d.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params }));
    expect(plain(given)).toEqual(plain(load('gan-minimax.json')));
    const solved = load('exercise-gan-loss.json');
    expect(solved.nodes.find((n) => n.id === 'gLoss')?.params).toEqual({ player: 'generator', kind: 'nonSaturating' });
    expect(plain(solved)).toEqual(plain(withGeneratorLoss(load('gan-minimax.json'), 'nonSaturating')));
    const run = await train(solved, 60);
    const g = series(run, 'optG');
    summary('gan-loss exercise (solution)', run, 'optG');
    expect(mean(g.slice(40))).toBeGreaterThan(1);
    run.model.dispose();
  });

  it('wgan.json: the critic separates (critic loss below −0.001 over the last 20 rounds) and samples close ≥ 30% of the gap to the data mean intensity in 100 rounds (copy: batch 8)', async () => {
    const run = await train(variant('wgan.json', { batch: 8 }), 100);
    const { before, after } = sampleMeanGap(run);
    const d = series(run, 'optD');
    summary('WGAN', run, 'optD', `; sample-mean gap ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect(d.every(Number.isFinite)).toBe(true);
    expect(mean(d.slice(-20))).toBeLessThan(-0.001);
    expect(before).toBeGreaterThan(0.2);
    expect(after).toBeLessThanOrEqual(0.7 * before);
    run.model.dispose();
  }, 120_000);

  it('wgan-gp.json: the critic separates (Wasserstein term below −1 over the last 20 rounds) and samples close ≥ 50% of the gap to the data mean intensity in 100 rounds (copy: batch 8)', async () => {
    const run = await train(variant('wgan-gp.json', { batch: 8 }), 100);
    const { before, after } = sampleMeanGap(run);
    const w = series(run, 'Critic loss (Wasserstein)');
    const gp = series(run, 'Gradient penalty (λ = 10)');
    summary('WGAN-GP', run, 'optD', `; penalty first ${gp[0].toFixed(2)}, last ${gp.at(-1)!.toFixed(2)}; sample-mean gap ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect(mean(w.slice(-20))).toBeLessThan(-1);
    expect(before).toBeGreaterThan(0.2);
    expect(after).toBeLessThanOrEqual(0.5 * before);
    run.model.dispose();
  }, 120_000);

  // LSGAN's discriminator learns at a quarter of the generator's rate (at equal rates it wins and G collapses),
  // so in 100 rounds its generator hears less: it must close 30 % of the gap, hinge 50 %.
  it.each([
    ['lsgan.json', 0.5, 0.3],
    ['hinge-gan.json', 2, 0.5],
  ])('%s: D loss (untrained: %s) falls by ≥ 30% over the last 20 of 100 rounds, and samples close ≥ %s of the gap to the data mean intensity (copy: batch 8)', async (file, untrained, closes) => {
    const run = await train(variant(file, { batch: 8 }), 100);
    const { before, after } = sampleMeanGap(run);
    const d = series(run, 'optD');
    summary(file, run, 'optD', `; sample-mean gap ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect(d[0]).toBeCloseTo(untrained, 0);
    expect(mean(d.slice(-20))).toBeLessThanOrEqual(0.7 * d[0]);
    expect(before).toBeGreaterThan(0.2);
    expect(after).toBeLessThanOrEqual((1 - closes) * before);
    run.model.dispose();
  }, 120_000);

  it('cgan.json: conditional generation; D loss falls below its initial value and samples close ≥ 50% of the gap to the data mean intensity in 100 rounds (copy: batch 8)', async () => {
    const plan = planOf(load('cgan.json'));
    expect(plan.modes.generate).toMatchObject({ conditional: true, autoregressive: false });
    const run = await train(variant('cgan.json', { batch: 8 }), 100);
    const { before, after } = sampleMeanGap(run);
    const d = series(run, 'optD');
    summary('cGAN', run, 'optD', `; sample-mean gap ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect(d[0]).toBeGreaterThan(1.2);
    expect(mean(d.slice(-20))).toBeLessThan(d[0]);
    expect(after).toBeLessThanOrEqual(0.5 * before);
    // A chosen class can be drawn.
    expect(run.model.generate(4, 7).length).toBe(4 * 784);
    run.model.dispose();
  }, 120_000);
});

describe('2-D presets', () => {
  it('gan-2d.json: grid KL to the ring falls from above 3 nats untrained to below 1.5 nats in 2,500 rounds', async () => {
    const run = await train(load('gan-2d.json'), 2500);
    const fresh = new CompiledModel(run.plan);
    const before = gridKl(fresh, run);
    fresh.dispose();
    const after = gridKl(run.model, run);
    summary('2-D GAN', run, 'optD', `; grid KL ${before.toFixed(3)} → ${after.toFixed(3)} nats`);
    expect(before).toBeGreaterThan(3);
    expect(after).toBeLessThan(1.5);
    run.model.dispose();
  }, 120_000);

  it('vae-2d-moons.json: the objective falls by ≥ 60% in 1,000 steps, the 2-D latent is used (KL > 1 nat), and decoded prior samples reach grid KL < 1.5 nats', async () => {
    const run = await train(load('vae-2d-moons.json'), 1000);
    const s = summary('2-D VAE', run, 'adam');
    const { first, last } = ends(s, 20);
    const kl = mean(run.losses.slice(-20).map((l) => l['KL to prior']));
    const grid = gridKl(run.model, run);
    console.log(`[learn] 2-D VAE: KL ${kl.toFixed(2)} nats, grid KL ${grid.toFixed(3)} nats`);
    expect(last).toBeLessThanOrEqual(0.4 * first);
    expect(kl).toBeGreaterThan(1);
    expect(grid).toBeLessThan(1.5);
    run.model.dispose();
  }, 60_000);
});
