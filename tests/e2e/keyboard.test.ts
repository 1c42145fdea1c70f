/**
 * The editor with the keyboard alone (no mouse call anywhere in this file):
 * from an empty canvas, build the VAE — add every node from the palette's
 * search, wire every edge from the inspector's input list, set the layer
 * sizes and activations — and press Train. Then: dialogs take, trap and give
 * back the focus, and deleting the focused node leaves the focus on the canvas.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { shot, useBuiltApp, watchErrors, useBrowser } from './harness';

const app = useBuiltApp();
const browser = useBrowser({ viewport: { width: 1400, height: 900 } });

const getDoc = (page: Page) => page.evaluate(() => window.latentLab!.getDocument() as GraphDocument);
const focusMatches = (page: Page, selector: string) => page.evaluate((sel) => !!document.activeElement?.matches(sel), selector);

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`. */
async function tabTo(page: Page, selector: string, { back = false, max = 400 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await focusMatches(page, selector)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200));
  throw new Error(`Tab never reached ${selector}; the focus is on ${at}`);
}

/** With a <select> focused, moves its choice to the option whose text contains `text`, with the arrow keys. */
async function arrowToOption(page: Page, text: string) {
  const { from, to, options } = await page.evaluate((t) => {
    const sel = document.activeElement as HTMLSelectElement;
    const opts = [...sel.options].map((o) => o.text);
    return { from: sel.selectedIndex, to: opts.findIndex((o) => o.includes(t)), options: opts };
  }, text);
  if (to < 0) throw new Error(`no option contains “${text}”: ${options.join(' | ')}`);
  for (let i = from; i < to; i++) await page.keyboard.press('ArrowDown');
  for (let i = from; i > to; i--) await page.keyboard.press('ArrowUp');
  expect(await page.evaluate(() => (document.activeElement as HTMLSelectElement).selectedIndex)).toBe(to);
}

/** Adds a node by typing in the palette's search and pressing Enter; returns the new node's id. */
async function addFromPalette(page: Page, query: string, type: string): Promise<string> {
  await tabTo(page, '[data-testid="palette-search"]', { back: true });
  await page.keyboard.press('Control+A');
  await page.keyboard.type(query);
  const before = (await getDoc(page)).nodes.map((n) => n.id);
  // The best match is highlighted (and announced as the active option), wherever its category sits in the list.
  expect(await page.getAttribute('[data-testid="palette-search"]', 'aria-activedescendant')).toBe(`palette-option-${type}`);
  await page.keyboard.press('Enter');
  const added = (await getDoc(page)).nodes.filter((n) => !before.includes(n.id));
  expect(added.map((n) => n.type)).toEqual([type]);
  return added[0].id;
}

/** Wires `target.port` to `source.sourcePort` from the inspector (the target is the selected node). */
async function connect(page: Page, target: string, port: string, source: string, sourcePort: string) {
  await tabTo(page, `[data-testid="connect-${target}-${port}"]`);
  await arrowToOption(page, `${source} · ${sourcePort}`);
  await page.keyboard.press('Tab');
  expect(await focusMatches(page, `[data-testid="connect-${target}-${port}-apply"]`)).toBe(true);
  await page.keyboard.press('Enter');
  await expect
    .poll(async () =>
      (await getDoc(page)).edges.some(
        (e) => e.source === source && e.sourcePort === sourcePort && e.target === target && e.targetPort === port,
      ),
    )
    .toBe(true);
}

async function typeParam(page: Page, name: string, value: string) {
  await tabTo(page, `#param-input-${name}`);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(value);
  await page.keyboard.press('Enter');
}

async function chooseParam(page: Page, name: string, option: string) {
  await tabTo(page, `#param-input-${name}`);
  await arrowToOption(page, option);
}

async function dense(page: Page, units: number, activation: string, from: string): Promise<string> {
  const id = await addFromPalette(page, 'dense', 'dense');
  await connect(page, id, 'x', from, 'y');
  await typeParam(page, 'units', String(units));
  await chooseParam(page, 'activation', activation);
  return id;
}

describe('keyboard only', () => {
  it('builds the VAE from an empty canvas and trains it', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}?graph=keyboard-vae`);
    await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
    await page.keyboard.press('Tab');
    await tabTo(page, '[data-testid="btn-new"]');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await getDoc(page)).nodes.length).toBe(0);

    const data = await addFromPalette(page, 'dataset', 'dataset');
    const flat = await addFromPalette(page, 'flatten', 'flatten');
    await connect(page, flat, 'x', data, 'x');
    const enc = await dense(page, 512, 'relu', flat);
    const mu = await dense(page, 20, 'linear', enc);
    const logvar = await dense(page, 20, 'linear', enc);
    const z = await addFromPalette(page, 'sampler', 'sampler');
    await connect(page, z, 'mean', mu, 'y');
    await connect(page, z, 'logVar', logvar, 'y');
    const dec = await addFromPalette(page, 'dense', 'dense');
    await connect(page, dec, 'x', z, 'z');
    await typeParam(page, 'units', '512');
    const logits = await dense(page, 784, 'linear', dec);
    const recon = await addFromPalette(page, 'binary cross', 'bce');
    await connect(page, recon, 'prediction', logits, 'y');
    await connect(page, recon, 'target', flat, 'y');
    const kl = await addFromPalette(page, 'gaussian kl', 'gaussianKl');
    await connect(page, kl, 'mean', mu, 'y');
    await connect(page, kl, 'logVar', logvar, 'y');
    const elbo = await addFromPalette(page, 'weighted sum', 'weightedSum');
    await connect(page, elbo, 'a', recon, 'loss');
    await connect(page, elbo, 'b', kl, 'loss');
    const adam = await addFromPalette(page, 'optimizer', 'optimizer');
    await connect(page, adam, 'loss', elbo, 'loss');

    const doc = await getDoc(page);
    expect(doc.nodes).toHaveLength(12);
    expect(doc.edges).toHaveLength(15);
    const params = (id: string) => doc.nodes.find((n) => n.id === id)!.params;
    expect(params(enc)).toMatchObject({ units: 512 });
    expect(params(mu)).toMatchObject({ units: 20, activation: 'linear' });
    expect(params(logits)).toMatchObject({ units: 784, activation: 'linear' });
    await expect.poll(() => page.locator('[data-testid="error-count"]').textContent()).toBe('0');
    await shot(page, 'keyboard-vae-built');

    // Play: the toolbar's Train button, reached with Shift+Tab from wherever the focus is now.
    await tabTo(page, '[data-testid="btn-train"]', { back: true });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window.latentLabRun?.runStore.getState().step ?? 0) >= 2, null, { timeout: 120_000 });
    await shot(page, 'keyboard-vae-training');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('dialogs take, trap and give back the focus; a delete leaves the focus on the canvas', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}?graph=keyboard-focus`);
    await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
    await page.keyboard.press('Tab');
    await tabTo(page, '[data-testid="btn-presets"]');
    await page.keyboard.press('Enter');
    const inDialog = () => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
    await expect.poll(inDialog).toBe(true);
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press(i % 3 ? 'Tab' : 'Shift+Tab');
      expect(await inDialog()).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => focusMatches(page, '[data-testid="btn-presets"]')).toBe(true);

    // Quick-add (A) from a focused node, Escape: back on that node.
    await tabTo(page, '.react-flow__node');
    const focusedNode = await page.evaluate(() => document.activeElement!.getAttribute('data-id'));
    const name = await page.evaluate(() => document.activeElement!.getAttribute('aria-label'));
    expect(name).toMatch(/: (in|out) /);
    await page.keyboard.press('a');
    await expect.poll(() => focusMatches(page, '[data-testid="quick-add-input"]')).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-id'))).toBe(focusedNode);

    // Select the focused node (Enter) and delete it: the focus moves to a neighbour, not to the page.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await getDoc(page)).nodes.some((n) => n.id === focusedNode)).toBe(false);
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('react-flow__node') ?? false)).toBe(true);
    await shot(page, 'keyboard-focus-after-delete');

    // The palette's arrows walk the list as shown; Enter adds the highlighted type.
    await tabTo(page, '[data-testid="palette-search"]', { back: true });
    const order = await page.$$eval('.palette-item', (items) => items.map((i) => i.id));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const third = await page.getAttribute('[data-testid="palette-search"]', 'aria-activedescendant');
    expect(third).toBe(order[2]);
    const before = (await getDoc(page)).nodes.length;
    await page.keyboard.press('Enter');
    const after = await getDoc(page);
    expect(after.nodes).toHaveLength(before + 1);
    expect(`palette-option-${after.nodes.at(-1)!.type}`).toBe(third);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
