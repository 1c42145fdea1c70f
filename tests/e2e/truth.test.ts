/**
 * Issue 10 §1, end to end: the document is the one source of truth for the
 * hyper-parameters. What the run panel sets is what an export and a share link
 * carry, what a restore after a divergence trains at, and what a reset trains
 * at; switching the optimizer's algorithm mid-run keeps training.
 *
 * One Chromium for the file, a fresh context (storage, checkpoints, workers)
 * per test so no test resumes another's checkpoint. Everything trains on wasm.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { CHROMIUM_ARGS, openRunPanel, shot, useBuiltApp, waitForStep, watchErrors } from './harness';

const app = useBuiltApp();
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

async function freshContext(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
}

/** Opens `url` (a preset or a share link) with the run panel showing and the worker ready. */
async function openRun(page: Page, url: string) {
  // Reset asks for confirmation.
  page.on('dialog', (d) => void d.accept());
  await openRunPanel(page, url);
}

const openPreset = (page: Page, preset: string) => openRun(page, `${app.url}#preset=${preset}`);

/** The optimizer's learning rate and the dataset's batch size as the document has them. */
const docParams = (page: Page, optimizer = 'adam') =>
  page.evaluate((opt) => {
    const doc = window.latentLab!.getDocument() as GraphDocument;
    return {
      lr: doc.nodes.find((n) => n.id === opt)!.params.learningRate,
      batch: doc.nodes.find((n) => n.type === 'dataset')!.params.batchSize,
    };
  }, optimizer);

/** What the worker trains with, and where it is. */
const worker = (page: Page) =>
  page.evaluate(() => {
    const s = window.latentLabRun!.runStore.getState();
    return {
      step: s.step,
      running: s.running,
      lr: s.info?.optimizers[0].learningRate,
      batch: s.info?.batchSize,
      diverged: !!s.diverged,
      checkpoint: s.checkpoint?.step ?? null,
      notices: s.notices.map((n) => `${n.kind}: ${n.text}`),
    };
  });

/** Each loss term's values at steps after `after` (the curve's x values are steps), and all of them together. */
const lossesAfter = (page: Page, after: number) =>
  page.evaluate((a) => {
    const { steps, series } = window.latentLabRun!.runStore.getState().curves;
    const terms = Object.fromEntries(Object.entries(series).map(([t, v]) => [t, v.filter((_, i) => steps[i] > a)]));
    return { terms, values: Object.values(terms).flat(), points: steps.filter((st) => st > a).length };
  }, after);

async function setField(page: Page, testId: string, value: string) {
  const field = page.getByTestId(testId);
  await field.fill(value);
  await field.press('Enter');
}

async function pause(page: Page) {
  await page.getByTestId('run-pause').click();
  await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().running, null, { timeout: 30_000 });
}

const pageErrors = (errors: string[]) => errors.filter((e) => !/Initialization of backend|webgpu|adapter/i.test(e));

describe('one source of truth for hyper-parameters (issue 10 §1)', () => {
  it('lr and batch set in the run panel travel in an export and in a share link', async () => {
    const context = await freshContext();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openPreset(page, 'vae');
      await setField(page, 'lr-adam', '0.0005');
      await setField(page, 'batch-size', '64');
      expect(await docParams(page)).toEqual({ lr: 0.0005, batch: 64 });

      // Export: the downloaded file carries them.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export').click()]);
      expect(download.suggestedFilename()).toMatch(/\.json$/);
      const file = join(tmpdir(), `latent-lab-truth-export-${process.pid}.json`);
      await download.saveAs(file);
      const exported = JSON.parse(readFileSync(file, 'utf8')) as GraphDocument;
      rmSync(file, { force: true });
      expect(exported.nodes.find((n) => n.id === 'adam')!.params.learningRate).toBe(0.0005);
      expect(exported.nodes.find((n) => n.type === 'dataset')!.params.batchSize).toBe(64);

      // Share link: a new tab opened from it has them in its document, its run panel and its worker.
      await page.getByTestId('btn-share').click();
      const link = await page.getByTestId('share-link').inputValue();
      expect(link).toContain('#graph=');
      await shot(page, 'truth-share-dialog');
      const other = await context.newPage();
      const otherErrors = watchErrors(other);
      await openRun(other, link);
      expect(await docParams(other)).toEqual({ lr: 0.0005, batch: 64 });
      expect(await other.getByTestId('lr-adam').inputValue()).toBe('0.0005');
      expect(await other.getByTestId('batch-size').inputValue()).toBe('64');
      expect(await worker(other)).toMatchObject({ lr: 0.0005, batch: 64 });
      expect(pageErrors(errors)).toEqual([]);
      expect(pageErrors(otherErrors)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('after a divergence, Restore trains on at the lr typed into the field', async () => {
    const context = await freshContext();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openPreset(page, 'vae');
      await page.getByTestId('run-play').click();
      // A good checkpoint to restore.
      await page.waitForFunction(() => (window.latentLabRun!.runStore.getState().checkpoint?.step ?? 0) >= 10, null, { timeout: 60_000 });
      // lr 10 sends the VAE's loss to NaN within a couple of steps.
      await setField(page, 'lr-adam', '10');
      await page.waitForFunction(() => !!window.latentLabRun!.runStore.getState().diverged, null, { timeout: 60_000 });
      const notice = page.getByTestId('notice-error').filter({ hasText: 'diverged' });
      await notice.waitFor();
      const restore = notice.getByRole('button', { name: /restore/i });
      await restore.waitFor();
      expect(await notice.textContent()).toMatch(
        /Training diverged at step \d+: .* became (NaN|-?Infinity|[\d.e+]+)\. Lower the learning rate, or restore the checkpoint from step \d+/,
      );
      expect(await page.getByTestId('run-play').isDisabled()).toBe(true);
      await shot(page, 'truth-diverged');

      // A sane rate in the field (a document edit), then Restore.
      await setField(page, 'lr-adam', '0.001');
      expect((await docParams(page)).lr).toBe(0.001);
      await restore.click();
      await page.waitForFunction(() => !window.latentLabRun!.runStore.getState().diverged, null, { timeout: 60_000 });
      await expect.poll(async () => (await worker(page)).lr).toBe(0.001);
      expect(await page.getByTestId('lr-adam').inputValue()).toBe('0.001');
      const restored = await worker(page);
      expect(restored.notices.filter((n) => /diverged/.test(n))).toEqual([]);

      // Trains on: 20 more rounds, every loss finite and none blown up, no new divergence.
      await page.getByTestId('run-play').click();
      await waitForStep(page, restored.step + 20);
      await pause(page);
      const after = await worker(page);
      expect(after.diverged).toBe(false);
      expect(after.lr).toBe(0.001);
      expect(after.notices.filter((n) => /diverged/.test(n))).toEqual([]);
      const { values, points } = await lossesAfter(page, restored.step);
      expect(points).toBeGreaterThanOrEqual(20);
      expect(values.every((v) => Number.isFinite(v) && Math.abs(v) < 1000)).toBe(true);
      await shot(page, 'truth-restored');
      expect(pageErrors(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('Reset forgets the diverging rate: step 0, and the worker trains at the lr the field and the document show', async () => {
    const context = await freshContext();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openPreset(page, 'ae');
      // lr 10 on the AE: the loss jumps from ≈ 544 to ≈ 1e12 at step 2.
      await setField(page, 'lr-adam', '10');
      await expect.poll(async () => (await worker(page)).lr).toBe(10);
      await page.getByTestId('run-play').click();
      await waitForStep(page, 5);
      await pause(page);
      await setField(page, 'lr-adam', '0.001');
      await page.getByTestId('run-reset').click();
      await expect.poll(async () => (await worker(page)).step).toBe(0);
      expect(await page.getByTestId('step-counter').textContent()).toBe('0');
      // One value everywhere: the field, the document and the worker.
      expect(await page.getByTestId('lr-adam').inputValue()).toBe('0.001');
      expect((await docParams(page)).lr).toBe(0.001);
      await expect.poll(async () => (await worker(page)).lr).toBe(0.001);

      // And it really trains at 0.001: from ≈ 544 the loss only falls, no jump to 1e12.
      await page.getByTestId('run-play').click();
      await waitForStep(page, 10);
      await pause(page);
      const { terms, points } = await lossesAfter(page, 0);
      expect(points).toBeGreaterThanOrEqual(10);
      const loss = terms.adam;
      expect(loss.every((v) => Number.isFinite(v))).toBe(true);
      // Fresh weights (≈ 544 nats per image), then no blow-up.
      expect(loss[0]).toBeGreaterThan(400);
      expect(Math.max(...loss)).toBeLessThan(600);
      expect(loss.at(-1)!).toBeLessThan(loss[0]);
      expect((await worker(page)).lr).toBe(0.001);
      expect(pageErrors(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('Adam → RMSprop in the inspector mid-run keeps training with finite losses', async () => {
    const context = await freshContext();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openPreset(page, 'vae');
      await page.getByTestId('run-play').click();
      await waitForStep(page, 10);
      await page.getByTestId('btn-fit').click();
      await page.click('[data-testid="node-adam"] .graph-node-head');
      const algorithm = page.locator('#param-input-algorithm');
      await algorithm.waitFor();
      expect(await algorithm.inputValue()).toBe('adam');
      expect(await page.locator('#param-input-beta1').count()).toBe(1);
      expect(await page.locator('#param-input-rho').count()).toBe(0);
      await algorithm.selectOption('rmsprop');
      // Only the fields RMSprop reads are shown: Adam's β1 and β2 go, ρ and momentum come.
      await expect.poll(() => page.locator('#param-input-beta1').count()).toBe(0);
      expect(await page.locator('#param-input-beta2').count()).toBe(0);
      expect(await page.locator('#param-input-rho').count()).toBe(1);
      expect(await page.locator('#param-input-momentum').count()).toBe(1);
      await expect
        .poll(
          async () =>
            (await page.evaluate(() => window.latentLab!.getDocument() as GraphDocument)).nodes.find((n) => n.id === 'adam')!.params
              .algorithm,
        )
        .toBe('rmsprop');
      const switchedAt = (await worker(page)).step;
      // If the worker asks whether to keep the weights, keep them.
      const keep = page.getByTestId('keep-weights');
      const deadline = Date.now() + 5_000;
      let asked = false;
      while (Date.now() < deadline) {
        if (await keep.count()) {
          asked = true;
          await keep.click();
          break;
        }
        if ((await worker(page)).step > switchedAt + 3) break;
        await page.waitForTimeout(100);
      }
      const w = await worker(page);
      console.log(`[e2e] adam → rmsprop at step ${switchedAt}: asked ${asked}, running ${w.running}, step ${w.step}`);
      if (!w.running) await page.getByTestId('run-play').click();
      // One step past the 20 judged: the round in flight when the edited graph reloads may leave no point (CI saw 19 of 20).
      await waitForStep(page, switchedAt + 21);
      await pause(page);
      const after = await worker(page);
      expect(after.diverged).toBe(false);
      expect(after.notices.filter((n) => /diverged/.test(n))).toEqual([]);
      // The step counter can run ahead of the loss curve by a message: wait for the curve to hold the steps trained.
      await expect.poll(async () => (await lossesAfter(page, switchedAt)).points, { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
      const { values } = await lossesAfter(page, switchedAt);
      expect(values.every((v) => Number.isFinite(v) && Math.abs(v) < 1000)).toBe(true);
      await shot(page, 'truth-rmsprop');
      expect(pageErrors(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
