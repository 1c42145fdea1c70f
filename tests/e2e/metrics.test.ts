/**
 * The Metrics view end to end: the built app trains the GAN preset a few rounds
 * in the worker, then measures its samples with the embedded classifier (its
 * weights fetched by the worker from the built assets) and shows FLD beside its
 * floor, the class histogram and the history chart.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { launch, openRunPanel, SCREENSHOTS, shot, useBuiltApp, waitForStep, watchErrors } from './harness';

const app = useBuiltApp();

async function trainTo(page: Page, step: number) {
  await page.getByTestId('run-play').click();
  await waitForStep(page, step);
  await page.getByTestId('run-pause').click();
  await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
}

/** Measures with the view's controls and waits for the answer; returns how many results the history holds. */
async function measure(page: Page) {
  const before = await page.evaluate(() => window.latentLabRun!.runStore.getState().measure.latest?.id ?? 0);
  await page.getByTestId('metrics-measure').click();
  await page.waitForFunction((id) => (window.latentLabRun!.runStore.getState().measure.latest?.id ?? 0) > id, before, { timeout: 60_000 });
  return page.evaluate(() => window.latentLabRun!.runStore.getState().measure.history.length);
}

describe('Metrics view', () => {
  it('GAN: measures samples with n = 200 and shows FLD beside its floor, the class histogram and FLD over steps', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=gan`, 60_000);
      await trainTo(page, 5);
      const view = page.getByTestId('metrics-view');
      await view.scrollIntoViewIfNeeded();
      await page.getByTestId('metrics-n').fill('200');
      expect(await measure(page)).toBe(1);

      const fld = Number(await page.getByTestId('metric-fld').textContent());
      const floor = Number(await page.getByTestId('metric-fld-floor').textContent());
      expect(Number.isFinite(fld) && Number.isFinite(floor)).toBe(true);
      // A GAN after a few rounds is far from real digits; real against real is close.
      expect(fld).toBeGreaterThan(floor);
      expect(floor).toBeGreaterThanOrEqual(0);
      expect(await page.getByTestId('metrics-when').textContent()).toMatch(/200 samples/);
      expect(await page.locator('[data-testid=class-bars] > div').count()).toBe(10);
      await expect.poll(() => page.getByTestId('mode-collapse').textContent()).toMatch(/class/i);

      // A second measurement later in training adds a point to the history.
      await trainTo(page, 10);
      expect(await measure(page)).toBe(2);
      expect(await page.locator('[data-testid=metrics-chart] canvas').count()).toBe(1);
      await view.scrollIntoViewIfNeeded();
      await shot(page, 'metrics-gan');
      // The whole view, with the dock taking the window.
      await page.getByTestId('dock-maximize').click();
      await view.scrollIntoViewIfNeeded();
      await view.screenshot({ path: join(SCREENSHOTS, 'metrics-gan-view.png') });
      expect(await page.evaluate(() => window.latentLabRun!.runStore.getState().notices.filter((n) => n.kind === 'error'))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('VAE: the likelihood table names the −ELBO and the K-sample NLL beside the independent-pixel reference; a reload keeps the history', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=vae`, 60_000);
      await trainTo(page, 60);
      await page.getByTestId('dock-maximize').click();
      await page.getByTestId('metrics-n').fill('200');
      await page.getByTestId('metrics-k').fill('20');
      expect(await measure(page)).toBe(1);
      const value = async (id: string) => Number(await page.getByTestId(`likelihood-${id}`).textContent());
      const [elbo, isNll, independent] = [await value('neg_elbo'), await value('is_nll'), await value('independent')];
      // The K-sample bound is tighter than the ELBO, and a trained VAE beats pixels that ignore each other.
      expect(isNll).toBeLessThanOrEqual(elbo);
      expect(elbo).toBeLessThan(independent);
      expect(await page.getByTestId('likelihood-table').textContent()).toMatch(/K = 20/);
      await page.getByTestId('likelihood').scrollIntoViewIfNeeded();
      await page.getByTestId('metrics-view').screenshot({ path: join(SCREENSHOTS, 'metrics-vae-view.png') });

      // The measurement is stored with the checkpoint: after a reload, resuming brings the history back.
      await page.reload();
      await page.getByTestId('tab-run').click();
      await page.getByTestId('resume-checkpoint').click({ timeout: 60_000 });
      await page.waitForFunction(() => (window.latentLabRun?.runStore.getState().measure.history.length ?? 0) > 0, null, {
        timeout: 60_000,
      });
      expect(await page.evaluate(() => window.latentLabRun!.runStore.getState().measure.history[0].metrics.likelihood?.nats)).toBeCloseTo(
        elbo,
        1,
      );
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);
});
