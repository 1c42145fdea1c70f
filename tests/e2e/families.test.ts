/**
 * Seed 002's lesson in the browser: on gan-2d with its data switched to the
 * 5×5 grid, "Train the four families" makes the VAE, flow, diffusion and GAN
 * variants with that data, trains them one after another (rounds shortened
 * here to keep the test quick), measures each, draws their samples side by
 * side with precision and recall, and their four runs open in the compare view.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { launch, openRunPanel, shot, useBuiltApp, watchErrors } from './harness';

const app = useBuiltApp();

/** The fraction of a canvas's pixels that are not white or transparent: something was drawn. */
const inked = (page: Page, index: number) =>
  page.evaluate((i) => {
    const c = document.querySelectorAll<HTMLCanvasElement>('[data-testid=fl-canvas]')[i];
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let p = 0; p < d.length; p += 4) if (d[p + 3] > 0 && (d[p] < 235 || d[p + 1] < 235 || d[p + 2] < 235)) n++;
    return n / (d.length / 4);
  }, index);

describe('families lesson', () => {
  it('trains a VAE, a flow, a diffusion model and a GAN on the graph’s data and shows them side by side with precision and recall', async () => {
    const { context, close } = await launch({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=gan-2d`, 60_000);
      await page.getByTestId('dock-maximize').click();
      await page.getByTestId('pg-source').selectOption('grid');
      await expect.poll(() => page.evaluate(() => window.latentLabRun!.runStore.getState().info?.data.source)).toBe('grid');
      // A few dozen rounds each: the test checks the machinery, the README the figures.
      await page.evaluate(() => window.latentLabLesson!.lessonStore.setState({ scale: 0.001 }));
      await page.getByTestId('fl-start').scrollIntoViewIfNeeded();
      await page.getByTestId('fl-start').click();
      await expect.poll(() => page.getByTestId('fl-panel').count()).toBe(4);
      await page.waitForFunction(() => window.latentLabLesson!.lessonStore.getState().phase !== 'running', null, { timeout: 300_000 });
      const lesson = await page.evaluate(() => {
        const s = window.latentLabLesson!.lessonStore.getState();
        return {
          phase: s.phase,
          problem: s.problem,
          items: s.items.map((it) => ({
            family: it.family.family,
            rounds: it.rounds,
            runId: it.runId,
            precision: it.metrics?.precision,
            recall: it.metrics?.recall,
            floor: it.metrics?.recall_floor,
            fake: it.points?.fake.length,
          })),
        };
      });
      expect(lesson.problem).toBeNull();
      expect(lesson.phase).toBe('done');
      expect(lesson.items.map((it) => it.family)).toEqual(['VAE', 'flow', 'diffusion', 'GAN']);
      expect(lesson.items.map((it) => it.rounds)).toEqual([10, 2, 30, 5]);
      for (const it of lesson.items) {
        expect(it.runId).toBeTruthy();
        expect(it.precision).toBeGreaterThanOrEqual(0);
        expect(it.precision).toBeLessThanOrEqual(1);
        expect(it.recall).toBeGreaterThanOrEqual(0);
        expect(it.floor).toBeGreaterThan(0.5);
        expect(it.fake).toBe(2000);
      }
      for (let i = 0; i < 4; i++) expect(await inked(page, i)).toBeGreaterThan(0.01);
      await expect.poll(() => page.getByTestId('fl-precision').count()).toBe(4);
      expect(await page.getByTestId('fl-time').first().textContent()).toMatch(/^10 rounds · \d+ s training \(\d+ s with views\)$/);
      await page.getByTestId('families-lesson').scrollIntoViewIfNeeded();
      await shot(page, 'families-lesson');

      // Each family is a run of a variant of this graph, trained on the grid for its rounds.
      const runs = await page.evaluate(() =>
        window.latentLabHistory!.historyStore.getState().runs.map((r) => ({
          id: r.id,
          step: r.step,
          title: r.doc.meta.title,
          source: r.doc.nodes.find((n) => n.type === 'dataset')?.params.source,
          measured: r.measurements.length,
        })),
      );
      const byId = new Map(runs.map((r) => [r.id, r]));
      for (const it of lesson.items) {
        const r = byId.get(it.runId!)!;
        expect(r).toMatchObject({ step: it.rounds, source: 'grid', measured: 1, title: `${it.family} on grid (families lesson)` });
      }

      await page.getByTestId('fl-compare').click();
      await expect.poll(() => page.evaluate(() => window.latentLabHistory!.historyStore.getState().selected.length)).toBe(4);
      const table = page.getByTestId('compare-table');
      await expect.poll(() => table.locator('th').allTextContents()).toEqual(expect.arrayContaining(['precision (↑)', 'recall (↑)']));
      await shot(page, 'families-compare');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 420_000);
});
