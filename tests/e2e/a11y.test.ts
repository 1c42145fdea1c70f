/**
 * axe-core on the built app, in both themes where it matters: the editor
 * (nothing selected and a node selected), the run panel while training, and
 * every dialog (presets, help, recent graphs, quick-add, share, a block's
 * layers). Each screen must have no violation at all. axe is injected from the
 * npm package, so nothing is fetched. Exercise mode has its own (exerciseA11y).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openRunPanel, shot, useBuiltApp, waitForStep, watchErrors, useBrowser } from './harness';
import { violations } from './axe';

const app = useBuiltApp();
const browser = useBrowser({ viewport: { width: 1400, height: 900 } });

const tid = (id: string) => `[data-testid="${id}"]`;

async function openPreset(preset: string, theme: 'light' | 'dark' = 'light'): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app.url}#preset=${preset}`);
  await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
  if (theme === 'dark' && (await page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark') {
    await page.locator(tid('btn-theme')).click();
  }
  await page.waitForTimeout(400);
  return { page, errors };
}

async function dialog(page: Page, open: () => Promise<void>, name: string) {
  await open();
  await page.waitForSelector('[role="dialog"]');
  await page.waitForTimeout(300);
  await shot(page, `a11y-${name}`);
  expect(await violations(page), name).toEqual([]);
  await page.keyboard.press('Escape');
  await page.waitForSelector('[role="dialog"]', { state: 'detached' });
}

describe('axe-core: no violations', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`the editor with nothing and with a node selected (${theme})`, async () => {
      const { page, errors } = await openPreset('vae', theme);
      expect(await violations(page), 'editor').toEqual([]);
      await page.locator(`${tid('node-enc')} .graph-node-head`).click();
      await page.waitForSelector(tid('inspector-title'));
      expect(await violations(page), 'node selected').toEqual([]);
      await shot(page, `a11y-editor-${theme}`);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it('every dialog', async () => {
    const { page, errors } = await openPreset('gan');
    await dialog(page, () => page.locator(tid('btn-presets')).click(), 'gallery');
    await dialog(page, () => page.keyboard.press('?'), 'help');
    await dialog(page, () => page.locator(tid('btn-recent')).click(), 'recent');
    await dialog(page, () => page.keyboard.press('a'), 'quick-add');
    await dialog(page, () => page.locator(tid('btn-share')).click(), 'share');
    const block = page.locator('[data-testid^="open-block-"]').first();
    await dialog(page, () => block.click(), 'block-view');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('the run panel while training', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await openRunPanel(page, `${app.url}#preset=vae`);
    await page.locator(tid('btn-train')).click();
    await waitForStep(page, 12);
    await page.locator(tid('btn-pause')).click();
    await page.waitForTimeout(500);
    await shot(page, 'a11y-run-panel');
    expect(await violations(page), 'run panel').toEqual([]);
    // The chart's text alternative names each curve, its value and its trend.
    await expect.poll(() => page.locator(tid('loss-summary')).textContent()).toMatch(/^[^;]+ \d[^;]*, (falling|rising|flat)(; |$)/);
    expect(await page.getAttribute(tid('loss-chart'), 'aria-label')).toMatch(/Loss curves over training steps\. .+\d/);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
