/**
 * The diffusion presets of issue 13 learn, in a seeded headless run on wasm,
 * judged by the margins stated in each test's name.
 *
 * ddpm-2d trains as shipped for 4,000 rounds (its README row trains 30,000,
 * where the CLI measured issue 13's bar: grid KL 0.0240 against a floor of
 * 0.0146, within 2×; the full run takes over 5 minutes, too long for the
 * suite). Here its samples are held to grid KL within 8× the floor (measured
 * 5.2× at 4,000 rounds) and to issue 13's MMD bar, both measured by
 * sampleQuality (2,000 samples against the 2,000 test points, as `eval` does).
 * For grid KL the fresh draw is sampleQuality's own floor, the training
 * points against the test points. Its MMD² floor is
 * no yardstick here: the unbiased MMD² of two draws of one distribution
 * scatters around 0, and the ring's draws are balanced across its 8 modes,
 * which pushes it below 0 (about −3·10⁻⁴), so twice it bounds nothing. The
 * samples' MMD² is held instead to twice the typical size (root mean square)
 * of the MMD² of five fresh independent draws against the same test points:
 * the estimator's own noise for data that is exactly right.
 *
 * ddpm-mnist trains a batch-8 copy (same U-Net; the file is untouched) for a
 * few rounds: the loss falls by the stated share, and a guided sample of a
 * chosen class comes out as an image.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeMixture2D } from '../../src/data/mixtures';
import { matrix, mmd2 } from '../../src/eval';
import { createRng } from '../../src/graph/random';
import { setupBackend } from '../../src/runtime/backend';
import { loadPlanData } from '../../src/runtime/planData';
import { measureSamples } from '../../src/runtime/sampleQuality';
import { ends, load, summary, train, variant } from './presetHarness';

beforeAll(async () => {
  await setupBackend('wasm');
});

/** Training rounds of ddpm-2d in the suite (its README row: 30,000). */
const STEPS = 4_000;
const N = 2000;

/** Root mean square of MMD²(reference, fresh) over `draws` independent draws of N ring points (random modes, not cycled). */
function freshMmdRms(reference: Float32Array, draws: number): number {
  const pool = makeMixture2D('ring', 40 * N, 7919);
  const rng = createRng(17);
  let sum = 0;
  for (let k = 0; k < draws; k++) {
    const x = new Float32Array(2 * N);
    for (let i = 0; i < N; i++) {
      const j = rng.int(pool.count);
      x[2 * i] = pool.x[2 * j];
      x[2 * i + 1] = pool.x[2 * j + 1];
    }
    sum += mmd2(matrix(N, 2, reference), matrix(N, 2, x)).mmd2 ** 2;
  }
  return Math.sqrt(sum / draws);
}

describe('diffusion presets', () => {
  it(`ddpm-2d.json: in ${STEPS} rounds the ε-MSE falls by ≥ 60 % (first 100 rounds against the last 100; measured 70 %), and 2,000 DDPM samples' grid KL is ≤ 8× the data's floor (measured 5.2×) and their MMD² ≤ 2× a fresh draw's`, async () => {
    const run = await train(load('ddpm-2d.json'), STEPS);
    const test = await loadPlanData(run.plan, 'test');
    const q = await measureSamples({ model: run.model, train: run.data, test, n: N });
    const fresh = freshMmdRms(test.x.subarray(0, 2 * N), 5);
    const s = summary(
      '2-D DDPM',
      run,
      'opt',
      `; grid KL ${q.grid_kl!.toFixed(4)} (floor ${q.grid_kl_floor!.toFixed(4)}), MMD² ${q.mmd!.toExponential(2)} (sampleQuality's floor ${q.mmd_floor!.toExponential(2)}, fresh draws' RMS ${fresh.toExponential(2)})`,
    );
    const { first, last } = ends(s, 100);
    expect(last).toBeLessThanOrEqual(0.4 * first);
    expect(q.n).toBe(N);
    expect(q.grid_kl!).toBeLessThanOrEqual(8 * q.grid_kl_floor!);
    expect(q.mmd!).toBeLessThanOrEqual(2 * fresh);
    run.model.dispose();
  }, 300_000);

  it('ddpm-mnist.json (copy: batch 8): a conditional U-Net of ≤ 1 M weights whose ε-MSE falls by ≥ 50 % in 40 rounds (first 5 against the last 5); guided DDIM samples of a chosen class are images in [0, 1]', async () => {
    const run = await train(variant('ddpm-mnist.json', { batch: 8 }), 40);
    expect(run.plan.paramCount).toBeLessThanOrEqual(1_000_000);
    expect(run.plan.modes.generate).toMatchObject({ diffusion: true, conditional: true });
    expect(run.plan.diffusion!.settings.guidance).toBeGreaterThan(0);
    const s = summary('DDPM MNIST', run, 'opt');
    const { first, last } = ends(s, 5);
    expect(last).toBeLessThanOrEqual(0.5 * first);
    const x = run.model.generate(2, 3, { steps: 5 });
    expect(x.length).toBe(2 * 784);
    expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
    run.model.dispose();
  }, 600_000);
});
