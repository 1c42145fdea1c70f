/**
 * The editor in a real Chromium: build a graph by hand, break and fix shapes,
 * undo/redo, reload, files, share links and refused connections. Each test
 * leaves a screenshot in tests/e2e/screenshots/ to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { GraphDocument } from '../../src/graph/document';
import { buildApp, launch, serve, shot, watchErrors } from './harness';

let dist: string;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Awaited<ReturnType<typeof launch>>;
let context: BrowserContext;

beforeAll(async () => {
  dist = buildApp();
  server = await serve(dist);
  browser = await launch();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/**
 * Each test edits its own saved graph so autosaves never collide. A graph opens
 * at a readable zoom, cut at the right; tests that click nodes anywhere ask for
 * the whole graph in view first (Fit), unless `fit` is false.
 */
async function open(graph: string, { fit = true } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}?graph=${graph}`);
  await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
  if (fit) {
    await page.click('[data-testid="btn-fit"]');
    await page.waitForTimeout(400);
  }
  return { page, errors };
}

const getDoc = (page: Page) => page.evaluate(() => window.latentLab!.getDocument() as GraphDocument);
const tid = (id: string) => `[data-testid="${id}"]`;

async function center(page: Page, selector: string) {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags from one port handle to another with real mouse moves, as a user would. */
async function dragConnect(page: Page, from: string, to: string, release = true) {
  const a = await center(page, tid(from));
  const b = await center(page, tid(to));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  if (release) await page.mouse.up();
}

async function setParam(page: Page, nodeId: string, name: string, value: string) {
  await page.click(`${tid(`node-${nodeId}`)} .graph-node-head`);
  const input = page.locator(`#param-input-${name}`);
  await input.fill(value);
  await input.press('Enter');
}

describe('editor end to end', () => {
  it('opens with the VAE preset, no problems and no console errors', async () => {
    const { page, errors } = await open('first', { fit: false });
    expect(await page.locator('.react-flow__node').count()).toBe(12);
    await expect.poll(() => page.locator(tid('error-count')).textContent()).toBe('0');
    expect(await page.locator(tid('edge-label-flat.y-enc.x')).textContent()).toBe('128×784');
    await shot(page, '01-vae-preset');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('builds a VAE from an empty canvas with the palette and drag-connect only', async () => {
    const { page, errors } = await open('build');
    await page.click(tid('btn-new'));
    await expect.poll(async () => (await getDoc(page)).nodes.length).toBe(0);
    // The drop grid below is in screen pixels: zoom out far enough that nine columns of nodes do not overlap.
    for (
      let i = 0;
      i < 6 && (await page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a)) > 0.45;
      i++
    ) {
      await page.click('.react-flow__controls-zoomout');
      await page.waitForTimeout(150);
    }
    const layout: [string, number, number][] = [
      ['dataset', 0, 1],
      ['flatten', 1, 1],
      ['dense', 2, 1],
      ['dense', 3, 0],
      ['dense', 3, 2],
      ['sampler', 4, 1],
      ['dense', 5, 1],
      ['dense', 6, 1],
      ['gaussianKl', 5, 2],
      ['bce', 7, 0],
      ['weightedSum', 7, 2],
      ['optimizer', 8, 2],
    ];
    const canvas = (await page.locator(tid('canvas')).boundingBox())!;
    for (const [type, col, row] of layout) {
      await page.locator(tid(`palette-item-${type}`)).dragTo(page.locator(tid('canvas')), {
        targetPosition: { x: 20 + col * 82, y: 60 + row * 120 },
      });
    }
    expect(canvas.width).toBeGreaterThan(600);
    const doc = await getDoc(page);
    expect(doc.nodes.map((n) => n.type)).toEqual(layout.map(([t]) => t));
    await page.click(tid('btn-fit'));
    await page.waitForTimeout(400);
    // The logits layer must give one value per pixel before the loss accepts it.
    await setParam(page, 'dense_5', 'units', '784');
    await page.locator('#param-input-activation').selectOption('linear');
    const wires: [string, string][] = [
      ['dataset_1-out-x', 'flatten_1-in-x'],
      ['flatten_1-out-y', 'dense_1-in-x'],
      ['dense_1-out-y', 'dense_2-in-x'],
      ['dense_1-out-y', 'dense_3-in-x'],
      ['dense_2-out-y', 'sampler_1-in-mean'],
      ['dense_3-out-y', 'sampler_1-in-logVar'],
      ['sampler_1-out-z', 'dense_4-in-x'],
      ['dense_4-out-y', 'dense_5-in-x'],
      ['dense_5-out-y', 'bce_1-in-prediction'],
      ['flatten_1-out-y', 'bce_1-in-target'],
      ['dense_2-out-y', 'gaussianKl_1-in-mean'],
      ['dense_3-out-y', 'gaussianKl_1-in-logVar'],
      ['bce_1-out-loss', 'weightedSum_1-in-a'],
      ['gaussianKl_1-out-loss', 'weightedSum_1-in-b'],
      ['weightedSum_1-out-loss', 'optimizer_1-in-loss'],
    ];
    for (const [from, to] of wires) await dragConnect(page, `handle-${from}`, `handle-${to}`);
    const built = await getDoc(page);
    expect(built.edges).toHaveLength(15);
    await expect.poll(() => page.locator(tid('error-count')).textContent()).toBe('0');
    expect(await page.locator(tid('errors-empty')).isVisible()).toBe(true);
    await page.click(tid('btn-layout'));
    await page.waitForTimeout(600);
    await shot(page, '02-built-vae');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a broken shape on the node and in the panel with a hint', async () => {
    const { page } = await open('break');
    await setParam(page, 'logvar', 'units', '10');
    const onNode = page.locator(tid('node-errors-z'));
    await expect.poll(() => onNode.textContent()).toContain('B×20');
    const item = page.locator(`${tid('error-item')}[data-node="z"]`);
    expect(await item.textContent()).toContain('log σ²');
    expect(await item.locator(tid('error-hint')).textContent()).toMatch(/same number of units/);
    await item.click();
    await page.waitForTimeout(400);
    expect(await page.locator(tid('inspector-title')).textContent()).toMatch(/Sampler/);
    await shot(page, '03-shape-error');
    // An invalid value typed in the inspector is shown as invalid and never reaches the document.
    await page.click(`${tid('node-logvar')} .graph-node-head`);
    await page.locator('#param-input-units').fill('-3');
    await page.locator('#param-input-units').press('Enter');
    expect(await page.locator(tid('param-error-units')).textContent()).toMatch(/out of range/);
    expect((await getDoc(page)).nodes.find((n) => n.id === 'logvar')!.params.units).toBe(10);
    await shot(page, '04-invalid-param');
    // Zoomed far out, nodes are title blocks: the broken one still counts its problem, its edge still red, no labels.
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    for (let i = 0; i < 14 && (await page.locator('.graph-node.far').count()) === 0; i++) await page.click('.react-flow__controls-zoomout');
    expect(await page.locator('.graph-node:not(.far)').count()).toBe(0);
    expect(await page.locator(`${tid('node-z')} .far-errors`).textContent()).toMatch(/1/);
    expect(await page.locator('.edge-label').count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBe((await getDoc(page)).edges.length);
    await shot(page, '04b-zoomed-far');
    await page.close();
  });

  it('undoes and redoes ten mixed edits exactly', async () => {
    const { page } = await open('undo');
    const states = [await getDoc(page)];
    const step = async (edit: () => Promise<unknown>) => {
      await edit();
      // Auto-layout loads elkjs on first use, which takes a while on a loaded machine.
      await expect
        .poll(async () => JSON.stringify(await getDoc(page)), { timeout: 15_000 })
        .not.toBe(JSON.stringify(states[states.length - 1]));
      // A drag or a layout may land in more than one write on a loaded machine: record the settled document.
      let settled = JSON.stringify(await getDoc(page));
      for (let same = 0; same < 3;) {
        await page.waitForTimeout(150);
        const now = JSON.stringify(await getDoc(page));
        same = now === settled ? same + 1 : 0;
        settled = now;
      }
      states.push(JSON.parse(settled));
    };
    const pane = async () => page.click(`${tid('canvas')} .react-flow__pane`, { position: { x: 30, y: 30 } });
    await step(() => setParam(page, 'enc', 'units', '256'));
    await step(async () => {
      await page.locator(tid('inspector-label')).fill('Encoder body');
      await page.locator(tid('inspector-label')).press('Enter');
    });
    await step(async () => {
      await pane();
      await page.dblclick(tid('palette-item-dense'));
    });
    await step(async () => {
      const from = await center(page, `${tid('node-kl')} .graph-node-head`);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x + 60, from.y + 40, { steps: 5 });
      await page.mouse.up();
    });
    // Delete only once the click has selected the node: on a loaded machine the key can otherwise arrive first.
    const selectOnly = async (id: string) => {
      await pane();
      await page.click(`${tid(`node-${id}`)} .graph-node-head`);
      await expect.poll(() => page.locator('.react-flow__node.selected').count(), { timeout: 10_000 }).toBe(1);
    };
    await step(async () => {
      await selectOnly('kl');
      await page.keyboard.press('Delete');
    });
    await step(() => dragConnect(page, 'handle-mu-out-y', 'handle-dense_1-in-x'));
    await step(async () => {
      await pane();
      await page.click(`${tid('node-mu')} .graph-node-head`);
      await page.click(`${tid('node-logvar')} .graph-node-head`, { modifiers: ['Shift'] });
      await page.keyboard.press('Control+c');
      await page.keyboard.press('Control+v');
    });
    await step(() => page.keyboard.press('Control+d'));
    await step(async () => {
      await pane();
      await page.click(tid('btn-layout'));
    });
    await step(async () => {
      await selectOnly('dec');
      await page.keyboard.press('Backspace');
    });
    expect(states).toHaveLength(11);
    for (let i = 10; i > 0; i--) {
      await page.click(tid('btn-undo'));
      expect(await getDoc(page)).toEqual(states[i - 1]);
    }
    expect(await page.locator(tid('btn-undo')).isDisabled()).toBe(true);
    for (let i = 1; i <= 10; i++) {
      await page.keyboard.press(i % 2 ? 'Control+Shift+z' : 'Control+y');
      expect(await getDoc(page)).toEqual(states[i]);
    }
    await shot(page, '05-after-redo');
    await page.close();
  });

  it('arrow keys move nodes in the document (one undo step a press); no canvas key acts behind a block view; Ctrl C leaves selected text to the browser', async () => {
    const { page, errors } = await open('keys');
    await page.click(`${tid('node-mu')} .graph-node-head`);
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(1);
    const x0 = (await getDoc(page)).nodes.find((n) => n.id === 'mu')!.position.x;
    const muX = async () => (await getDoc(page)).nodes.find((n) => n.id === 'mu')!.position.x;
    await page.keyboard.press('ArrowRight');
    await expect.poll(muX).toBeGreaterThan(x0);
    const perPress = (await muX()) - x0;
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(muX).toBe(x0 + 4 * perPress);
    await page.click(tid('btn-undo'));
    expect(await muX()).toBe(x0 + 3 * perPress);

    // Whether the page's own key handling claimed the last key (a listener added after the app's runs after it).
    await page.evaluate(() => {
      window.addEventListener('keydown', (e) => ((window as unknown as { lastPrevented: boolean }).lastPrevented = e.defaultPrevented));
    });
    const prevented = () => page.evaluate(() => (window as unknown as { lastPrevented: boolean }).lastPrevented);
    await page.keyboard.press('Control+c');
    expect(await prevented()).toBe(true); // a node is selected and no text: copy the node
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid="inspector-doc"]')!;
      const range = document.createRange();
      range.selectNodeContents(el);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    await page.keyboard.press('Control+c');
    expect(await prevented()).toBe(false);
    await page.evaluate(() => getSelection()!.removeAllRanges());

    await page.click(tid('btn-presets'));
    await page.click(tid('preset-open-ae'));
    await page.waitForSelector(tid('open-block-enc'));
    await page.click(tid('open-block-enc'));
    await page.locator(tid('block-view')).waitFor();
    for (const key of ['Delete', 'Backspace', 'a', 'l', 'f', 'Control+d', 'Control+v']) await page.keyboard.press(key);
    const doc = await getDoc(page);
    expect(doc.nodes.map((n) => n.id)).toContain('enc');
    expect(await page.locator(tid('quick-add')).count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator(tid('block-view')).count()).toBe(0);
    expect((await getDoc(page)).nodes.length).toBe(doc.nodes.length);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the split between canvas and panel is dragged, remembered across a reload, and the panel can take the whole height', async () => {
    const { page, errors } = await open('split');
    const height = async (id: string) => (await page.locator(tid(id)).boundingBox())!.height;
    const before = await height('dock');
    const edge = await center(page, tid('dock-resize'));
    await page.mouse.move(edge.x, edge.y);
    await page.mouse.down();
    await page.mouse.move(edge.x, edge.y - 150, { steps: 5 });
    await page.mouse.up();
    const dragged = await height('dock');
    expect(dragged).toBeGreaterThan(before + 120);
    await page.reload();
    await page.waitForSelector('.react-flow__node');
    expect(Math.abs((await height('dock')) - dragged)).toBeLessThan(3);
    await page.click(tid('dock-maximize'));
    await expect.poll(() => height('canvas')).toBeLessThan(5);
    await page.click(tid('dock-maximize'));
    await expect.poll(() => height('canvas')).toBeGreaterThan(100);
    // The browser profile is shared by the tests after this one: give them the default split back.
    await page.evaluate(() => localStorage.removeItem('latent-lab:dock-sizes'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('restores the same document after a reload', async () => {
    const { page } = await open('reload');
    await setParam(page, 'dec', 'units', '300');
    const placed = (await getDoc(page)).nodes[0].position;
    await page.click(tid('btn-layout'));
    await expect.poll(async () => (await getDoc(page)).nodes[0].position).not.toEqual(placed);
    const before = await getDoc(page);
    await expect.poll(() => page.locator(tid('save-status')).getAttribute('data-status'), { timeout: 5000 }).toBe('saved');
    await page.reload();
    await page.waitForSelector('.react-flow__node');
    expect(await getDoc(page)).toEqual(before);
    await shot(page, '06-after-reload');
    await page.close();
  });

  it('exports, clears, imports and gets the same document', async () => {
    const { page } = await open('files');
    await setParam(page, 'mu', 'units', '8');
    await setParam(page, 'logvar', 'units', '8');
    const before = await getDoc(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(tid('btn-export'))]);
    const file = join(tmpdir(), `latent-lab-export-${process.pid}.json`);
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe('variational-autoencoder-vae.json');
    await page.click(tid('btn-new'));
    await expect.poll(async () => (await getDoc(page)).nodes.length).toBe(0);
    await page.locator(tid('import-input')).setInputFiles(file);
    await expect.poll(async () => (await getDoc(page)).nodes.length).toBe(12);
    expect(await getDoc(page)).toEqual(before);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(before);
    await shot(page, '07-imported');
    rmSync(file, { force: true });
    await page.close();
  });

  it('keeps the open graph when importing a truncated file', async () => {
    const { page } = await open('truncated');
    const before = await getDoc(page);
    const text = JSON.stringify(before, null, 2);
    const file = join(tmpdir(), `latent-lab-truncated-${process.pid}.json`);
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    await page.locator(tid('import-input')).setInputFiles(file);
    const notice = page.locator(`${tid('notice')}[data-kind="error"]`);
    await expect.poll(() => notice.textContent()).toContain('cut off');
    expect(await notice.textContent()).toContain('latent-lab-truncated');
    expect(await getDoc(page)).toEqual(before);
    await shot(page, '08-truncated-import');
    rmSync(file, { force: true });
    await page.close();
  });

  it('round-trips a share link into a new graph', async () => {
    const { page } = await open('share');
    await setParam(page, 'enc', 'units', '384');
    const before = await getDoc(page);
    await page.click(tid('btn-share'));
    const link = await page.locator(tid('share-link')).inputValue();
    expect(link).toContain('#graph=');
    await shot(page, '09-share-dialog');
    const other = await context.newPage();
    await other.goto(link);
    await other.waitForSelector('.react-flow__node');
    expect(await getDoc(other)).toEqual(before);
    // The link opened as its own graph, not over the one it came from.
    expect(new URL(other.url()).searchParams.get('graph')).not.toBe('share');
    expect(new URL(other.url()).hash).toBe('');
    await other.close();
    await page.close();
  });

  it('shows who trains what, frozen networks, the gallery, help, quick-add and the dark theme', async () => {
    const { page, errors } = await open('tour');
    await page.click(`${tid('node-adam')} .graph-node-head`);
    await page.locator(tid('ref-trains-enc')).check();
    await expect.poll(() => page.locator(`${tid('node-dec')}.frozen`).count()).toBe(1);
    expect(await page.locator(`${tid('node-enc')}.trained`).count()).toBe(1);
    expect(await page.locator(`${tid('error-item')}[data-node="dec"]`).textContent()).toMatch(/frozen/);
    await shot(page, '11-optimizer-trains-frozen');
    await page.click(tid('btn-presets'));
    await page.waitForSelector(tid('preset-card-vae'));
    // Grouped by family, in taxonomy order, each group saying what its models can do.
    const families = await page.$$eval('[data-testid^="preset-family-"]', (els) =>
      els.map((el) => ({
        family: el.getAttribute('data-testid')!.slice('preset-family-'.length),
        can: el.querySelector('.family-can')?.textContent ?? '',
        cards: [...el.querySelectorAll('[data-testid^="preset-card-"]')].map((c) =>
          c.getAttribute('data-testid')!.slice('preset-card-'.length),
        ),
      })),
    );
    expect(families.map((f) => f.family)).toEqual(['exercise', 'explicit-tractable', 'explicit-approximate', 'implicit', 'representation']);
    const members = Object.fromEntries(families.map((f) => [f.family, f.cards]));
    expect(members['explicit-tractable']).toContain('pixelcnn');
    expect(members['explicit-approximate']).toEqual(expect.arrayContaining(['vae', 'cvae', 'vae-2d-moons']));
    expect(members.implicit).toEqual(expect.arrayContaining(['gan', 'cgan', 'wgan', 'gan-2d']));
    expect(members.representation).toContain('ae');
    expect(members.exercise).toEqual(['exercise-ae-not-generative', 'exercise-gan-loss', 'exercise-reparameterization']);
    for (const f of families.filter((f) => f.family !== 'exercise')) expect(f.can).toMatch(/Sample: .+ Likelihood: .+ Infer z: /);
    await shot(page, '12-preset-gallery');
    await page.locator(tid('preset-family-implicit')).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot(page, '12-preset-gallery-implicit');
    await page.click(tid('preset-open-vae'));
    expect((await getDoc(page)).nodes.find((n) => n.id === 'adam')!.params.trains).toBeUndefined();
    await page.click(tid('btn-undo'));
    expect((await getDoc(page)).nodes.find((n) => n.id === 'adam')!.params.trains).toEqual(['enc']);
    await page.keyboard.press('?');
    await page.waitForSelector(tid('help-overlay'));
    await shot(page, '13-help');
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    await page.locator(tid('quick-add-input')).fill('flatt');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await getDoc(page)).nodes.some((n) => n.id === 'flatten_1')).toBe(true);
    await page.click(tid('btn-theme'));
    // The preset opened at a readable zoom with the optimizer off to the right: bring it all into view.
    await page.click(tid('btn-fit'));
    await page.waitForTimeout(400);
    await page.click(`${tid('node-adam')} .graph-node-head`);
    await shot(page, '14-dark-theme');
    await page.click(tid('btn-theme'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws shared weights as a dashed link and opens a block to show its layers', async () => {
    const { page, errors } = await open('gan');
    await page.click(tid('btn-presets'));
    await page.click(tid('preset-open-gan'));
    await page.waitForSelector(tid('node-dFake'));
    // Presets open at 100 % zoom on their data side; Fit brings the discriminators out from under the minimap.
    await page.click(tid('btn-fit'));
    await page.waitForTimeout(500);
    expect(await page.locator('[data-testid^="shared-link-"]').count()).toBeGreaterThan(0);
    await shot(page, '15-gan-shared-weights');
    // The fake-side card and inspector show the weights' owner's parameters, and an edit goes to the owner.
    await page.click(`${tid('node-dReal')} .graph-node-head`);
    await page.selectOption('#param-input-kind', 'mlp');
    await expect.poll(() => page.locator(`${tid('node-dFake')} .graph-node-params`).textContent()).toContain('mlp');
    await page.click(`${tid('node-dFake')} .graph-node-head`);
    await page.locator(tid('shared-params-note')).waitFor();
    expect(await page.locator('#param-input-kind').inputValue()).toBe('mlp');
    await page.selectOption('#param-input-kind', 'conv');
    const nodes = (await getDoc(page)).nodes;
    expect(nodes.find((n) => n.id === 'dReal')!.params.kind).toBe('conv');
    await page.click(tid('btn-undo'));
    await page.click(tid('btn-undo'));
    await page.click(tid('open-block-gen'));
    const view = page.locator(tid('block-view'));
    await view.waitFor();
    await view.locator(tid('block-show-list')).click();
    expect(await view.locator('tbody tr').count()).toBeGreaterThan(1);
    expect(await view.textContent()).toMatch(/64×28×28×1/);
    await shot(page, '16-block-layers');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('edits a block in its layer view and unpacks it into layers (undoable); a shared block cannot be unpacked', async () => {
    const { page, errors } = await open('unpack');
    await page.click(tid('btn-presets'));
    await page.click(tid('preset-open-ae'));
    await page.waitForSelector(tid('node-enc'));
    await page.click(tid('open-block-enc'));
    const view = page.locator(tid('block-view'));
    await view.waitFor();
    await view.locator(tid('block-show-list')).click();
    expect(await view.locator('tbody tr').count()).toBe(4);
    // Editing the block's own params here updates the table (and the node) live.
    const hidden = page.locator('#block-param-input-hidden');
    await hidden.fill('256, 128, 64');
    await hidden.press('Enter');
    await expect.poll(() => view.locator('tbody tr').count()).toBe(5);
    expect(await view.locator(tid('layer-row-dense2')).textContent()).toMatch(/units 64/);
    expect(await view.locator(tid('layer-row-z')).textContent()).toMatch(/128×32/);
    expect((await getDoc(page)).nodes.find((n) => n.id === 'enc')!.params.hidden).toEqual([256, 128, 64]);
    expect(await page.locator(tid('unpack-block')).isEnabled()).toBe(true);
    expect(await view.locator(tid('unpack-caveat')).textContent()).toMatch(/latent/);
    await shot(page, '17-block-view-edit');
    const before = await getDoc(page);
    await page.click(tid('unpack-block'));
    await expect.poll(() => page.locator(tid('block-view')).count()).toBe(0);
    const after = await getDoc(page);
    expect(after.nodes.some((n) => n.id === 'enc')).toBe(false);
    expect(after.nodes.filter((n) => n.id.startsWith('enc_')).map((n) => n.type)).toEqual(['flatten', 'dense', 'dense', 'dense', 'dense']);
    await page.waitForSelector(tid('node-enc_z'));
    await expect.poll(() => page.locator(tid('edge-label-enc_z.y-dec.z')).textContent()).toBe('128×32');
    await expect.poll(() => page.locator(tid('error-count')).textContent()).toBe('0');
    await page.waitForTimeout(400);
    await shot(page, '18-unpacked-ae');
    await page.click(tid('btn-undo'));
    expect(await getDoc(page)).toEqual(before);
    await page.waitForSelector(tid('node-enc'));

    await page.click(tid('btn-presets'));
    await page.click(tid('preset-open-gan'));
    await page.waitForSelector(tid('node-dFake'));
    await page.click(tid('btn-fit'));
    await page.waitForTimeout(400);
    await page.click(tid('open-block-dFake'));
    await page.locator(tid('block-view')).waitFor();
    expect(await page.locator(tid('unpack-block')).isDisabled()).toBe(true);
    expect(await page.locator(tid('unpack-reason')).textContent()).toMatch(/weights of “Discriminator \(real\)”/);
    await shot(page, '19-unpack-refused-shared');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows an affine coupling’s network inside it and edits it there, without offering to unpack it', async () => {
    const { page, errors } = await open('coupling');
    await page.click(tid('btn-presets'));
    await page.click(tid('preset-open-flow-2d'));
    await page.waitForSelector(tid('node-c0'));
    await page.click(`${tid('node-c0')} .graph-node-head`);
    await page.getByRole('button', { name: 'Show the layers inside' }).click();
    const view = page.locator(tid('block-view'));
    await view.waitFor();
    // Mask, four hidden layers, the zero-started output layer, s and t.
    expect(await view.locator('tbody tr').count()).toBe(8);
    expect(await view.locator(tid('layer-row-hidden3')).textContent()).toMatch(/units 256.*256×256/s);
    const hidden = page.locator('#block-param-input-hidden');
    await hidden.fill('128, 32');
    await hidden.press('Enter');
    await expect.poll(() => view.locator('tbody tr').count()).toBe(6);
    expect(await view.locator(tid('layer-row-out')).textContent()).toMatch(/units 4/);
    expect((await getDoc(page)).nodes.find((n) => n.id === 'c0')!.params.hidden).toEqual([128, 32]);
    expect(await view.locator(tid('unpack-block')).count()).toBe(0);
    expect(await view.textContent()).toMatch(/cannot be unpacked/);
    await shot(page, '20-coupling-network');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses a cyclic connection and says why at the cursor', async () => {
    // open() fits the whole graph, so both handles are away from the auto-pan border.
    const { page } = await open('cycle');
    const before = await getDoc(page);
    await dragConnect(page, 'handle-dec-out-y', 'handle-enc-in-x', false);
    await expect.poll(() => page.locator(tid('connection-reason')).textContent()).toMatch(/loop/);
    await shot(page, '10-refused-cycle');
    await page.mouse.up();
    expect(await getDoc(page)).toEqual(before);
    // A type mismatch is refused the same way.
    await dragConnect(page, 'handle-dec-out-y', 'handle-adam-in-loss', false);
    await expect.poll(() => page.locator(tid('connection-reason')).textContent()).toMatch(/takes a loss/);
    await page.mouse.up();
    expect(await getDoc(page)).toEqual(before);
    await page.close();
  });
});
