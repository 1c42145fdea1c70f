/**
 * Every preset opens readable: in the view a preset opens with, no text on
 * the canvas (node titles, ports, parameters, badges, edge shape labels)
 * renders under 11 px, measured as each element's computed font size times
 * the canvas zoom; a data node is on screen; the minimap draws every node and
 * Fit brings every node into view. A screenshot of each opening view is left
 * to look at.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shot, useBuiltApp, watchErrors, useBrowser } from './harness';

const MIN_PX = 11;
const PRESETS = readdirSync(join(import.meta.dirname, '../../presets'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

const app = useBuiltApp();
const browser = useBrowser({ viewport: { width: 1280, height: 800 } });

const zoomOf = (page: Page) => page.$eval('.react-flow__viewport', (el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);

/** The smallest rendered size of any text on the canvas, with the element that has it. */
function smallestText(page: Page, zoom: number) {
  return page.evaluate((z) => {
    let smallest = { px: Infinity, text: '', where: '' };
    let count = 0;
    for (const el of document.querySelectorAll<HTMLElement>('.react-flow__viewport *')) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (!own) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      count++;
      const px = parseFloat(style.fontSize) * z;
      if (px < smallest.px) smallest = { px, text: el.textContent!.trim().slice(0, 40), where: el.className.toString() };
    }
    return { ...smallest, count };
  }, zoom);
}

describe('every preset opens readable', () => {
  it.each(PRESETS)(
    '%s: no canvas text under 11 px',
    async (preset) => {
      const page = await browser.context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${app.url}#preset=${preset}`);
      await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
      // The opening frame is set once every node is measured: wait until the zoom stops changing.
      let zoom = 0;
      await expect
        .poll(async () => {
          const before = zoom;
          await page.waitForTimeout(250);
          zoom = await zoomOf(page);
          return zoom === before;
        })
        .toBe(true);
      const small = await smallestText(page, zoom);
      console.log(
        `${preset}: zoom ${zoom.toFixed(2)}, smallest text ${small.px.toFixed(1)} px (“${small.text}”, ${small.where}) of ${small.count}`,
      );
      expect(small.count).toBeGreaterThan(10);
      expect(small.px, `“${small.text}” (${small.where})`).toBeGreaterThanOrEqual(MIN_PX - 0.01);
      // The data side is where the view starts: a data node is on screen.
      const dataOnScreen = await page.$$eval('.react-flow__node', (nodes) => {
        const pane = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
        return nodes.some((n) => {
          const r = n.getBoundingClientRect();
          const type = n.querySelector('[data-type]')?.getAttribute('data-type');
          return (
            (type === 'dataset' || type === 'label') &&
            r.left >= pane.left &&
            r.right <= pane.right &&
            r.top >= pane.top &&
            r.bottom <= pane.bottom
          );
        });
      });
      expect(dataOnScreen).toBe(true);
      await shot(page, `legibility-${preset}`);
      // What the opening view leaves out is one step away: the minimap draws every node, and Fit brings every node into view.
      const count = await page.locator('.react-flow__node').count();
      expect(await page.locator('.react-flow__minimap-node').count()).toBe(count);
      await page.click('[data-testid="btn-fit"]');
      // Fit animates for 300 ms.
      await page.waitForTimeout(400);
      const outside = await page.$$eval('.react-flow__node', (nodes) => {
        const pane = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
        return nodes
          .filter((n) => {
            const r = n.getBoundingClientRect();
            return r.left < pane.left - 1 || r.right > pane.right + 1 || r.top < pane.top - 1 || r.bottom > pane.bottom + 1;
          })
          .map((n) => n.getAttribute('data-id'));
      });
      expect(outside, 'nodes outside the canvas after Fit').toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );
});
