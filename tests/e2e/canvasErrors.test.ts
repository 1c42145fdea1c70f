/**
 * Errors where they are (issue 18): a shape broken on the VAE shows its
 * message, hint and fix on the node, the bad edge turns red with both shapes,
 * the fix is one click and one undo step; a refused connect says why.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { shot, useBuiltApp, watchErrors, useBrowser } from './harness';
import { violations } from './axe';

const app = useBuiltApp();
const browser = useBrowser({ viewport: { width: 1400, height: 900 } });

const tid = (id: string) => `[data-testid="${id}"]`;
const getDoc = (page: Page) => page.evaluate(() => window.latentLab!.getDocument() as GraphDocument);
const units = async (page: Page, id: string) => (await getDoc(page)).nodes.find((n) => n.id === id)?.params.units;

/** The VAE preset as it opens (at zoom 1, the data side in view), or fitted whole. */
async function openVae({ fit = false } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app.url}#preset=vae`);
  await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
  if (fit) await page.click(tid('btn-fit'));
  await page.waitForTimeout(600);
  return { page, errors };
}

/** Whether two boxes overlap. */
const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('errors on the canvas', () => {
  it('a log σ² head of the wrong size: message, hint and fix on the Sampler, a red edge with both shapes, one undo step', async () => {
    const { page, errors } = await openVae();
    await page.click(`${tid('node-logvar')} .graph-node-head`);
    const input = page.locator('#param-input-units');
    await input.fill('16');
    await input.press('Enter');
    await page.keyboard.press('Escape');

    const onSampler = page.locator(tid('node-errors-z'));
    await expect.poll(() => onSampler.textContent()).toContain('μ is B×20 but log σ² is B×16');
    await expect.poll(() => page.locator(tid('node-hint-z')).textContent()).toBe('give both heads the same number of units');
    const fix = page.locator(tid('node-fix-z'));
    expect(await fix.textContent()).toBe("Fix: set log σ² head's units to 20");
    // Readable at zoom 1 and clear of the node's ports.
    expect(await page.evaluate(() => document.querySelector('.react-flow__viewport')!.getAttribute('style'))).toMatch(/scale\(1\)/);
    for (const sel of [tid('node-hint-z'), tid('node-fix-z')])
      expect(parseFloat(await page.locator(sel).evaluate((el) => getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(11);
    const fixBox = (await fix.boundingBox())!;
    for (const handle of await page.locator(`${tid('node-z')} .port-handle`).all())
      expect(overlaps(fixBox, (await handle.boundingBox())!)).toBe(false);

    const label = page.locator(tid('edge-label-logvar.y-z.logVar'));
    expect(await label.textContent()).toBe('128×16 → expects 128×20');
    expect(await label.getAttribute('class')).toContain('invalid');
    expect(await page.locator('[data-id="logvar.y-z.logVar"] path.react-flow__edge-path').getAttribute('style')).toContain('var(--danger)');
    expect(await page.locator(tid('edge-label-mu.y-z.mean')).getAttribute('class')).not.toContain('invalid');
    // Pan (at zoom 1) so the Sampler and both heads are in view, as a learner would.
    await page.mouse.move(600, 560);
    await page.mouse.down();
    await page.mouse.move(250, 430, { steps: 8 });
    await page.mouse.up();
    await page.waitForTimeout(200);
    await shot(page, 'canvas-errors-broken-vae');
    expect(await violations(page), 'broken VAE').toEqual([]);

    // The Problems panel offers the same fix.
    await page.click(tid('tab-problems'));
    await expect.poll(() => page.locator(tid('error-fix')).count()).toBe(2);
    expect(await violations(page), 'broken VAE, Problems open').toEqual([]);
    await shot(page, 'canvas-errors-problems');

    await fix.click();
    await expect.poll(() => page.locator(tid('node-errors-z')).count()).toBe(0);
    expect(await units(page, 'logvar')).toBe(20);
    expect(await page.locator(tid('edge-label-logvar.y-z.logVar')).textContent()).toBe('128×20');
    expect(await page.locator(tid('error-count')).textContent()).toBe('0');
    // One undo step brings the break back, and its fix with it.
    await page.locator(tid('canvas')).click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => units(page, 'logvar')).toBe(16);
    await expect.poll(() => page.locator(tid('node-fix-z')).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a refused connect says why in a notice, and handles are drawn by kind', async () => {
    const { page, errors } = await openVae({ fit: true });
    expect(await page.locator(tid('handle-z-out-z')).getAttribute('data-kind')).toBe('latent');
    expect(await page.locator(tid('handle-kl-in-mean')).getAttribute('data-kind')).toBe('mean');
    expect(await page.locator(tid('handle-elbo-out-loss')).getAttribute('data-kind')).toBe('loss');
    const before = await getDoc(page);
    const center = async (sel: string) => {
      const b = (await page.locator(tid(sel)).boundingBox())!;
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const a = await center('handle-z-out-z');
    const b = await center('handle-kl-in-mean');
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await page.mouse.move(b.x, b.y, { steps: 5 });
    await expect
      .poll(() => page.locator(tid('connection-reason')).textContent())
      .toMatch(/^mean takes a mean μ, but Sampler\.z gives a latent code z/);
    await page.mouse.up();
    await expect.poll(() => page.locator(tid('notice')).last().textContent()).toMatch(/Not connected: mean takes a mean μ/);
    await shot(page, 'canvas-errors-refused-kind');
    // The help overlay names every kind beside its glyph.
    await page.click(tid('btn-help'));
    await page.waitForSelector(tid('port-legend'));
    expect(await page.locator(`${tid('port-legend')} svg`).count()).toBe(11);
    await shot(page, 'canvas-errors-port-legend');
    expect(await violations(page), 'help with the legend').toEqual([]);
    await page.keyboard.press('Escape');
    expect(await getDoc(page)).toEqual(before);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
