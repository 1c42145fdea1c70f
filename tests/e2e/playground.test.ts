/**
 * The 2-D playground end to end on the built app: the gan-2d preset trains
 * and shows its layers with the generator's gradient arrows; a D-only step
 * changes the arrows and leaves the generated points, a G-only step moves the
 * points; points drawn with the mouse become the training data (the worker's
 * real layer is exactly them), survive a reload, and train.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { launch, openRunPanel, SCREENSHOTS, useBuiltApp, waitForStep, watchErrors } from './harness';

const app = useBuiltApp();

/** What the page holds of the latest playground reply, as plain numbers. */
function layers(page: Page) {
  return page.evaluate(() => {
    const p = window.latentLabRun!.runStore.getState().points2d;
    return p
      ? {
          step: p.step,
          real: Array.from(p.real),
          fake: Array.from(p.fake),
          arrows: p.arrows ? Array.from(p.arrows.vectors) : null,
          heatmap: p.heatmap?.meaning ?? null,
          manifold: p.manifold ? { latentSize: p.manifold.latentSize, points: p.manifold.points.length } : null,
          divergence: p.divergence,
        }
      : null;
  });
}

/** Waits for a playground reply computed at step ≥ `step`. */
async function layersAt(page: Page, step: number) {
  await page.waitForFunction((s) => (window.latentLabRun!.runStore.getState().points2d?.step ?? -1) >= s, step, { timeout: 60_000 });
  return (await layers(page))!;
}

const currentStep = (page: Page) => page.evaluate(() => window.latentLabRun!.runStore.getState().step);

/** The fraction of the canvas's pixels that are not white: something was drawn. */
const inked = (page: Page) =>
  page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid=pg-canvas]')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) n++;
    return n / (d.length / 4);
  });

describe('2-D playground', () => {
  it('gan-2d: trains with every layer drawn, then a D step changes only the arrows and a G step moves the points', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1400, height: 1000 });
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=gan-2d`, 60_000);
      await page.getByTestId('dock-maximize').click();
      const view = page.getByTestId('playground');
      await view.scrollIntoViewIfNeeded();
      await page.getByTestId('pg-layer-manifold').check();
      await page.getByTestId('run-play').click();
      await page.waitForTimeout(10_000);
      const trained = await layersAt(page, 1);
      expect(trained.heatmap).toBe('probability');
      expect(trained.fake.length).toBe(1000);
      expect(trained.arrows?.length).toBe(1000);
      expect(trained.arrows!.every(Number.isFinite)).toBe(true);
      expect(trained.manifold).toEqual({ latentSize: 16, points: 2 * 11 * 41 * 2 });
      expect(trained.divergence!.kl).toBeGreaterThan(trained.divergence!.klFloor);
      expect(await page.evaluate(() => window.latentLabRun!.runStore.getState().playgroundCurve.length)).toBeGreaterThanOrEqual(2);
      expect(await inked(page)).toBeGreaterThan(0.2);
      expect(await page.getByTestId('pg-legend').textContent()).toMatch(/2-D slice through dims 1 and 2.*drawn ×/s);
      await view.screenshot({ path: join(SCREENSHOTS, 'playground-gan-2d.png') });

      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
      let step = await currentStep(page);
      const before = await layersAt(page, step);

      await page.getByTestId('pg-step-optD').click();
      const afterD = await layersAt(page, ++step);
      expect(afterD.fake).toEqual(before.fake);
      expect(afterD.arrows).not.toEqual(before.arrows);

      await page.getByTestId('pg-step-optG').click();
      const afterG = await layersAt(page, ++step);
      expect(afterG.fake).not.toEqual(afterD.fake);
      expect(Number(await page.getByTestId('pg-round').textContent())).toBe(step);
      await view.screenshot({ path: join(SCREENSHOTS, 'playground-gan-2d-stepped.png') });
      expect(await page.evaluate(() => window.latentLabRun!.runStore.getState().notices.filter((n) => n.kind === 'error'))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);

  it('points drawn with the mouse become the data the model trains on, and a reload keeps them', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1400, height: 1000 });
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=gan-2d`, 60_000);
      await page.getByTestId('dock-maximize').click();
      const view = page.getByTestId('playground');
      await view.scrollIntoViewIfNeeded();
      await layersAt(page, 0);

      await page.getByTestId('pg-draw').click();
      const box = (await page.getByTestId('pg-canvas').boundingBox())!;
      // Two strokes: an arc at the upper right and a bar at the lower left.
      const strokes = [
        Array.from({ length: 16 }, (_, i) => [0.65 + 0.15 * Math.cos(i / 5), 0.3 + 0.15 * Math.sin(i / 5)]),
        Array.from({ length: 16 }, (_, i) => [0.2 + i * 0.02, 0.75]),
      ];
      for (const stroke of strokes) {
        await page.mouse.move(box.x + box.width * stroke[0][0], box.y + box.height * stroke[0][1]);
        await page.mouse.down();
        for (const [x, y] of stroke) await page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 2 });
        await page.mouse.up();
      }
      const count = Number((await page.getByTestId('pg-drawn-count').textContent())!.split('/')[0]);
      expect(count).toBeGreaterThan(10);
      await view.screenshot({ path: join(SCREENSHOTS, 'playground-drawing.png') });
      await page.getByTestId('pg-draw').click();

      const doc = await page.evaluate(() => window.latentLab!.getDocument() as GraphDocument);
      const data = doc.nodes.find((n) => n.type === 'dataset')!;
      expect(data.params.source).toBe('drawn');
      const drawn = String(data.params.drawnPoints).split(' ');
      expect(drawn.length).toBe(count);

      // The worker loads the drawing (the same model, new data) and its real layer is exactly the drawn points.
      await page.waitForFunction(() => window.latentLabRun!.runStore.getState().info?.data.source === 'drawn', null, { timeout: 30_000 });
      await page.getByTestId('run-play').click();
      await waitForStep(page, 200, 90_000);
      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
      const trained = await layersAt(page, await currentStep(page));
      const pairs = (xy: number[]) =>
        Array.from({ length: xy.length / 2 }, (_, i) => `${+xy[2 * i].toFixed(2)},${+xy[2 * i + 1].toFixed(2)}`).sort();
      expect(pairs(trained.real)).toEqual([...drawn].sort());
      const curve = await page.evaluate(() => window.latentLabRun!.runStore.getState().playgroundCurve);
      expect(curve.length).toBeGreaterThanOrEqual(2);
      await view.screenshot({ path: join(SCREENSHOTS, 'playground-drawn-trained.png') });

      // Autosave keeps the drawing: a reload trains on the same points.
      await page.evaluate(() => window.latentLab!.flush());
      await page.reload();
      await page.getByTestId('tab-run').click();
      await page.waitForFunction(() => window.latentLabRun?.runStore.getState().info?.data.source === 'drawn', null, { timeout: 60_000 });
      const reloaded = await page.evaluate(() => window.latentLab!.getDocument() as GraphDocument);
      expect(reloaded.nodes.find((n) => n.type === 'dataset')!.params.drawnPoints).toBe(data.params.drawnPoints);

      // Clear empties the drawing; the graph then says there is nothing to train on.
      await page.getByTestId('dock-maximize').click();
      await page.getByTestId('pg-clear').click();
      await expect.poll(() => page.getByTestId('pg-drawn-count').textContent()).toMatch(/^0\//);
      await page.waitForFunction(() => window.latentLabRun!.runStore.getState().compileErrors > 0, null, { timeout: 30_000 });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);

  it('flow-2d: the density heatmap over the moons, and the grid undone layer by layer with the slider', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1400, height: 1100 });
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=flow-2d`, 60_000);
      await page.getByTestId('dock-maximize').click();
      await page.getByTestId('run-play').click();
      await waitForStep(page, 150, 120_000);
      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
      await layersAt(page, await currentStep(page));
      const got = await page.evaluate(() => {
        const p = window.latentLabRun!.runStore.getState().points2d!;
        return {
          heatmap: p.heatmap?.meaning,
          peak: Math.max(...(p.heatmap?.values ?? [])),
          arrows: p.arrows,
          fake: p.fake.length,
          stages: p.manifold?.stages?.points.length,
        };
      });
      expect(got).toMatchObject({ heatmap: 'density', arrows: null, fake: 1000, stages: 8 });
      expect(got.peak).toBeGreaterThan(0);
      expect(await page.getByTestId('pg-legend').textContent()).toMatch(/flow's density p\(x\), exact/);
      await page.getByTestId('pg-layer-manifold').check();
      const view = page.getByTestId('playground');
      await view.scrollIntoViewIfNeeded();
      await view.screenshot({ path: join(SCREENSHOTS, 'playground-flow-2d.png') });
      const slider = page.getByTestId('pg-stage').locator('input');
      await slider.fill('0');
      expect(await page.getByTestId('pg-stage').textContent()).toMatch(/undoing 0 of 7 layers.*prior’s grid/s);
      await slider.fill('3');
      expect(await page.getByTestId('pg-stage').textContent()).toMatch(/undoing 3 of 7 layers.*last undone: Coupling 4/s);
      await view.screenshot({ path: join(SCREENSHOTS, 'playground-flow-2d-stage3.png') });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);

  it('vae-2d-moons: decoded prior samples as the generated points, and the posterior ellipses in latent space', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1400, height: 1100 });
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=vae-2d-moons`, 60_000);
      await page.getByTestId('dock-maximize').click();
      await page.getByTestId('run-play').click();
      await waitForStep(page, 300, 90_000);
      await page.getByTestId('run-pause').click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
      const step = await currentStep(page);
      await layersAt(page, step);
      const post = await page.evaluate(() => {
        const p = window.latentLabRun!.runStore.getState().points2d!;
        return { heatmap: p.heatmap, arrows: p.arrows, n: p.posterior?.mean.length, sd: Array.from(p.posterior?.sd ?? []) };
      });
      expect(post).toMatchObject({ heatmap: null, arrows: null, n: 1000 });
      expect(post.sd.every((s) => s > 0)).toBe(true);
      await page.getByTestId('pg-layer-manifold').check();
      const view = page.getByTestId('playground');
      await view.scrollIntoViewIfNeeded();
      await view.screenshot({ path: join(SCREENSHOTS, 'playground-vae-moons.png') });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);
});
