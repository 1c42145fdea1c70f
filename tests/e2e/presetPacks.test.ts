/**
 * Preset packs in a real Chromium: an instructor saves two graphs to My
 * presets, renames and reorders them, exports them as a pack file and a pack
 * link; a fresh browser profile imports the file (picked, then dropped) and
 * another opens the link, which offers the pack without touching the open
 * graph; a preset opens from the imported pack. axe-core finds nothing on the
 * gallery with My presets, the export panel, an imported pack and the offer.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPackText, type PresetPack } from '../../src/graph/presetPack';
import { launch, shot, useBuiltApp, watchErrors } from './harness';
import { violations } from './axe';

const app = useBuiltApp();
const tid = (id: string) => `[data-testid="${id}"]`;
const profiles: Awaited<ReturnType<typeof launch>>[] = [];
async function freshProfile() {
  const b = await launch({ viewport: { width: 1400, height: 900 } });
  profiles.push(b);
  return b;
}
afterAll(async () => {
  for (const b of profiles) await b.close();
});

const cardTitles = (page: Page, group: string, card: string) => page.locator(`${tid(group)} ${tid(card)} .card-title`).allTextContents();
const docTitle = (page: Page) => page.locator(tid('doc-title')).textContent();

async function openGallery(page: Page) {
  await page.click(tid('btn-presets'));
  await page.waitForSelector(tid('preset-gallery'));
}

async function saveOpenGraph(page: Page, name?: string) {
  await openGallery(page);
  await page.click(tid('gallery-save'));
  if (name !== undefined) await page.fill(tid('save-name'), name);
  await page.click(tid('save-confirm'));
}

let packFile = '';
let packLink = '';

describe('preset packs', () => {
  let instructor: Awaited<ReturnType<typeof launch>>;
  beforeAll(async () => {
    instructor = await freshProfile();
  });

  it('saves two graphs to My presets, renames and reorders them, and exports them as a pack file and link', async () => {
    const page = await instructor.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}?graph=instructor`);
    await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
    const firstTitle = await docTitle(page);
    await saveOpenGraph(page, 'Week 1: the VAE');
    await expect.poll(() => cardTitles(page, 'my-presets', 'my-preset')).toEqual(['Week 1: the VAE']);
    await page.click(tid('preset-open-gan'));
    await expect.poll(() => docTitle(page)).toBe('DCGAN');
    await openGallery(page);
    await page.click(tid('gallery-save'));
    // The name starts as the graph's title.
    expect(await page.inputValue(tid('save-name'))).toBe('DCGAN');
    await page.click(tid('save-confirm'));
    await expect.poll(() => cardTitles(page, 'my-presets', 'my-preset')).toEqual(['Week 1: the VAE', 'DCGAN']);

    const gan = page.locator(tid('my-preset')).nth(1);
    await gan.locator(tid('my-preset-rename')).click();
    await page.fill(tid('rename-name'), 'Week 2: the adversarial game');
    // Escape ends the rename, not the gallery.
    await page.keyboard.press('Escape');
    expect(await page.locator(tid('preset-gallery')).count()).toBe(1);
    await gan.locator(tid('my-preset-rename')).click();
    await page.fill(tid('rename-name'), 'Week 2: the adversarial game');
    await page.click(tid('rename-confirm'));
    await page.getByRole('button', { name: 'Move “Week 2: the adversarial game” earlier' }).click();
    await expect.poll(() => cardTitles(page, 'my-presets', 'my-preset')).toEqual(['Week 2: the adversarial game', 'Week 1: the VAE']);
    // The saved card says which graph it holds when its name differs from the graph's title.
    expect(await page.locator(tid('my-preset')).first().textContent()).toMatch(/Graph: DCGAN/);
    expect(await violations(page), 'gallery with My presets').toEqual([]);
    await shot(page, 'packs-my-presets');

    // Export in the order taught: week 1 first.
    await page.click(tid('gallery-export'));
    await page.fill(tid('pack-title'), 'Generative models, weeks 1–2');
    await page.locator(tid('export-row')).first().locator(tid('export-down')).click();
    expect(await page.locator(`${tid('export-row')} label`).allTextContents()).toEqual(['Week 1: the VAE', 'Week 2: the adversarial game']);
    expect(await violations(page), 'export panel').toEqual([]);
    await shot(page, 'packs-export-panel');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(tid('export-download'))]);
    expect(download.suggestedFilename()).toBe('generative-models-weeks-1-2.pack.json');
    packFile = (await download.path())!;
    const loaded = loadPackText(readFileSync(packFile, 'utf8'), 'download');
    expect(loaded.ok).toBe(true);
    const pack = (loaded as { pack: PresetPack }).pack;
    expect(pack.title).toBe('Generative models, weeks 1–2');
    expect(pack.presets.map((p) => [p.name, p.doc.meta.title])).toEqual([
      ['Week 1: the VAE', firstTitle],
      ['Week 2: the adversarial game', 'DCGAN'],
    ]);
    await page.click(tid('export-link'));
    packLink = await page.inputValue(tid('pack-link'));
    expect(packLink).toMatch(/#pack=1\.[A-Za-z0-9_-]+$/);

    // The built-in exercises go out as a pack too.
    const [exercises] = await Promise.all([page.waitForEvent('download'), page.click(tid('exercises-export'))]);
    const exercisePack = loadPackText(readFileSync((await exercises.path())!, 'utf8'), 'exercises');
    expect(exercisePack.ok && exercisePack.pack.presets.every((p) => !!p.doc.exercise)).toBe(true);
    expect(exercisePack.ok && exercisePack.pack.title).toBe('Exercises');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('imports the pack file in a fresh profile, picked and dropped, keeps it across a reload, and opens a preset from it', async () => {
    expect(packFile).not.toBe('');
    const learner = await freshProfile();
    const page = await learner.context.newPage();
    const errors = watchErrors(page);
    await page.goto(app.url);
    await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
    await openGallery(page);
    // A fresh profile has no My presets group, and nothing to export.
    expect(await page.locator(tid('my-presets')).count()).toBe(0);
    expect(await page.locator(tid('gallery-export')).isDisabled()).toBe(true);
    await page.setInputFiles(tid('gallery-import-file'), packFile);
    await expect.poll(() => page.locator(`${tid('pack-group')} h3`).allTextContents()).toEqual(['Generative models, weeks 1–2']);
    expect(await cardTitles(page, 'pack-group', 'pack-preset')).toEqual(['Week 1: the VAE', 'Week 2: the adversarial game']);
    expect(await violations(page), 'gallery with an imported pack').toEqual([]);
    await shot(page, 'packs-imported');
    await page.keyboard.press('Escape');
    await page.click(tid('btn-theme'));
    await openGallery(page);
    expect(await violations(page), 'gallery with an imported pack, dark').toEqual([]);
    await shot(page, 'packs-imported-dark');
    // The same pack again is refused, not listed twice.
    await page.setInputFiles(tid('gallery-import-file'), packFile);
    await expect
      .poll(() =>
        page
          .locator(`${tid('notice')}[data-kind="warn"]`)
          .last()
          .textContent(),
      )
      .toMatch(/already in the gallery/);
    expect(await page.locator(tid('pack-group')).count()).toBe(1);

    await page.reload();
    await page.waitForSelector(`${tid('canvas')} .react-flow__node`);
    await openGallery(page);
    await expect.poll(() => page.locator(tid('pack-group')).count()).toBe(1);
    await page.locator(tid('pack-group')).locator(tid('pack-remove')).click();
    await page.click(tid('pack-remove-confirm'));
    await expect.poll(() => page.locator(tid('pack-group')).count()).toBe(0);

    // Dropped on the gallery: the same import.
    const dataTransfer = await page.evaluateHandle(
      (text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'weeks.pack.json', { type: 'application/json' }));
        return dt;
      },
      readFileSync(packFile, 'utf8'),
    );
    await page.dispatchEvent(tid('preset-gallery'), 'dragover', { dataTransfer });
    await page.dispatchEvent(tid('preset-gallery'), 'drop', { dataTransfer });
    await expect.poll(() => page.locator(tid('pack-group')).count()).toBe(1);

    await page.locator(tid('pack-preset')).nth(1).locator(tid('pack-preset-open')).click();
    await expect.poll(() => docTitle(page)).toBe('DCGAN');
    expect(await page.locator('.react-flow__node').count()).toBe(9);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('opens a pack link in a fresh profile as an offer that leaves the open graph alone', async () => {
    expect(packLink).not.toBe('');
    const learner = await freshProfile();
    const page = await learner.context.newPage();
    const errors = watchErrors(page);
    // This tab's graph (the address's "default", which a pack link also opens) holds the autoencoder.
    await page.goto(app.url);
    await openGallery(page);
    await page.click(tid('preset-open-ae'));
    await expect.poll(() => page.locator(tid('save-status')).getAttribute('data-status')).toBe('saved');
    await page.goto(packLink);
    await page.waitForSelector(tid('pack-offer'));
    // The tab's own graph is open, not a preset from the pack; the link left the address.
    expect(await docTitle(page)).toBe('Deep autoencoder');
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.locator(`${tid('pack-offer')} li`).allTextContents()).toEqual(['Week 1: the VAE', 'Week 2: the adversarial game']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('pack-offer-add');
    expect(await violations(page), 'pack offer').toEqual([]);
    await shot(page, 'packs-link-offer');
    await page.click(tid('pack-offer-add'));
    await expect.poll(() => cardTitles(page, 'pack-group', 'pack-preset')).toEqual(['Week 1: the VAE', 'Week 2: the adversarial game']);
    expect(await page.locator(tid('pack-offer')).count()).toBe(0);
    await page.locator(tid('pack-preset')).first().locator(tid('pack-preset-open')).click();
    await expect.poll(() => docTitle(page)).not.toBe('Deep autoencoder');

    // A damaged link says so and opens nothing.
    await page.goto(`${app.url}#pack=1.AAAA`);
    await expect.poll(() => page.locator(`${tid('notice')}[data-kind="error"]`).textContent()).toMatch(/pack link: the link is damaged/);
    expect(await page.locator(tid('preset-gallery')).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
