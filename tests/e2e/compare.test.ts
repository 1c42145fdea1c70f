/**
 * Issue 14's acceptance in the browser: the GAN preset trained with the
 * non-saturating loss, duplicated as a variant with the hinge loss, both
 * trained the same number of rounds from the same seed (the history's queue),
 * then compared: both curves on every chart, both sample grids, and a graph
 * diff that names exactly the two changed parameters (also marked on the
 * canvas). The history is still there after a reload. And the files: a run
 * downloaded as a bundle, continued by the CLI (train --resume), zipped and
 * opened in the browser again comes back with every step and trains on.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/setup';
import { captureCliOutput, cli } from '../cli/harness';
import { launch, openRunPanel, SCREENSHOTS, shot, useBuiltApp, watchErrors } from './harness';

const app = useBuiltApp();
captureCliOutput();
const ROUNDS = 20;

const graphIdOf = (page: Page) => new URL(page.url()).searchParams.get('graph')!;

/** Queues the open graph alone for ROUNDS rounds in the history view and waits for the queue to finish. */
async function trainInQueue(page: Page, rounds = ROUNDS) {
  const graphId = graphIdOf(page);
  await page.getByTestId('run-view-history').click();
  await page.getByTestId(`queue-${graphId}`).check();
  await page.getByTestId('queue-rounds').fill(String(rounds));
  await page.getByTestId('queue-start').click();
  await expect.poll(() => page.getByTestId('queue-status').textContent(), { timeout: 90_000 }).toMatch(/^Done/);
}

const historyRuns = (page: Page) => page.locator('[data-testid^=run-row-]');

async function setKind(page: Page, nodeId: string, kind: string) {
  await page.getByTestId(`node-${nodeId}`).click();
  await page.locator('#param-input-kind').selectOption(kind);
}

describe('compare runs', () => {
  it('GAN non-saturating vs its hinge variant: overlaid curves, both sample grids, the diff names the changed parameters; the history survives a reload', async () => {
    const { context, close } = await launch({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      page.on('dialog', (d) => void d.accept());
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=gan`, 60_000);
      const original = graphIdOf(page);
      await trainInQueue(page);
      await expect.poll(() => historyRuns(page).count()).toBe(1);

      // The variant: a new graph with the same seed, opened in this tab.
      await page.getByTestId('btn-variant').click();
      await page.waitForURL((u) => new URL(u).searchParams.get('graph') !== original, { timeout: 30_000 });
      await openRunPanel(page, page.url(), 60_000);
      const variant = graphIdOf(page);
      expect(await page.getByTestId('doc-title').textContent()).toBe('DCGAN · variant 2');
      await setKind(page, 'dLoss', 'hinge');
      await setKind(page, 'gLoss', 'hinge');
      await trainInQueue(page);

      // Both runs are listed (the variant's family), trained the same number of rounds from one seed.
      await expect.poll(() => historyRuns(page).count()).toBe(2);
      const rows = await historyRuns(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('run-row-'.length)));
      for (const id of rows) await page.getByTestId(`run-select-${id}`).check();
      expect(await page.getByTestId('compare-runs').textContent()).toBe('Compare 2 runs');
      await page.getByTestId('compare-runs').click();

      const view = page.getByTestId('compare-view');
      await view.waitFor();
      const charts = page.getByTestId('compare-chart');
      expect(await charts.count()).toBeGreaterThanOrEqual(2);
      for (const series of await charts.evaluateAll((els) => els.map((e) => e.getAttribute('data-series')))) expect(series).toBe('2');
      // Every chart is drawn.
      expect(await page.locator('[data-testid=compare-chart] canvas').count()).toBe(await charts.count());

      await expect.poll(() => page.locator('[data-testid=compare-grid] canvas').count(), { timeout: 15_000 }).toBe(2);
      const steps = await page.getByTestId('compare-grid').evaluateAll((els) => els.map((e) => e.querySelector('figcaption')!.textContent));
      for (const caption of steps) expect(caption).toMatch(new RegExp(`step ${ROUNDS}$`));

      const lines = await page.locator('[data-testid=compare-diff-lines] li').allTextContents();
      expect(lines.sort()).toEqual([
        'Discriminator loss “dLoss” (ganLoss): kind nonSaturating → hinge',
        'Generator loss “gLoss” (ganLoss): kind nonSaturating → hinge',
      ]);
      // The changed nodes are marked on the canvas while the comparison is open.
      expect(
        await page.locator('.graph-node.diff-changed').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')).sort()),
      ).toEqual(['node-dLoss', 'node-gLoss']);

      // Final losses of both runs; a GAN's losses rank nothing (one player's falls as the other plays worse), and the caption says so.
      const table = page.getByTestId('compare-table');
      expect(await table.locator('tbody tr').count()).toBe(2);
      expect(await table.locator('td.best').count()).toBe(0);
      expect(await table.locator('caption').textContent()).toMatch(/not the losses: in a game of two optimizers/);

      await page.getByTestId('dock-maximize').click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SCREENSHOTS, 'compare.png'), fullPage: false });
      await view.screenshot({ path: join(SCREENSHOTS, 'compare-view.png') });
      await page.getByTestId('dock-maximize').click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SCREENSHOTS, 'compare-canvas.png') });

      // After a reload the history still holds both runs, with their checkpoints.
      await page.reload();
      await page.getByTestId('tab-run').click();
      await page.getByTestId('run-view-history').click();
      await expect.poll(() => historyRuns(page).count(), { timeout: 15_000 }).toBe(2);
      expect(await page.getByTestId('history-usage').textContent()).toMatch(/^History: [\d.]+ MB of 200 MB$/);
      expect(variant).not.toBe(original);
      expect(errors.filter((e) => !/Initialization of backend|webgpu|adapter/i.test(e))).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);

  it('a run goes out as a bundle, the CLI continues it, and it comes back: deleting it frees its storage, opening the CLI’s bundle in another browser lists it with every step, and training continues from its checkpoint', async () => {
    const { context, close } = await launch({ viewport: { width: 1400, height: 1000 } });
    let closeSecond: (() => Promise<void>) | undefined;
    try {
      const page = await context.newPage();
      page.on('dialog', (d) => void d.accept());
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=gan`, 60_000);
      await trainInQueue(page, 10);
      const row = historyRuns(page).first();
      const runId = (await row.getAttribute('data-testid'))!.slice('run-row-'.length);
      await page.getByTestId(`run-name-${runId}`).fill('non-saturating, 10 rounds');
      await page.getByTestId(`run-name-${runId}`).press('Enter');
      await shot(page, 'history');

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`run-download-${runId}`).click()]);
      expect(download.suggestedFilename()).toBe('non-saturating-10-rounds.zip');
      const path = join(mkdtempSync(join(tmpdir(), 'latent-lab-bundle-')), 'bundle-download.zip');
      await download.saveAs(path);
      const files = Object.keys(unzipSync(new Uint8Array(readFileSync(path)))).sort();
      for (const f of ['run.json', 'graph.json', 'metrics.jsonl', 'checkpoint/checkpoint.json', 'checkpoint/weights.bin', 'samples.png'])
        expect(files).toContain(f);
      const manifest = JSON.parse(new TextDecoder().decode(unzipSync(new Uint8Array(readFileSync(path)))['run.json']));
      expect(manifest).toMatchObject({ name: 'non-saturating, 10 rounds', step: 10, seed: 1, origin: 'browser' });

      const usage = async () => Number((await page.getByTestId('history-usage').textContent())!.match(/([\d.]+) MB of/)![1]);
      const before = await usage();
      expect(before).toBeGreaterThan(1);
      await page.getByTestId(`run-delete-${runId}`).click();
      await expect.poll(() => historyRuns(page).count()).toBe(0);
      expect(await usage()).toBeLessThan(before / 10);

      // The CLI continues the downloaded bundle for 3 more steps (on wasm, as the page trains) and zips its run folder.
      const cliRun = join(dirname(path), 'cli-run');
      const cliZip = join(dirname(path), 'cli-run.zip');
      expect(await cli('train', path, '--resume', '--steps', '13', '--out', cliRun, '--backend', 'wasm')).toBe(EXIT.ok);
      expect(await cli('bundle', cliRun, '--out', cliZip)).toBe(EXIT.ok);
      const cliLosses = readFileSync(join(cliRun, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { step: number } & Record<string, number>);
      expect(cliLosses.map((l) => l.step)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));

      // The CLI's result goes into another browser (a fresh profile): listed under the run's own name, and training continues at step 13.
      const second = await launch({ viewport: { width: 1400, height: 1000 } });
      closeSecond = second.close;
      const other = await second.context.newPage();
      const otherErrors = watchErrors(other);
      await openRunPanel(other, `${app.url}#preset=gan`, 60_000);
      await other.getByTestId('run-view-history').click();
      expect(await historyRuns(other).count()).toBe(0);
      await other.getByTestId('bundle-input').setInputFiles(cliZip);
      await expect
        .poll(() => other.getByTestId('history-notice-info').textContent(), { timeout: 15_000 })
        .toMatch(/^Opened cli-run\.zip: “non-saturating, 10 rounds” at step 13, continuing from its checkpoint/);
      await other.getByTestId('run-view-history').click();
      await expect.poll(() => historyRuns(other).count(), { timeout: 15_000 }).toBe(1);
      expect(await other.locator('[data-testid^=run-name-]').inputValue()).toBe('non-saturating, 10 rounds');
      await other.waitForFunction(() => window.latentLabRun!.runStore.getState().step === 13, null, { timeout: 30_000 });
      // The curve the page redraws holds the browser's ten rounds and the CLI's three, value for value.
      const curve = await other.evaluate(() => {
        const c = window.latentLabRun!.runStore.getState().curves;
        return { steps: c.steps, gLoss: c.series['Generator loss'] };
      });
      expect(curve.steps).toEqual(cliLosses.map((l) => l.step));
      expect(curve.gLoss).toEqual(cliLosses.map((l) => l['Generator loss']));
      await other.getByTestId('run-step').click();
      await other.waitForFunction(() => window.latentLabRun!.runStore.getState().step === 14, null, { timeout: 30_000 });
      // Play and pause go on with the same run (no new one), and the pause stores its checkpoint.
      await other.getByTestId('run-play').click();
      await other.waitForFunction(() => window.latentLabRun!.runStore.getState().step >= 16, null, { timeout: 30_000 });
      await other.getByTestId('run-pause').click();
      await other.waitForFunction(() => !window.latentLabRun!.runStore.getState().running);
      const paused = await other.evaluate(() => window.latentLabRun!.runStore.getState().step);
      await expect
        .poll(() => other.evaluate(() => window.latentLabHistory!.historyStore.getState().runs.map((r) => [r.step, r.checkpointStep])), {
          timeout: 15_000,
        })
        .toEqual([[paused, paused]]);
      expect(await other.evaluate(() => window.latentLabRun!.runStore.getState().notices.filter((n) => n.kind === 'error'))).toEqual([]);
      expect([...errors, ...otherErrors].filter((e) => !/Initialization of backend|webgpu|adapter/i.test(e))).toEqual([]);
    } finally {
      await closeSecond?.();
      await close();
    }
  }, 240_000);
});
