/**
 * Look inside, forwards and backwards, on the DCGAN while it trains: the
 * generator's gradient-norm curve and the gradient-flow strip, then (the
 * generator unpacked into its layers) a conv layer's feature maps as a
 * channel grid. Screenshots of each go to tests/e2e/screenshots/.
 */
import type { Page } from 'playwright-core';
import type { GraphDocument } from '../../src/graph/document';
import { describe, expect, it } from 'vitest';
import { openRunPanel, shot, useBuiltApp, waitForStep, watchErrors, useBrowser } from './harness';

const app = useBuiltApp();
const browser = useBrowser({ viewport: { width: 1400, height: 1000 } });

/** Clicks a node's header until React Flow has it selected (a click that lands while the canvas re-renders can be lost). */
async function select(page: Page, id: string) {
  const node = page.getByTestId(`node-${id}`);
  const selected = () => node.evaluate((el) => !!el.closest('.react-flow__node')?.classList.contains('selected'));
  for (let attempt = 0; attempt < 3 && !(await selected()); attempt++) {
    await node.click({ position: { x: 10, y: 6 } });
    await page.waitForTimeout(300);
  }
  expect(await selected()).toBe(true);
}

describe('look inside the DCGAN while it trains', () => {
  it('shows the generator’s gradient norms, the gradient flow and a conv layer’s feature maps', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await openRunPanel(page, `${app.url}#preset=gan`);
    await page.getByTestId('run-play').click();
    await waitForStep(page, 3, 120_000);
    // Presets open at 100 % zoom; Fit puts every node wholly on the canvas, clear of the dock.
    await page.getByTestId('btn-fit').click();
    await page.waitForTimeout(400);

    await select(page, 'gen');
    const curve = page.getByTestId('gradient-curve');
    await curve.waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => (window.latentLabRun!.runStore.getState().gradients?.steps.length ?? 0) >= 3, null, {
      timeout: 60_000,
    });
    await expect(curve.locator('polyline').getAttribute('points')).resolves.toMatch(/\d+(\.\d+)?,\d/);
    await curve.scrollIntoViewIfNeeded();
    await shot(page, 'look-inside-generator-gradients');

    const flow = page.getByTestId('gradient-flow');
    await flow.scrollIntoViewIfNeeded();
    const rows = await flow.getByRole('listitem').count();
    const layers = await page.evaluate(() => window.latentLabRun!.runStore.getState().gradients!.layers.length);
    expect(rows).toBe(layers);
    expect(layers).toBeGreaterThanOrEqual(6);
    const norms = await page.evaluate(() => window.latentLabRun!.runStore.getState().gradients!.norms.at(-1)!);
    for (const n of norms) expect(n).toBeGreaterThan(0);
    await shot(page, 'look-inside-gradient-flow');

    // The discriminator on the real images: ∂L_D/∂x as a picture of the digit it is judging.
    await select(page, 'dReal');
    const saliency = page.getByTestId('input-gradient');
    await saliency.waitFor({ timeout: 60_000 });
    const map = await page.evaluate(() => {
      const g = window.latentLabRun!.runStore.getState().preview!.inputGradient!;
      return { port: g.port, size: [g.height, g.width], max: g.max, lit: g.image.filter((v) => v > 0.1).length };
    });
    expect(map).toMatchObject({ port: 'x', size: [28, 28] });
    expect(map.max).toBeGreaterThan(0);
    expect(map.lit).toBeGreaterThan(10);
    await saliency.scrollIntoViewIfNeeded();
    await shot(page, 'look-inside-input-gradient');

    // A conv layer of the generator, as an ordinary node: unpack the block, restart on the new graph, select it.
    await page
      .getByTestId('run-pause')
      .click()
      .catch(() => undefined);
    await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
    // Presets open at 100 % zoom; Fit puts the generator wholly on the canvas, clear of the dock and the inspector.
    await page.getByTestId('btn-fit').click();
    await page.waitForTimeout(400);
    await page.getByTestId('open-block-gen').click();
    await page.getByTestId('block-view').waitFor();
    await page.getByTestId('unpack-block').click();
    const doc = (await page.evaluate(() => window.latentLab!.getDocument())) as GraphDocument;
    const conv = doc.nodes.find((n) => /conv/i.test(n.type))?.id ?? null;
    expect(conv).not.toBeNull();
    const restart = page.getByTestId('restart-training');
    await restart.click({ timeout: 30_000 });
    await page.getByTestId('run-play').click();
    await waitForStep(page, 2, 120_000);
    // The unpacked layers run off the canvas: fit the view so the conv layer can be clicked.
    // Unpacking selects every new layer; a click on empty canvas clears that first.
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.locator('.react-flow__pane').click({ position: { x: 60, y: 60 } });
    await select(page, conv!);
    await page.getByTestId('gradient-curve').waitFor({ timeout: 30_000 });
    const maps = page.getByTestId('activation-maps');
    await maps.waitFor({ timeout: 60_000 });
    expect(Number(await maps.getAttribute('data-channels'))).toBeGreaterThanOrEqual(16);
    await maps.scrollIntoViewIfNeeded();
    await shot(page, 'look-inside-conv-feature-maps');
    expect(errors).toEqual([]);
  }, 600_000);
});
