/**
 * The code-space views end to end: a plain AE's codes drawn uniformly from the box its test digits fill
 * are decoded (and look like no digit, seed 004's point), and a VAE with a 2-D latent shows the manifold
 * grid. The 2-D VAE is the VAE preset with μ and log σ² of size 2, opened from a share link.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { encodeShareHash } from '../../src/store/share';
import { launch, openRunPanel, SCREENSHOTS, useBuiltApp, waitForStep, watchErrors } from './harness';

const app = useBuiltApp();

function vaeWith2dLatent(): string {
  const doc = JSON.parse(readFileSync(new URL('../../presets/vae.json', import.meta.url), 'utf8')) as GraphDocument;
  for (const n of doc.nodes) if (n.id === 'mu' || n.id === 'logvar') n.params.units = 2;
  const link = encodeShareHash(doc);
  if (!link.ok) throw new Error(link.message);
  return link.hash;
}

describe('code-space views', () => {
  it('AE: decodes codes drawn from the code box, and new ones on ↻; a 2-D VAE decodes its manifold grid', async () => {
    const { context, close } = await launch();
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await openRunPanel(page, `${app.url}#preset=ae`, 60_000);
      await page.getByTestId('run-play').click();
      await waitForStep(page, 40);
      await page.getByTestId('run-pause').click();
      await page.getByTestId('dock-maximize').click();
      const samples = page.getByTestId('code-box-samples');
      await samples.waitFor({ timeout: 60_000 });
      const first = await samples.getAttribute('data-checksum');
      expect(await page.getByTestId('code-box-view').textContent()).toMatch(/not a generative model/);
      await page.getByTestId('code-box-view').getByRole('button').click();
      await expect.poll(() => samples.getAttribute('data-checksum')).not.toBe(first);
      await page.getByTestId('code-box-view').screenshot({ path: join(SCREENSHOTS, 'code-box-ae.png') });
      // An AE with a 32-d code has no manifold figure.
      expect(await page.getByTestId('manifold-view').count()).toBe(0);

      const vae = await context.newPage();
      const vaeErrors = watchErrors(vae);
      await openRunPanel(vae, `${app.url}${vaeWith2dLatent()}`, 60_000);
      await vae.getByTestId('run-play').click();
      await waitForStep(vae, 60);
      await vae.getByTestId('run-pause').click();
      await vae.getByTestId('dock-maximize').click();
      const manifold = vae.getByTestId('manifold');
      await manifold.waitFor({ timeout: 60_000 });
      const size = await manifold.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
      expect(size[0]).toBe(size[1]);
      expect(size[0]).toBeGreaterThanOrEqual(12 * 28);
      expect(await vae.getByTestId('manifold-view').textContent()).toMatch(/quantiles/);
      await vae.getByTestId('manifold-view').scrollIntoViewIfNeeded();
      await vae.getByTestId('manifold-view').screenshot({ path: join(SCREENSHOTS, 'manifold-vae-2d.png') });
      expect([...errors, ...vaeErrors]).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);
});
