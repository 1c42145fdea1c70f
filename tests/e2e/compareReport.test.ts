/**
 * Issue 14: `compare` on two CLI runs writes a report.html that Chromium opens
 * with both curves in every chart and both sample pictures, and that asks the
 * network for nothing beyond the file itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { EXIT } from '../../src/cli/setup';
import { launch, shot, watchErrors } from './harness';

const root = mkdtempSync(join(tmpdir(), 'latent-lab-e2e-compare-'));
const report = join(root, 'report.html');
const STEPS = '200';

async function cli(...argv: string[]): Promise<number> {
  const code = await main(argv);
  process.exitCode = undefined;
  return code;
}

beforeAll(async () => {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const doc = JSON.parse(readFileSync(new URL('../../presets/gan-2d.json', import.meta.url), 'utf8')) as {
    nodes: { id: string; params: Record<string, unknown> }[];
  };
  writeFileSync(join(root, 'non-saturating.json'), JSON.stringify(doc));
  doc.nodes.find((n) => n.id === 'gLoss')!.params.kind = 'hinge';
  writeFileSync(join(root, 'hinge.json'), JSON.stringify(doc));
  for (const name of ['non-saturating', 'hinge']) {
    expect(await cli('train', join(root, `${name}.json`), '--steps', STEPS, '--out', join(root, name))).toBe(EXIT.ok);
    expect(await cli('eval', join(root, name), '--n', '200')).toBe(EXIT.ok);
  }
  expect(await cli('compare', join(root, 'non-saturating'), join(root, 'hinge'), '--out', report)).toBe(EXIT.ok);
  vi.restoreAllMocks();
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the compare report in Chromium', () => {
  it('shows both curves in every chart and both sample grids, and requests nothing but itself', async () => {
    const { context, close } = await launch({ viewport: { width: 1400, height: 2150 } });
    try {
      const fileUrl = pathToFileURL(report).href;
      const requested: string[] = [];
      // Every request is recorded; anything but the report itself (and its data: pictures) is refused.
      await context.route('**/*', (route) => {
        const url = route.request().url();
        requested.push(url);
        return url === fileUrl || url.startsWith('data:') ? route.continue() : route.abort();
      });
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(fileUrl);
      await page.waitForLoadState('load');

      const charts = page.locator('svg.chart');
      const terms = await charts.count();
      expect(terms).toBeGreaterThan(0);
      for (let i = 0; i < terms; i++) {
        const lines = charts.nth(i).locator('polyline');
        expect(await lines.count()).toBe(2);
        for (let j = 0; j < 2; j++) {
          const box = await lines.nth(j).boundingBox();
          // A curve that trains spans the chart, not a dot.
          expect(box?.width ?? 0).toBeGreaterThan(300);
        }
      }
      const pictures = page.locator('.run-pictures img');
      expect(await pictures.count()).toBe(2);
      for (let i = 0; i < 2; i++) expect(await pictures.nth(i).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
      await expect.poll(() => page.getByText('Generator loss “gLoss” (ganLoss): kind nonSaturating → hinge').count()).toBe(1);

      expect(requested.filter((u) => u !== fileUrl && !u.startsWith('data:'))).toEqual([]);
      expect(errors).toEqual([]);
      await shot(page, 'compare-report');
    } finally {
      await close();
    }
  }, 60_000);
});
