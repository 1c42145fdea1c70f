/**
 * The PixelCNN variants of issues 12 and 17 learn in a short headless run (wasm), on copies with batch 8 (as
 * learn.test.ts does for 'pixelcnn.json'); the 256-way copy also has 32 masked filters instead of 64.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/runtime/backend';
import { ends, summary, train, variant } from './presetHarness';

beforeAll(async () => {
  await setupBackend('wasm');
});

describe('PixelCNN variants learn', () => {
  it('256 grey levels (copy: batch 8, 32 filters): NLL falls by ≥ 50% in 30 steps (from 784·ln 256 ≈ 4,350 nats; beating independent pixels takes longer)', async () => {
    const run = await train(variant('pixelcnn-256.json', { batch: 8, maskedFilters: 32 }), 30);
    // The best context-free model: each pixel's own histogram of the 256 levels in the training data.
    const d = run.data;
    let independent = 0;
    for (let j = 0; j < 784; j++) {
      const counts = new Float64Array(256);
      for (let i = 0; i < d.count; i++) counts[Math.min(255, Math.round(d.x[i * 784 + j] * 255))]++;
      for (const c of counts) if (c > 0) independent -= (c / d.count) * Math.log(c / d.count);
    }
    const s = summary('PixelCNN-256', run, 'adam', `; independent 256-way pixels ${independent.toFixed(1)} nats`);
    const { first, last } = ends(s, 3);
    expect(last).toBeLessThanOrEqual(0.5 * first);
    run.model.dispose();
  }, 240_000);

  it.each([
    { name: 'class-conditional', file: 'pixelcnn-cond.json' },
    { name: 'class-conditional, quick (32 channels)', file: 'pixelcnn-cond-quick.json' },
  ])('$name (copy: batch 8): NLL falls to half or less in 30 steps; the true label scores better than a wrong one', async ({ name, file }) => {
    const run = await train(variant(file, { batch: 8 }), 30);
    const s = summary(`PixelCNN ${name}`, run, 'adam');
    const { first, last } = ends(s, 3);
    expect(last).toBeLessThanOrEqual(0.5 * first);
    // The class bias is used: 64 digits' NLL with their own labels against the same digits labelled (c + 5) mod 10.
    const n = 64;
    const x = run.data.x.subarray(0, n * 784);
    const labelled = (shift: number) => {
      const oneHot = new Float32Array(n * 10);
      for (let i = 0; i < n; i++) oneHot[i * 10 + ((run.data.labels![i] + shift) % 10)] = 1;
      return run.model.evaluateLosses({ x, oneHot, size: n }).adam;
    };
    const [right, wrong] = [labelled(0), labelled(5)];
    console.log(`[learn] PixelCNN ${name}: NLL with the true labels ${right.toFixed(2)}, with wrong ones ${wrong.toFixed(2)}`);
    expect(right).toBeLessThan(wrong);
    run.model.dispose();
  }, 240_000);
});
