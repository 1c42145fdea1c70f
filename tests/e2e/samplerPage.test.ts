/**
 * The sampler page: one HTML file (TF.js and the trained VAE inline) that opens from disk in
 * Chromium with every request recorded and none leaving the file, draws a grid of digits, and
 * draws new ones on "New samples". A conditional model's page draws the class picked.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportProject } from '../../src/cli/export';
import { train } from '../../src/cli/train';
import { launch, shot, watchErrors } from './harness';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'sampler-page-'));
let browser: Awaited<ReturnType<typeof launch>>;

beforeAll(async () => {
  browser = await launch({ viewport: { width: 1000, height: 900 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Opens the page from disk, recording every request it makes. */
async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = watchErrors(page);
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => /samples from training step/.test(document.getElementById('status')?.textContent ?? ''), null, {
    timeout: 60_000,
  });
  return { page, requests, errors };
}

/**
 * The canvas as a data URL to compare, and what share of the tiles' pixels (8 per row, 28×28 at ×3,
 * 4 apart: the page's layout) are dark background and light strokes.
 */
const canvasState = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.getElementById('samples') as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let dark = 0;
    let light = 0;
    let count = 0;
    for (let k = 0; k < 64; k++)
      for (let y = 0; y < 84; y++)
        for (let x = 0; x < 84; x++) {
          const v = pixels[((4 + Math.floor(k / 8) * 88 + y) * canvas.width + 4 + (k % 8) * 88 + x) * 4];
          count++;
          if (v < 64) dark++;
          if (v > 128) light++;
        }
    return { url: canvas.toDataURL(), dark: dark / count, light: light / count };
  });

describe('sampler page', () => {
  it('opens from file:// with no network request, draws samples, and New samples draws others', async () => {
    const run = join(work, 'vae-run');
    await train(join(ROOT, 'presets/vae.json'), { steps: 300, backend: 'wasm', out: run, checkpointEvery: 300, quiet: true });
    const file = join(work, 'vae.html');
    const said = await exportProject(run, { to: 'sampler-page', out: file });
    expect(said).toContain('weights of step 300');
    // TF.js itself is most of it.
    expect(statSync(file).size).toBeGreaterThan(1_000_000);

    const { page, requests, errors } = await open(file);
    const first = await canvasState(page);
    // Digits: light strokes on a dark ground, neither an empty canvas nor tiles of one colour.
    expect(first.dark).toBeGreaterThan(0.4);
    expect(first.light).toBeGreaterThan(0.03);
    expect(await page.locator('h1').textContent()).toBe('Variational autoencoder (VAE)');
    expect(await page.locator('#class').isHidden()).toBe(true);
    await shot(page, 'sampler-page');

    await page.getByRole('button', { name: 'New samples' }).click();
    await page.waitForFunction((before) => (document.getElementById('samples') as HTMLCanvasElement).toDataURL() !== before, first.url);
    expect((await canvasState(page)).url).not.toBe(first.url);

    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it("a conditional model's page draws the class picked", async () => {
    const file = join(work, 'cvae.html');
    const said = await exportProject(join(ROOT, 'presets/cvae.json'), { to: 'sampler-page', out: file });
    expect(said).toContain('initial, untrained weights');
    const { page, requests, errors } = await open(file);
    const picker = page.locator('#class');
    expect(await picker.isVisible()).toBe(true);
    expect(await picker.locator('option').count()).toBe(11);
    const every = await canvasState(page);
    await picker.selectOption({ index: 4 });
    await page.waitForFunction((before) => (document.getElementById('samples') as HTMLCanvasElement).toDataURL() !== before, every.url);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
