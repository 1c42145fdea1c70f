/**
 * Open recent in a real Chromium: two autosaved graphs are listed, the open
 * one is marked, Open switches this tab to the other, Delete asks first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, shot, useBuiltApp, watchErrors } from './harness';

const app = useBuiltApp();
let browser: Awaited<ReturnType<typeof launch>>;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

const tid = (id: string) => `[data-testid="${id}"]`;

describe('open recent', () => {
  it('lists the saved graphs and switches between them', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    // Graph one: a preset opened into the graph "first" and autosaved.
    await page.goto(`${app.url}?graph=first`);
    await page.click(tid('btn-presets'));
    await page.click(tid('preset-open-ae'));
    await expect.poll(() => page.locator(tid('save-status')).getAttribute('data-status')).toBe('saved');
    // Graph two: a preset link, which gets a fresh graph id and is saved before any edit.
    await page.goto(`${app.url}#preset=gan`);
    await expect.poll(() => page.locator(tid('doc-title')).textContent()).toBe('DCGAN');
    const secondId = new URL(page.url()).searchParams.get('graph')!;
    expect(secondId).not.toBe('first');

    await page.click(tid('btn-recent'));
    const rows = page.locator(`${tid('recent-dialog')} li`);
    await expect.poll(() => rows.locator(tid('recent-title')).allTextContents()).toEqual(['DCGAN', 'Deep autoencoder']);
    await expect.poll(() => rows.nth(0).textContent()).toMatch(/saved just now · 9 nodes\s*open now/);
    expect(await rows.nth(1).textContent()).toMatch(/6 nodes/);
    // The first row's action has the keyboard focus; the open graph has no Open button.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open “Deep autoencoder”');
    await shot(page, 'recent-dialog');
    // The dialog holds the keyboard: the canvas's "A" (quick-add) does not open behind it.
    await page.keyboard.press('a');
    expect(await page.locator(tid('quick-add')).count()).toBe(0);

    await page.click(`${tid('recent-first')} ${tid('recent-open')}`);
    await page.waitForURL((u) => u.searchParams.get('graph') === 'first');
    await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
    expect(await page.locator(tid('doc-title')).textContent()).toBe('Deep autoencoder');
    expect(await page.locator('.react-flow__node').count()).toBe(6);

    // Delete asks inline; Keep leaves it, Delete removes it. (Dark theme, to see it in both.)
    await page.click(tid('btn-theme'));
    await page.click(tid('btn-recent'));
    const other = page.locator(tid(`recent-${secondId}`));
    await other.locator(tid('recent-delete')).click();
    await other.locator(tid('recent-delete-no')).click();
    await other.locator(tid('recent-delete')).click();
    await shot(page, 'recent-delete-confirm');
    await other.locator(tid('recent-delete-yes')).click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.click(tid('btn-recent'));
    await expect.poll(() => rows.locator(tid('recent-title')).allTextContents()).toEqual(['Deep autoencoder']);
    expect(errors).toEqual([]);
  });
});
