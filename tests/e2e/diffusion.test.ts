/**
 * The diffusion view end to end on the built app: ddpm-2d trains in the
 * browser, its denoising trajectory plays frame by frame from pure noise to
 * the samples (and again on Replay), and the DDIM steps slider redraws the
 * samples with fewer steps, faster and along other paths. A small image
 * diffusion model shows the same chain as a strip of frames, a row per sample.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodeShareHash } from '../../src/store/share';
import { tinyImageDiffusion } from '../nodes/harness';
import { launch, openRunPanel, SCREENSHOTS, useBuiltApp, waitForStep, watchErrors } from './harness';

const app = useBuiltApp();

/** The latest trajectory reply, as plain numbers. */
const trajectory = (page: Page) =>
  page.evaluate(() => {
    const r = window.latentLabRun!.runStore.getState().trajectory;
    return r ? { steps: r.steps, step: r.step, t: r.t, ms: r.ms, n: r.n, frames: r.frames.map((f) => Array.from(f)) } : null;
  });

/** Waits for a reply drawn with `steps` DDIM steps from the model at `step`. */
async function trajectoryOf(page: Page, steps: number, step: number) {
  await page.waitForFunction(
    ([k, s]) => {
      const r = window.latentLabRun!.runStore.getState().trajectory;
      return r?.steps === k && r.step === s;
    },
    [steps, step],
    { timeout: 60_000 },
  );
  return (await trajectory(page))!;
}

/** The frame the paths are drawn up to, sampled every 150 ms for `ms`. */
async function framesShown(page: Page, ms: number): Promise<number[]> {
  const seen: number[] = [];
  for (let t = 0; t < ms; t += 150) {
    seen.push(Number(await page.getByTestId('diff-paths').getAttribute('data-frame')));
    await page.waitForTimeout(150);
  }
  return seen;
}

const nondecreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]);

describe('diffusion view', () => {
  it('ddpm-2d: trains, the particle paths play from x_T to x_0 and replay, and the DDIM slider redraws with fewer steps', async () => {
    const { context, close } = await launch({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=ddpm-2d`, 60_000);
      await page.getByTestId('dock-maximize').click();
      const view = page.getByTestId('diffusion-view');
      await view.scrollIntoViewIfNeeded();
      await page.getByTestId('run-play').click();
      await waitForStep(page, 300, 180_000);
      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
      const step = await page.evaluate(() => window.latentLabRun!.runStore.getState().step);

      // Paused: one draw at the model's step, with every one of T = 1000 steps; 40 frames of 300 particles.
      const full = await trajectoryOf(page, 1000, step);
      expect(full.n).toBe(300);
      expect(full.frames.length).toBe(40);
      expect(full.t[0]).toBe(1000);
      expect(full.t.at(-1)).toBe(0);
      expect(full.frames.every((f) => f.length === 600 && f.every(Number.isFinite))).toBe(true);
      await view.scrollIntoViewIfNeeded();
      await page.getByTestId('diff-replay').click();
      await page.waitForTimeout(900);
      await view.screenshot({ path: join(SCREENSHOTS, 'diffusion-2d-playing.png') });
      const played = await framesShown(page, 3000);
      expect(nondecreasing(played)).toBe(true);
      expect(new Set(played).size).toBeGreaterThanOrEqual(3);
      expect(played.at(-1)).toBe(39);
      expect(await page.getByTestId('diff-frame').textContent()).toBe('frame 40/40, t = 0');
      expect(await page.getByTestId('diff-cost').textContent()).toMatch(/^1000 network calls per sample: 300 samples took [\d.]+ m?s/);
      await view.screenshot({ path: join(SCREENSHOTS, 'diffusion-2d-done.png') });

      // Replay starts from the noise again.
      await page.getByTestId('diff-replay').click();
      await expect.poll(async () => Number(await page.getByTestId('diff-paths').getAttribute('data-frame'))).toBeLessThan(10);
      const again = await framesShown(page, 3000);
      expect(nondecreasing(again)).toBe(true);
      expect(again.at(-1)).toBe(39);

      // 10 DDIM steps: a chain of 11 positions, the same x_T, other samples, in far less time.
      await page.getByTestId('diff-steps').fill('0');
      const ten = await trajectoryOf(page, 10, step);
      expect(ten.frames.length).toBe(11);
      expect(ten.t).toEqual([1000, 889, 778, 667, 556, 445, 334, 223, 112, 1, 0]);
      expect(ten.frames[0]).toEqual(full.frames[0]);
      expect(ten.frames[10]).not.toEqual(full.frames[39]);
      expect(ten.ms).toBeLessThan(full.ms);
      expect(await page.getByTestId('diff-k').textContent()).toBe('10');
      await expect.poll(() => page.getByTestId('diff-cost').textContent()).toMatch(/^10 network calls per sample/);
      await expect.poll(() => page.getByTestId('diff-paths').getAttribute('data-frame'), { timeout: 10_000 }).toBe('10');
      await view.screenshot({ path: join(SCREENSHOTS, 'diffusion-2d-ddim10.png') });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 400_000);

  it('an image diffusion model: a strip of 10 frames per sample, filled in column by column, t labelled under each', async () => {
    const doc = tinyImageDiffusion({ batchSize: 16, T: 200, samplerSteps: 20 });
    const share = encodeShareHash(doc);
    if (!share.ok) throw new Error(share.message);
    const { context, close } = await launch({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}${share.hash}`, 60_000);
      await page.getByTestId('dock-maximize').click();
      const view = page.getByTestId('diffusion-view');
      await view.scrollIntoViewIfNeeded();
      await page.getByTestId('run-step').click();
      await waitForStep(page, 1);
      // Images start at 50 DDIM steps: a U-Net call per step is costly.
      const r = await trajectoryOf(page, 50, 1);
      expect(r.n).toBe(6);
      expect(r.frames.length).toBe(10);
      expect(r.t[0]).toBe(200);
      expect(r.t.at(-1)).toBe(0);
      expect(r.frames.every((f) => f.length === 6 * 784 && f.every(Number.isFinite))).toBe(true);
      await page.getByTestId('diff-replay').click();
      const strip = page.getByTestId('diff-strip');
      const sums: string[] = [];
      for (let i = 0; i < 12; i++) {
        sums.push((await strip.getAttribute('data-checksum'))!);
        await page.waitForTimeout(250);
      }
      // Each newly shown column changes the pixels.
      expect(new Set(sums).size).toBeGreaterThanOrEqual(4);
      await expect.poll(() => page.getByTestId('diff-frame').textContent()).toBe('frame 10/10, t = 0');
      expect(await view.locator('.diff-t span').allTextContents()).toEqual(r.t.map((t) => `t=${t}`));
      await view.screenshot({ path: join(SCREENSHOTS, 'diffusion-image-strip.png') });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);
});
