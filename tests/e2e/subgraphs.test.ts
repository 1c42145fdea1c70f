/**
 * Subgraphs in the built app: the 2-D VAE's Decoder opened as its layers,
 * one layer's activation changed to tanh and a Dropout inserted, back to the
 * graph, 50 training steps with the edited network; exported and imported
 * again, the edit survives. Then three of the AE encoder's layers, unpacked,
 * are collapsed into a Block from the inspector, and the graph trains.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { launch, openRunPanel, shot, useBuiltApp, waitForStep, watchErrors } from './harness';

const app = useBuiltApp();
const getDoc = (page: Page) => page.evaluate(() => window.latentLab!.getDocument() as GraphDocument);
const definitionOf = (doc: GraphDocument, nodeId: string) =>
  doc.blocks?.find((b) => b.id === doc.nodes.find((n) => n.id === nodeId)?.block);

async function trainSteps(page: Page, steps: number) {
  await page.getByTestId('run-play').click();
  await waitForStep(page, steps, 120_000);
  await page.getByTestId('run-pause').click();
  return page.evaluate(() => {
    const s = window.latentLabRun!.runStore.getState();
    return { step: s.step, notices: s.notices.map((n) => `${n.kind}: ${n.text}`), terms: Object.keys(s.curves.series) };
  });
}

describe('subgraphs (e2e)', () => {
  it('edits the 2-D VAE’s Decoder as layers, trains 50 steps, and the edit survives export and import', async () => {
    const browser = await launch({ viewport: { width: 1400, height: 1000 } });
    const dir = mkdtempSync(join(tmpdir(), 'latent-lab-subgraphs-'));
    try {
      const page = await browser.context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=vae-2d-moons`);
      await page.getByTestId('btn-fit').click();
      await page.getByTestId('open-block-dec').click();
      const view = page.getByTestId('block-view');
      await view.waitFor();
      // The block opens as its own canvas: its input, three layers, its output.
      const canvas = view.getByTestId('block-canvas');
      await canvas.waitFor();
      await expect.poll(() => canvas.locator('.block-part').count()).toBe(5);
      await canvas.getByTestId('block-part-dense0').click();
      await page.locator('#layer-dense0-input-activation').selectOption('tanh');
      await expect.poll(() => canvas.getByTestId('block-part-dense0').textContent()).toMatch(/activation tanh/);
      // Insert after the selected layer, from the panel beside the canvas; the new layer is selected.
      await page.getByTestId('insert-layer-type').selectOption('dropout');
      expect(await page.getByTestId('insert-layer-after').inputValue()).toBe('layer:dense0');
      await page.getByRole('button', { name: 'Insert layer' }).click();
      await expect.poll(() => canvas.getByTestId('block-part-dropout_1').textContent()).toMatch(/rate 0\.3.*128×64/s);
      expect(await view.getByTestId('block-canvas-side').textContent()).toMatch(/Dropout/);
      expect(await canvas.locator('.react-flow__edge').count()).toBe(5);
      expect(await canvas.locator('.react-flow__edge-text').allTextContents()).toContain('128×64');
      await shot(page, 'subgraphs-00-decoder-canvas');
      // Delete removes the selected layer; Ctrl Z puts it back.
      await canvas.getByTestId('block-part-dense1').click();
      await page.keyboard.press('Delete');
      await expect.poll(() => canvas.locator('.block-part').count()).toBe(5);
      await page.keyboard.press('Control+z');
      await expect.poll(() => canvas.locator('.block-part').count()).toBe(6);

      // The same layers as a list.
      await view.getByTestId('block-show-list').click();
      const dropout = view.getByTestId('layer-row-dropout_1');
      await dropout.waitFor();
      expect(await dropout.textContent()).toMatch(/rate 0\.3.*dense0.*128×64/s);
      expect(await view.getByTestId('layer-row-dense0').textContent()).toMatch(/activation tanh/);
      expect(await view.getByTestId('block-own-layers').isVisible()).toBe(true);
      await shot(page, 'subgraphs-01-decoder-edited');
      // Reorder and delete, each one undo step, undone with the editor's own buttons and keys.
      const order = async () => await view.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
      await page.getByTestId('layer-down-dropout_1').click();
      await expect.poll(order).toEqual(['layer-row-dense0', 'layer-row-dense1', 'layer-row-dropout_1', 'layer-row-out']);
      await page.getByTestId('layer-delete-dense1').click();
      await expect.poll(order).toEqual(['layer-row-dense0', 'layer-row-dropout_1', 'layer-row-out']);
      await page.getByTestId('block-undo').click();
      await page.keyboard.press('Control+z');
      await expect.poll(order).toEqual(['layer-row-dense0', 'layer-row-dropout_1', 'layer-row-dense1', 'layer-row-out']);
      await page.keyboard.press('Control+Shift+z');
      await expect.poll(order).toEqual(['layer-row-dense0', 'layer-row-dense1', 'layer-row-dropout_1', 'layer-row-out']);
      await page.getByTestId('block-undo').click();
      await expect.poll(order).toEqual(['layer-row-dense0', 'layer-row-dropout_1', 'layer-row-dense1', 'layer-row-out']);
      await page.getByTestId('block-back').click();
      await expect.poll(() => view.count()).toBe(0);
      // On the canvas the block says it runs its own layer list, not the parameters it no longer follows.
      expect(await page.getByTestId('own-layers-dec').textContent()).toBe('4, edited');

      const edited = await getDoc(page);
      const layers = definitionOf(edited, 'dec')!.nodes;
      expect(layers.map((n) => n.id)).toEqual(['dense0', 'dropout_1', 'dense1', 'out']);
      expect(layers[0].params.activation).toBe('tanh');

      const run = await trainSteps(page, 50);
      expect(run.step).toBeGreaterThanOrEqual(50);
      expect(run.notices.filter((n) => n.startsWith('error'))).toEqual([]);
      await shot(page, 'subgraphs-02-trained');

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export').click()]);
      const file = join(dir, 'edited.json');
      await download.saveAs(file);
      await page.getByTestId('btn-new').click();
      await expect.poll(async () => (await getDoc(page)).nodes.length).toBe(0);
      await page.getByTestId('import-input').setInputFiles(file);
      await expect.poll(async () => (await getDoc(page)).nodes.length).toBe(edited.nodes.length);
      const back = await getDoc(page);
      expect(definitionOf(back, 'dec')).toEqual(definitionOf(edited, 'dec'));
      expect(JSON.parse(readFileSync(file, 'utf8')).blocks).toEqual(edited.blocks);
      await page.getByTestId('btn-fit').click();
      await page.getByTestId('open-block-dec').click();
      expect(await view.getByTestId('block-part-dropout_1').isVisible()).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await browser.close();
    }
  }, 300_000);

  it('opens either half of a shared discriminator as one set of layers', async () => {
    const browser = await launch({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await browser.context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${app.url}#preset=gan`);
      await page.getByTestId('btn-fit').click();
      await page.getByTestId('open-block-dFake').click();
      const view = page.getByTestId('block-view');
      expect(await view.getByTestId('block-shared').textContent()).toMatch(/same ones/);
      await view.getByTestId('block-show-list').click();
      await view.getByTestId('layer-edit-conv0').click();
      await page.locator('#layer-conv0-input-activation').selectOption('tanh');
      await shot(page, 'subgraphs-04-shared-block');
      await page.getByTestId('block-back').click();
      const doc = await getDoc(page);
      const ref = (id: string) => doc.nodes.find((n) => n.id === id)!.block;
      expect(ref('dReal')).toBeDefined();
      expect(ref('dFake')).toBe(ref('dReal'));
      expect(definitionOf(doc, 'dReal')!.nodes[0].params.activation).toBe('tanh');
      expect(doc.blocks).toHaveLength(1);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('collapses three of the AE encoder’s layers into one Block from the inspector, and it trains', async () => {
    const browser = await launch({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await browser.context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=ae`);
      await page.getByTestId('btn-fit').click();
      await page.getByTestId('open-block-enc').click();
      await page.getByTestId('block-view').waitFor();
      await page.getByTestId('unpack-block').click();
      const before = await getDoc(page);
      const layers = before.nodes.filter((n) => n.id.startsWith('enc')).map((n) => n.id);
      expect(layers.length).toBeGreaterThanOrEqual(4);
      // Unpacking selects every new layer; the first stays out of the block (a Ctrl-click takes it out of the selection).
      await page.getByRole('button', { name: 'Fit', exact: true }).click();
      await page.getByTestId(`node-${layers[0]}`).click({ modifiers: ['Control'], position: { x: 10, y: 6 } });
      await expect.poll(() => page.getByRole('heading', { name: `${layers.length - 1} nodes selected` }).count()).toBe(1);
      await page.getByTestId('collapse-title').fill('Three layers');
      await page.getByTestId('collapse-block').click();
      const view = page.getByTestId('block-view');
      await view.waitFor();
      await view.getByTestId('block-show-list').click();
      expect(await view.locator('tbody tr').count()).toBe(layers.length - 1);
      await shot(page, 'subgraphs-03-collapsed-block');
      await page.getByTestId('block-back').click();
      const after = await getDoc(page);
      const block = after.nodes.find((n) => n.label === 'Three layers' || n.params.title === 'Three layers' || definitionOf(after, n.id));
      expect(block).toBeTruthy();
      expect(after.nodes.filter((n) => layers.slice(1).includes(n.id))).toEqual([]);
      const run = await trainSteps(page, 20);
      expect(run.step).toBeGreaterThanOrEqual(20);
      expect(run.notices.filter((n) => n.startsWith('error'))).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await browser.close();
    }
  }, 300_000);
});
