/**
 * The guided tour on the built app: the VAE preset's Tour button opens a card
 * that takes the focus; every step shows its text, rings its node (framed on
 * the canvas, clear of the card) or opens its view in the Run tab; the arrow
 * keys move, Esc closes and the focus goes back to the button. axe finds
 * nothing with the card open, on a node step and on a view step. A step whose
 * node was deleted says so, and that graph still reopens from its autosave.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shot, useBuiltApp, watchErrors, useBrowser } from './harness';
import { violations } from './axe';

const app = useBuiltApp();
const browser = useBrowser({ viewport: { width: 1400, height: 900 } });

const tid = (id: string) => `[data-testid="${id}"]`;

interface Step {
  id: string;
  text: string;
  target?: { node?: string; view?: string };
}

type Box = { x: number; y: number; width: number; height: number };
const inside = (a: Box, b: Box) =>
  a.x >= b.x - 1 && a.y >= b.y - 1 && a.x + a.width <= b.x + b.width + 1 && a.y + a.height <= b.y + b.height + 1;
const overlap = (a: Box, b: Box) =>
  Math.min(a.x + a.width, b.x + b.width) > Math.max(a.x, b.x) && Math.min(a.y + a.height, b.y + b.height) > Math.max(a.y, b.y);

/** The ids of the elements that carry the tour's ring: a node's data-id, else the element's test id or id. */
const ringed = (page: Page) =>
  page.$$eval('[data-tour-target]', (els) =>
    els.map((e) => e.getAttribute('data-id') ?? e.getAttribute('data-testid') ?? e.id ?? e.className),
  );

describe('guided tour', () => {
  it('VAE: every step rings its node or opens its view, the keys move and close it, and axe finds nothing', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(`${app.url}#preset=vae`);
      await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
      await page.click(tid('btn-fit'));
      const doc = (await page.evaluate(() => window.latentLab!.getDocument())) as { tour: { steps: Step[] } };
      const steps = doc.tour.steps;
      expect(steps.length).toBe(8);

      const button = page.locator(tid('btn-tour'));
      await button.click();
      const card = page.locator(tid('tour-card'));
      await card.waitFor();
      expect(await card.getAttribute('role')).toBe('dialog');
      // The card took the focus.
      expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="tour-card"]'))).toBe(true);
      expect(await button.getAttribute('aria-pressed')).toBe('true');

      for (const [i, step] of steps.entries()) {
        await expect.poll(() => page.locator(tid('tour-count')).textContent()).toBe(`Step ${i + 1} of ${steps.length}`);
        expect(await page.locator(tid('tour-text')).textContent()).toBe(step.text);
        const node = step.target?.node;
        const view = step.target?.view;
        if (node) {
          const el = page.locator(`.react-flow__node[data-id="${node}"]`);
          await expect.poll(() => el.getAttribute('data-tour-target'), { timeout: 10_000 }).toBe('');
          // Framed: wait for the canvas to finish moving, then the node lies in the pane and clear of the card.
          await page.waitForTimeout(450);
          const pane = (await page.locator(`${tid('canvas')} .react-flow`).boundingBox())!;
          const box = (await el.boundingBox())!;
          expect(inside(box, pane), `${step.id}: ${JSON.stringify(box)} in ${JSON.stringify(pane)}`).toBe(true);
          expect(overlap(box, (await card.boundingBox())!), step.id).toBe(false);
          expect(await el.locator('.graph-node.selected').count()).toBe(1);
          expect(await page.locator(tid('tour-where')).textContent()).toContain('On the canvas');
        } else if (view) {
          await expect.poll(() => page.locator(tid('tab-run')).getAttribute('aria-selected')).toBe('true');
          // The view appears once the worker has compiled the graph.
          await page.waitForSelector('#dock-panel .run-view[data-tour-target]', { timeout: 120_000 });
          const box = (await page.locator('[data-tour-target]').boundingBox())!;
          expect(box.y + 20, step.id).toBeLessThan(900);
          expect(await page.locator(tid('tour-where')).textContent()).toMatch(/^Look at the /);
        }
        expect(await ringed(page), step.id).toEqual(node ? [node] : view ? [expect.anything()] : []);
        if (step.id === 'sampler') {
          await shot(page, 'tour-vae-sampler');
          expect(await violations(page), 'node step').toEqual([]);
        }
        if (step.id === 'loss') {
          await shot(page, 'tour-vae-loss');
          expect(await violations(page), 'view step').toEqual([]);
        }
        if (i < steps.length - 1) await page.keyboard.press('ArrowRight');
      }

      // The last step: Back goes one step back, and Next says Finish.
      expect(await page.locator(tid('tour-next')).textContent()).toBe('Finish');
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => page.locator(tid('tour-count')).textContent()).toBe(`Step ${steps.length - 1} of ${steps.length}`);
      await page.click(tid('tour-back'));
      await expect.poll(() => page.locator(tid('tour-count')).textContent()).toBe(`Step ${steps.length - 2} of ${steps.length}`);

      // Esc closes it: no ring is left, and the focus is back on the Tour button.
      await page.keyboard.press('Escape');
      await card.waitFor({ state: 'detached' });
      expect(await page.locator('[data-tour-target]').count()).toBe(0);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('btn-tour');
      expect(await button.getAttribute('aria-pressed')).toBe('false');

      // Opened again it starts at the first step; another graph without a tour ends it and hides the button.
      await button.click();
      await expect.poll(() => page.locator(tid('tour-count')).textContent()).toBe(`Step 1 of ${steps.length}`);
      await page.goto(`${app.url}#preset=ae`);
      await page.waitForSelector(`${tid('canvas')} .react-flow__node[data-id]`);
      await expect.poll(() => page.locator(tid('btn-tour')).count()).toBe(0);
      expect(await card.count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 240_000);

  it('VAE, dark: a step whose node was deleted says so, and the graph still reopens from its autosave with the tour', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(`${app.url}#preset=vae`);
      await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
      await page.click(tid('btn-theme'));
      await page.click(tid('btn-tour'));
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.locator(tid('tour-where')).textContent()).toContain('KL to prior');
      // The step selected its node: Delete removes it, as it would any selection.
      await page.keyboard.press('Delete');
      await expect
        .poll(() => page.locator(tid('tour-where')).textContent())
        .toMatch(/points at the node “kl”, which this graph does not have/);
      expect(await page.locator('[data-tour-target]').count()).toBe(0);
      await shot(page, 'tour-vae-deleted-dark');
      await page.evaluate(() => window.latentLab!.flush());
      await page.reload();
      await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
      await expect.poll(() => page.locator('.react-flow__node[data-id]').count()).toBe(11);
      expect(await page.locator('.notice.error').count()).toBe(0);
      expect(await page.locator(tid('btn-tour')).count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
