/**
 * The run panel's Export menu: it opens and moves by keyboard, with no axe violation while open; its
 * TF.js item downloads model.json and weights.bin;
 * after a few training steps its PyTorch zip holds exactly the files `latent-lab export --to pytorch
 * --weights` writes for the same graph and checkpoint, byte for byte; its sampler page opens from
 * disk in a second page with no request beyond the file and draws from the model at that step; and
 * a graph the exporter refuses gets a notice naming the node, with a way to it.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportProject } from '../../src/cli/export';
import { launch, openRunPanel, shot, useBuiltApp, waitForStep, watchErrors } from './harness';
import { violations } from './axe';

const app = useBuiltApp();
const work = mkdtempSync(join(tmpdir(), 'export-menu-'));
let browser: Awaited<ReturnType<typeof launch>>;

beforeAll(async () => {
  browser = await launch({ viewport: { width: 1400, height: 900 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

const tid = (id: string) => `[data-testid="${id}"]`;

/** Chooses `item` from the Export menu and saves what it downloads into `work`. */
async function exported(page: Page, item: string): Promise<{ download: Download; path: string }> {
  await page.getByTestId('export-menu-button').click();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId(`export-${item}`).click()]);
  const path = join(work, download.suggestedFilename());
  await download.saveAs(path);
  return { download, path };
}

/** Every file under `root`, by its path inside it. */
function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(root, p) : [relative(root, p)];
  });
}

describe('Export menu', () => {
  it('opens by keyboard, exports the PyTorch project the CLI writes and a sampler page that works offline', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await openRunPanel(page, `${app.url}#preset=vae`);
    for (let i = 0; i < 3; i++) await page.getByTestId('run-step').click();
    await waitForStep(page, 3);

    // Keyboard: ↓ opens on the first item, End and ↑ move, Escape closes back onto the button.
    const button = page.getByTestId('export-menu-button');
    await button.focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector(tid('export-menu'));
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    expect(await focused()).toBe('export-tfjs');
    await page.keyboard.press('End');
    expect(await focused()).toBe('export-bundle');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('export-tfjs');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe('export-bundle');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe('export-samplerPage');
    const items = await page.locator(`${tid('export-menu')} [role="menuitem"]`).allTextContents();
    expect(items).toHaveLength(4);
    for (const text of items) expect(text.length).toBeGreaterThan(40);
    expect(await violations(page)).toEqual([]);
    await shot(page, 'export-menu');
    await page.keyboard.press('Escape');
    await page.waitForSelector(tid('export-menu'), { state: 'detached' });
    expect(await focused()).toBe('export-menu-button');

    // The TF.js model: the two files tf.loadLayersModel reads.
    const names: string[] = [];
    page.on('download', (d) => names.push(d.suggestedFilename()));
    await page.getByTestId('export-menu-button').click();
    await page.getByTestId('export-tfjs').click();
    await expect.poll(() => names.slice().sort(), { timeout: 60_000 }).toEqual(['model.json', 'weights.bin']);

    // The PyTorch project, against the CLI's export of the same graph and checkpoint.
    const zip = await exported(page, 'pytorch');
    expect(zip.download.suggestedFilename()).toBe('variational-autoencoder-vae-pytorch.zip');
    const files = unzipSync(new Uint8Array(readFileSync(zip.path)));
    for (const f of [
      'model.py',
      'losses.py',
      'train.py',
      'requirements.txt',
      'README.md',
      'weights/checkpoint.json',
      'weights/weights.bin',
    ])
      expect(Object.keys(files)).toContain(f);
    const meta = JSON.parse(new TextDecoder().decode(files['weights/checkpoint.json']));
    expect(meta.step).toBe(3);
    const values = meta.tensors.reduce((n: number, t: { length: number }) => n + t.length, 0);
    expect(files['weights/weights.bin'].byteLength).toBe(4 * values);
    await page.waitForSelector(`${tid('export-notice')}:has-text("with the weights of step 3")`);

    const run = join(work, 'run');
    mkdirSync(join(run, 'checkpoint'), { recursive: true });
    writeFileSync(join(run, 'graph.json'), JSON.stringify(await page.evaluate(() => window.latentLab!.getDocument())));
    writeFileSync(join(run, 'checkpoint/checkpoint.json'), files['weights/checkpoint.json']);
    writeFileSync(join(run, 'checkpoint/weights.bin'), files['weights/weights.bin']);
    const cli = join(work, 'cli-pytorch');
    await exportProject(run, { to: 'pytorch', out: cli, weights: true });
    expect(Object.keys(files).sort()).toEqual(filesUnder(cli).sort());
    for (const f of Object.keys(files)) expect(Buffer.from(files[f]).equals(readFileSync(join(cli, f))), f).toBe(true);

    // The sampler page, opened from disk in a page of its own.
    const html = await exported(page, 'samplerPage');
    expect(html.download.suggestedFilename()).toBe('variational-autoencoder-vae-samples.html');
    await page.waitForSelector(`${tid('export-notice')}:has-text("with the weights of step 3")`);
    const cliPage = join(work, 'cli.html');
    await exportProject(run, { to: 'sampler-page', out: cliPage });
    expect(readFileSync(html.path, 'utf8') === readFileSync(cliPage, 'utf8'), 'the page the CLI writes for the same checkpoint').toBe(true);
    const second = await browser.context.newPage();
    const requests: string[] = [];
    second.on('request', (r) => requests.push(r.url()));
    const pageErrors = watchErrors(second);
    await second.goto(pathToFileURL(html.path).href);
    await second.waitForFunction(() => /samples from training step 3\b/.test(document.getElementById('status')?.textContent ?? ''), null, {
      timeout: 60_000,
    });
    const inked = await second.evaluate(() => {
      const c = document.getElementById('samples') as HTMLCanvasElement;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] < 128) dark++;
      return dark / (px.length / 4);
    });
    expect(inked).toBeGreaterThan(0.2);
    expect(requests).toEqual([pathToFileURL(html.path).href]);
    expect(pageErrors).toEqual([]);
    await second.close();
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('a graph the exporter refuses gets a notice naming the node, and Show node selects it', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await openRunPanel(page, `${app.url}#preset=vae`);
    // With the run panel open the optimizer lies off the canvas's right edge: Fit brings every node into view.
    await page.getByTestId('btn-fit').click();
    await page.waitForTimeout(400);
    await page.locator(`${tid('node-adam')} .graph-node-head`).click();
    const optimizerTitle = await page.getByTestId('inspector-title').textContent();
    await page.locator('#param-input-algorithm').selectOption('rmsprop');
    // The editor's graph, which the export reads, has the change once the canvas shows it.
    await page.waitForSelector(`${tid('node-adam')}:has-text("rmsprop")`);
    await page.getByTestId('export-menu-button').click();
    await page.getByTestId('export-pytorch').click();
    const notice = page.getByTestId('export-notice');
    await notice.waitFor();
    const text = (await notice.textContent()) ?? '';
    expect(text).toContain('Cannot export a PyTorch project: node "adam" uses rmsprop');
    expect(text).not.toMatch(/\n\s+at |Error:/);
    expect(await notice.getAttribute('role')).toBe('alert');
    await page.locator(`${tid('node-enc')} .graph-node-head`).click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="inspector-title"]')?.textContent !== t, optimizerTitle);
    await page.getByTestId('export-show-node').click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="inspector-title"]')?.textContent === t, optimizerTitle);

    expect(errors).toEqual([]);
    await page.close();

    // A model with no generator path says so for the page too.
    const other = await browser.context.newPage();
    const otherErrors = watchErrors(other);
    await openRunPanel(other, `${app.url}#preset=pixelcnn`);
    await other.getByTestId('export-menu-button').click();
    await other.getByTestId('export-samplerPage').click();
    await other.waitForSelector(tid('export-notice'), { timeout: 120_000 });
    expect(await other.getByTestId('export-notice').textContent()).toContain(
      'Cannot export a sampler page: this graph has no decoder path',
    );
    expect(otherErrors).toEqual([]);
    await other.close();
  }, 180_000);
});
