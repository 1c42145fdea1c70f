/**
 * Ports follow parameters in a real Chromium: the AE preset's deterministic
 * Encoder draws and lists z only; switching it to gaussian adds mean and
 * logVar, keeps the edge on z (drawn on a crossed-out port) and says why it is wrong.
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

describe('active ports', () => {
  it('a deterministic Encoder has no mean or logVar, and a switch keeps its edge with an error', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}#preset=ae`);
    await page.waitForSelector(tid('node-enc'));
    const handles = () => page.locator(`${tid('node-enc')} .port-out .port-handle`).evaluateAll((hs) => hs.map((h) => h.dataset.testid));
    expect(await handles()).toEqual(['handle-enc-out-z']);
    await page.click(`${tid('node-enc')} .graph-node-head`);
    expect(await page.locator('.port-table td:nth-child(2)').allTextContents()).toEqual(['x', 'z']);
    await shot(page, 'ports-ae-encoder');

    const edges = await page.locator('.react-flow__edge').count();
    await page.locator('#param-input-output').selectOption('gaussian');
    await expect.poll(handles).toEqual(['handle-enc-out-mean', 'handle-enc-out-logVar', 'handle-enc-out-z']);
    expect(await page.locator(`${tid('node-enc')} .port-inactive`).textContent()).toBe('z');
    expect(await page.locator('.port-table td:nth-child(2)').allTextContents()).toEqual(['x', 'mean', 'logVar']);
    expect(await page.locator('.react-flow__edge').count()).toBe(edges);
    expect(await page.locator(tid('node-errors-enc')).textContent()).toContain("this Encoder's output is gaussian: it has no z output");
    await shot(page, 'ports-encoder-switched');
    expect(errors).toEqual([]);
  });
});
