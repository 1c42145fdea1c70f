/**
 * Your own data in the browser: the Dataset node's picker reads the MNIST test
 * IDX pair (from ../shared/datasets, which CI puts beside the checkout) and a
 * zip of 20 PNGs in two class folders; a VAE trains on each, and a reload
 * keeps both (IndexedDB). Importing a data file as a graph says what it is.
 */
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SHARED_DATASETS } from '../data/helpers';
import { launch, shot, useBuiltApp, waitForStep, watchErrors } from './harness';

const app = useBuiltApp();

const tid = (id: string) => `[data-testid="${id}"]`;

/** 20 PNGs, 10 per class folder under one root folder (which must not become a class). */
function pngZip(): Buffer {
  const entries: Record<string, Uint8Array> = {};
  for (const [k, cls] of ['bars', 'dots'].entries())
    for (let n = 0; n < 10; n++) {
      const png = new PNG({ width: 28, height: 28 });
      png.data.fill(0);
      for (let i = 0; i < 28; i++)
        for (let j = 0; j < 28; j++) {
          const on = k === 0 ? (j + n) % 7 < 2 : i % 6 < 2 && (j + n) % 6 < 2;
          if (on) png.data.set([255, 255, 255, 255], 4 * (i * 28 + j));
        }
      entries[`shapes/${cls}/${n}.png`] = PNG.sync.write(png);
    }
  return Buffer.from(zipSync(entries));
}

async function selectDataset(page: Page) {
  await page.click(`${tid('node-data')} .graph-node-head`);
  await page.getByTestId('data-drop').waitFor();
}

const runStep = (page: Page) => page.evaluate(() => window.latentLabRun!.runStore.getState().step);

/** Trains a few steps from the toolbar and checks the losses stay finite. */
async function trainsAFewSteps(page: Page) {
  const from = await runStep(page);
  await page.getByTestId('btn-train').click();
  await waitForStep(page, from + 5, 120_000);
  await page.getByTestId('btn-pause').click();
  await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
  const losses = await page.evaluate(() => Object.values(window.latentLabRun!.runStore.getState().curves.series).map((s) => s.at(-1)));
  expect(losses.length).toBeGreaterThan(0);
  for (const v of losses) expect(Number.isFinite(v)).toBe(true);
}

describe('your own data in the browser', () => {
  it('MNIST test IDX and a zip of 20 PNGs: picked, counted, trained on, kept across a reload', async () => {
    const { context, close } = await launch();
    const page = await context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(`${app.url}?graph=upload-e2e#preset=vae`);
      await selectDataset(page);
      await page
        .getByTestId('data-files')
        .setInputFiles([
          join(SHARED_DATASETS, 'mnist/t10k-images-idx3-ubyte.gz'),
          join(SHARED_DATASETS, 'mnist/t10k-labels-idx1-ubyte.gz'),
        ]);
      await expect
        .poll(() => page.getByTestId('upload-summary').textContent(), { timeout: 60_000 })
        .toMatch(/10,000 28×28 images · 10 classes/);
      const doc = (await page.evaluate(() => window.latentLab!.getDocument())) as {
        nodes: { id: string; params: Record<string, unknown> }[];
      };
      const idxId = doc.nodes.find((n) => n.id === 'data')!.params.upload as string;
      expect(doc.nodes.find((n) => n.id === 'data')!.params.source).toBe('upload');
      await trainsAFewSteps(page);
      await shot(page, 'upload-idx');

      await selectDataset(page);
      await page.getByTestId('data-files').setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: pngZip() });
      await expect
        .poll(() => page.getByTestId('upload-summary').textContent(), { timeout: 60_000 })
        .toMatch(/20 28×28 images · 2 classes \(bars, dots\)/);
      await shot(page, 'upload-zip-inspector');
      // Train trains what the canvas shows: the new data, keeping the weights (their shapes still fit).
      await trainsAFewSteps(page);
      expect(await page.evaluate(() => window.latentLabRun!.runStore.getState().info?.data.numClasses)).toBe(2);

      await page.evaluate(() => window.latentLab!.flush());
      await page.reload();
      await selectDataset(page);
      await expect.poll(() => page.getByTestId('upload-summary').textContent(), { timeout: 30_000 }).toMatch(/20 28×28 images/);
      // The IDX set is still stored: it is offered, and choosing it trains again.
      const earlier = page.getByTestId('data-earlier');
      await expect.poll(() => earlier.locator('option').allTextContents()).toContainEqual(expect.stringMatching(/10,000 28×28 images/));
      await earlier.selectOption(idxId);
      await expect.poll(() => page.getByTestId('upload-summary').textContent()).toMatch(/10,000/);
      await trainsAFewSteps(page);
      expect(await page.evaluate(() => window.latentLabRun!.runStore.getState().info?.data.numClasses)).toBe(10);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 400_000);

  it('a bad file is listed as left out; a data file given to graph Import says it is a dataset', async () => {
    const { context, close } = await launch();
    const page = await context.newPage();
    try {
      await page.goto(`${app.url}?graph=upload-bad#preset=vae`);
      await selectDataset(page);
      const text = (t: string) => new TextEncoder().encode(t);
      const junk = Buffer.from(zipSync({ 'a/1.png': text('<html>not found</html>'), 'notes.txt': text('hello') }));
      await page.getByTestId('data-files').setInputFiles({ name: 'junk.zip', mimeType: 'application/zip', buffer: junk });
      await expect.poll(() => page.getByTestId('data-error').textContent(), { timeout: 60_000 }).toMatch(/1\.png/);
      const white = new PNG({ width: 28, height: 28 });
      white.data.fill(255);
      const good = PNG.sync.write(white);
      const mixed = zipSync({ 'x/0.png': good, 'x/1.png': good, 'x/broken.png': Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) });
      await page.getByTestId('data-files').setInputFiles({ name: 'mixed.zip', mimeType: 'application/zip', buffer: Buffer.from(mixed) });
      await expect
        .poll(() => page.getByTestId('upload-summary').textContent(), { timeout: 60_000 })
        .toMatch(/^mixed.*2 28×28 images · no labels/);
      await page.getByTestId('upload-skipped').click();
      await expect.poll(() => page.getByTestId('upload-skipped').textContent(), { timeout: 60_000 }).toMatch(/broken\.png/);
      await shot(page, 'upload-skipped');

      await page.getByTestId('import-input').setInputFiles(join(SHARED_DATASETS, 'mnist/t10k-labels-idx1-ubyte.gz'));
      await expect
        .poll(() => page.locator('.notice').allTextContents(), { timeout: 10_000 })
        .toContainEqual(expect.stringMatching(/this is a dataset — use the Dataset node/));
    } finally {
      await close();
    }
  }, 200_000);
});
