/**
 * The OOD view end to end: the built app trains the VAE preset a few rounds,
 * a stroke drawn on the pad with the mouse is scored by the worker, and the
 * view shows its log-likelihood, its percentile among test digits and a verdict.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launch, openRunPanel, SCREENSHOTS, useBuiltApp, waitForStep, watchErrors } from './harness';

const app = useBuiltApp();

describe('OOD view', () => {
  it('VAE: scores a digit drawn with the mouse and places it among the test set', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=vae`, 60_000);
      await page.getByTestId('run-play').click();
      await waitForStep(page, 30);
      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);

      await page.getByTestId('dock-maximize').click();
      const view = page.getByTestId('ood-view');
      await view.scrollIntoViewIfNeeded();
      // A "1": one vertical stroke down the middle of the pad.
      const box = (await page.getByTestId('ood-pad').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
      await page.mouse.down();
      for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (0.5 - 0.01 * i), box.y + box.height * (0.2 + 0.06 * i));
      await page.mouse.up();
      const ink = await page.evaluate(() => {
        const c = document.querySelector<HTMLCanvasElement>('[data-testid=ood-pad]')!;
        const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
        let sum = 0;
        for (let i = 0; i < d.length; i += 4) sum += d[i] / 255;
        return sum;
      });
      expect(ink).toBeGreaterThan(10);

      await page.getByTestId('ood-score').click();
      await page.getByTestId('ood-verdict').waitFor({ timeout: 60_000 });
      const ll = Number(await page.getByTestId('ood-ll').textContent());
      const percentile = Number(await page.getByTestId('ood-percentile').textContent());
      expect(Number.isFinite(ll)).toBe(true);
      expect(ll).toBeLessThan(0);
      expect(percentile).toBeGreaterThanOrEqual(0);
      expect(percentile).toBeLessThanOrEqual(100);
      expect(await page.getByTestId('ood-verdict').textContent()).toMatch(/typical|unlikely|unusually likely/);
      expect(await page.locator('[data-testid=ood-histogram] canvas').count()).toBe(1);
      await view.screenshot({ path: join(SCREENSHOTS, 'ood-vae-drawn.png') });

      // The built-in strange inputs: one tile each, and a click scores it.
      await page.getByTestId('ood-strange-load').click();
      await page.getByTestId('ood-strange-blank').waitFor({ timeout: 60_000 });
      expect(await page.locator('.ood-tile').count()).toBe(6);
      await expect.poll(() => page.getByTestId('ood-score').isEnabled()).toBe(true);
      // Scored alone either way, a strange image gets the same number from its tile and from the pad.
      const tile = (await page.getByTestId('ood-strange-noise').textContent())!.match(/(-?\d+) nats/)![1];
      await page.getByTestId('ood-strange-noise').click();
      await expect.poll(() => page.getByTestId('ood-ll').textContent()).not.toBe(ll.toFixed(2));
      expect(Math.round(Number(await page.getByTestId('ood-ll').textContent()))).toBe(Number(tile));
      await expect.poll(() => page.getByTestId('ood-score').isEnabled()).toBe(true);
      await view.scrollIntoViewIfNeeded();
      await view.screenshot({ path: join(SCREENSHOTS, 'ood-vae-view.png') });
      expect(await page.evaluate(() => window.latentLabRun!.runStore.getState().notices.filter((n) => n.kind === 'error'))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('GAN: the view stays, and says why a GAN has no likelihood to score with', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=gan`, 60_000);
      await page.getByTestId('dock-maximize').click();
      const why = page.getByTestId('ood-unavailable');
      await why.waitFor({ timeout: 60_000 });
      expect(await why.textContent()).toMatch(/implicit model, such as a GAN/);
      expect(await page.getByTestId('ood-pad').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});
