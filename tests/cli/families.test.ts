/**
 * `families`: the four 2-D families train on one chosen data set and are
 * judged against the same held-out points, with a real-vs-real floor; the
 * scatter plots are written; a bad source is refused by name. The runs here
 * are far too short to show the lesson itself (the README row does, at the
 * presets' step counts); they show the command does what it says.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { familiesLesson, formatLesson } from '../../src/cli/families';
import { FAMILIES_LESSON } from '../../src/runs/lesson';
import { main } from '../../src/cli/main';
import { EXIT } from '../../src/cli/setup';

const root = mkdtempSync(join(tmpdir(), 'latent-lab-families-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('families', () => {
  it('trains a VAE, a flow, a diffusion model and a GAN on the grid mixture and judges them against one floor', async () => {
    const out = join(root, 'grid');
    const r = await familiesLesson({ source: 'grid', steps: 20, n: 200, out, backend: 'wasm', log: () => {} });
    expect(r.families.map((f) => f.family)).toEqual(['VAE', 'flow', 'diffusion', 'GAN']);
    expect(r.families.map((f) => f.preset)).toEqual(FAMILIES_LESSON.map((l) => `${l.preset}.json`));
    expect(r).toMatchObject({ data: 'grid', n: 200 });
    for (const f of r.families) {
      expect(f.rounds).toBe(20);
      for (const v of [f.precision, f.recall, f.gridKl, f.mmd2]) expect(Number.isFinite(v)).toBe(true);
      // Twenty rounds cannot match the data: every model is well short of the real-vs-real floor.
      expect(f.gridKl).toBeGreaterThan(r.floor.gridKl);
    }
    expect(r.floor.precision).toBeGreaterThan(0.8);
    expect(r.floor.recall).toBeGreaterThan(0.8);
    for (const file of ['data', 'vae', 'flow', 'diffusion', 'gan']) expect(existsSync(join(out, `${file}.png`)), file).toBe(true);
    const text = formatLesson(r).join('\n');
    expect(text).toMatch(/^flow +exact/m);
    expect(text).toMatch(/^floor +\(a second real draw\)/m);
  }, 300_000);

  it('refuses a source that is not a 2-D mixture, naming the choices', async () => {
    expect(await main(['families', '--source', 'mnist', '--out', join(root, 'bad')])).toBe(EXIT.badArguments);
    const said = vi
      .mocked(process.stderr.write)
      .mock.calls.map((c) => String(c[0]))
      .join('');
    expect(said).toMatch(/--source mnist: choose one of ring, grid, spiral, moons/);
  });
});
