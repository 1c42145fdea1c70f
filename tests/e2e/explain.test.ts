/**
 * Explain mode on the built app: the toggle shows KaTeX equations on the
 * nodes that carry mathematics (VAE sampler and KL, the GAN's losses, the
 * PixelCNN's masks as grids), large in the inspector, and pointing at a
 * symbol lights the port and edge that carry it. The fonts come from the
 * app itself: no request leaves its origin, and nothing logs an error.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shot, useBuiltApp, watchErrors, useBrowser } from './harness';

const app = useBuiltApp();
const browser = useBrowser({ viewport: { width: 1400, height: 900 } });

const tid = (id: string) => `[data-testid="${id}"]`;

/** Opens a preset with explain mode on; records every request the page makes. */
async function openExplained(preset: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${app.url}#preset=${preset}`);
  await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
  // Presets open at 100 % zoom on their data side; Fit puts every node on the canvas, none under the inspector.
  await page.click(tid('btn-fit'));
  await page.waitForTimeout(400);
  const toggle = page.locator(tid('btn-explain'));
  await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
  await toggle.click();
  await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  return { page, errors, requests };
}

/** Pairs of nodes whose boxes overlap by more than `tolerance` pixels each way, as "a×b". */
async function overlappingNodes(page: Page, tolerance = 4): Promise<string[]> {
  const boxes = await page.$$eval('.react-flow__node', (nodes) =>
    nodes.map((n) => {
      const r = n.getBoundingClientRect();
      return { id: n.getAttribute('data-id') ?? '', x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (dx > tolerance && dy > tolerance) out.push(`${a.id}×${b.id}`);
    }
  return out;
}

/** The canvas's zoom (React Flow's viewport scale). */
const zoomOf = (page: Page) => page.$eval('.react-flow__viewport', (v) => new DOMMatrix(getComputedStyle(v).transform).a);

/** Zooms the canvas about a node with the mouse wheel until it is drawn at about `target` times its size, as a user would to read it. */
async function zoomAbout(page: Page, nodeId: string, target: number) {
  for (let i = 0; i < 20 && (await zoomOf(page)) < target; i++) {
    const box = (await page.locator(tid(`node-${nodeId}`)).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -60);
    await page.waitForTimeout(60);
  }
}

const outsideOrigin = (requests: string[]) => requests.filter((u) => !u.startsWith(app.url) && !/^(data|blob):/.test(u));

describe('explain mode', () => {
  it('VAE: KaTeX on the Sampler and KL nodes, the inspector shows it large, and pointing at μ lights its port and edge', async () => {
    const { page, errors, requests } = await openExplained('vae');
    try {
      for (const node of ['z', 'kl', 'recon', 'elbo'])
        await expect.poll(() => page.locator(`${tid(`equation-${node}`)} .katex`).count()).toBe(1);
      // Nodes without mathematics stay as they were.
      expect(await page.locator(tid('equation-enc')).count()).toBe(0);
      // No KaTeX error (red source text), and the weighted sum says it is the ELBO.
      expect(await page.locator('.node-equation .katex-error, .node-equation [style*="#cc0000"]').count()).toBe(0);
      expect(await page.locator(`${tid('equation-elbo')} .katex-mathml`).textContent()).toContain('ELBO');
      // The bundled fonts were used: the math font is loaded, from the app's own origin.
      expect(await page.evaluate(() => document.fonts.check('12px KaTeX_Math') && document.fonts.check('12px KaTeX_Main'))).toBe(true);
      expect(requests.some((u) => /KaTeX_Main-Regular.*\.woff2$/.test(u))).toBe(true);

      await shot(page, 'explain-vae-overview');
      expect(await overlappingNodes(page)).toEqual([]);

      // Pointing at μ in the sampler's equation lights the mean port and the edge mu → z.
      const mu = page.locator(`${tid('equation-z')} [data-port="mean"]`).first();
      await mu.hover();
      const meanRow = page.locator(`${tid('node-z')} .port:has(${tid('handle-z-in-mean')})`);
      await expect.poll(() => meanRow.getAttribute('data-explain-hot')).toBe('');
      const hotEdges = await page.$$eval('.react-flow__edge[data-explain-hot]', (els) => els.map((e) => e.getAttribute('data-id')));
      const doc = (await page.evaluate(() => window.latentLab!.getDocument())) as {
        edges: { id: string; source: string; target: string; targetPort: string }[];
      };
      const muEdge = doc.edges.find((e) => e.source === 'mu' && e.target === 'z' && e.targetPort === 'mean')!;
      expect(hotEdges).toEqual([muEdge.id]);
      expect(await page.locator(`${tid('node-z')} .port[data-explain-hot]`).count()).toBe(1);
      await shot(page, 'explain-vae-hover');
      await page.mouse.move(5, 880);
      await expect.poll(() => page.locator('[data-explain-hot]').count()).toBe(0);

      // The inspector: the full statement in display mode, with its caption.
      await page.click(`${tid('node-kl')} .graph-node-head`);
      const inspector = page.locator(tid('inspector-equation'));
      await expect.poll(() => inspector.locator('.katex-display').count()).toBe(1);
      expect(await inspector.textContent()).toMatch(/summed over the J latent dimensions/);
      // Close up, as a learner reads it: the sampler selected, the canvas at about full size.
      await page.click(`${tid('node-z')} .graph-node-head`);
      await zoomAbout(page, 'kl', 1);
      await page
        .locator(`${tid('equation-z')} [data-port="mean"]`)
        .first()
        .hover();
      await shot(page, 'explain-vae');

      // Off again: the equations go.
      await page.click(tid('btn-explain'));
      await expect.poll(() => page.locator('.node-equation').count()).toBe(0);
      expect(await inspector.count()).toBe(0);

      expect(errors).toEqual([]);
      expect(outsideOrigin(requests)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('GAN: both losses show their game, and the generator loss follows its kind', async () => {
    const { page, errors, requests } = await openExplained('gan');
    try {
      for (const node of ['dLoss', 'gLoss']) await expect.poll(() => page.locator(`${tid(`equation-${node}`)} .katex`).count()).toBe(1);
      expect(await overlappingNodes(page)).toEqual([]);
      const gLoss = page.locator(`${tid('equation-gLoss')} .katex-mathml annotation`);
      expect(await gLoss.textContent()).toBe(String.raw`\port{loss}{\mathcal L_G} = -\mathbb E_z \log \port{fakeLogits}{D(G(z))}`);
      await page.click(`${tid('node-gLoss')} .graph-node-head`);
      await page.selectOption('#param-input-kind', 'minimax');
      await expect.poll(() => gLoss.textContent()).toContain(String.raw`\log\big(1 - \port{fakeLogits}{D(G(z))}\big)`);
      expect(await page.locator(tid('inspector-equation')).textContent()).toMatch(/gradient/);
      await zoomAbout(page, 'dLoss', 1);
      await page
        .locator(`${tid('equation-dLoss')} [data-port="fakeLogits"]`)
        .first()
        .hover();
      await shot(page, 'explain-gan');
      expect(errors).toEqual([]);
      expect(outsideOrigin(requests)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('β-VAE in the dark theme: the weighted sum says it is not the ELBO, and why', async () => {
    const { page, errors, requests } = await openExplained('beta-vae');
    try {
      await page.click(tid('btn-theme'));
      const elbo = page.locator(`${tid('equation-elbo')} .katex-mathml annotation`);
      await expect.poll(() => elbo.textContent()).toContain(String.raw`4\,\port{b}{\mathrm{KL}}`);
      expect(await elbo.textContent()).not.toContain('ELBO');
      await page.click(`${tid('node-elbo')} .graph-node-head`);
      expect(await page.locator(tid('inspector-equation')).textContent()).toMatch(/Not the ELBO: wb = 4, not 1/);
      await shot(page, 'explain-beta-vae-dark');
      await page.click(tid('btn-theme'));
      expect(errors).toEqual([]);
      expect(outsideOrigin(requests)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('PixelCNN: each masked convolution draws its mask, A without its centre and B with it', async () => {
    const { page, errors, requests } = await openExplained('pixelcnn');
    try {
      const grid = (node: string) => page.locator(`${tid(`equation-${node}`)} .equation-grid`);
      await expect.poll(() => grid('a').locator('.cell').count()).toBeGreaterThan(0);
      // Of a k×k window, mask A reads the (k² − 1)/2 positions before the centre; B the centre too.
      const before = async (node: string) => ((await grid(node).locator('.cell').count()) - 1) / 2;
      expect(await grid('a').locator('.cell.read').count()).toBe(await before('a'));
      expect(await grid('b0').locator('.cell.read').count()).toBe((await before('b0')) + 1);
      expect(await grid('a').locator('.cell.own.read').count()).toBe(0);
      expect(await grid('b0').locator('.cell.own.read').count()).toBe(1);
      await shot(page, 'explain-pixelcnn');
      expect(await overlappingNodes(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(outsideOrigin(requests)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
