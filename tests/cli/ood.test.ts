/**
 * `ood` on a VAE trained briefly: each PNG gets a log-likelihood, a percentile
 * among the test set's and a verdict (--json with exactly the keys; a
 * larger PNG is resized like image data); bad files and graphs without a
 * likelihood are typed errors; --auroc has a row per strange-input set.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/setup';
import { loadEmbeddedMnist } from '../../src/data/mnist';
import { captureCliOutput, cli, io } from './harness';

const preset = (name: string) => fileURLToPath(new URL(`../../presets/${name}`, import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'latent-lab-ood-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
captureCliOutput();

/** A grey side×side PNG of a 28×28 image, each pixel repeated (side / 28)² times. */
function writePng(name: string, pixels: ArrayLike<number>, side = 28): string {
  const png = new PNG({ width: side, height: side });
  const k = side / 28;
  for (let i = 0; i < side; i++)
    for (let j = 0; j < side; j++) {
      const v = Math.round(255 * pixels[Math.floor(i / k) * 28 + Math.floor(j / k)]);
      png.data.set([v, v, v, 255], 4 * (i * side + j));
    }
  const file = join(root, name);
  writeFileSync(file, PNG.sync.write(png));
  return file;
}

const vae = join(root, 'vae');
let digit: string;
let digitBig: string;
let blank: string;
beforeAll(async () => {
  expect(await cli('train', preset('vae.json'), '--steps', '300', '--out', vae)).toBe(EXIT.ok);
  const test = await loadEmbeddedMnist({ split: 'test' });
  digit = writePng('digit.png', test.x.subarray(0, 784));
  digitBig = writePng('digit-56.png', test.x.subarray(0, 784), 56);
  blank = writePng('blank.png', new Float32Array(784));
});

const fast = ['--n', '200', '--iw', '5'];

describe('ood', () => {
  it('--json: one object per image with exactly file, log_likelihood, percentile, verdict', async () => {
    expect(await cli('ood', vae, digit, digitBig, blank, '--json', ...fast)).toBe(EXIT.ok);
    const rows = JSON.parse(io.stdout.join('\n')) as Record<string, unknown>[];
    expect(rows.map((r) => r.file)).toEqual([digit, digitBig, blank]);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['file', 'log_likelihood', 'percentile', 'verdict']);
      expect(r.percentile).toBeGreaterThanOrEqual(0);
      expect(r.percentile).toBeLessThanOrEqual(100);
      expect(['typical', 'unusually likely', 'unlikely — out of distribution?']).toContain(r.verdict);
    }
    const [d, big, b] = rows as { log_likelihood: number; percentile: number }[];
    expect(big.log_likelihood).toBe(d.log_likelihood);
    // The trap: a blank image is more likely than a real digit.
    expect(b.log_likelihood).toBeGreaterThan(d.log_likelihood);
  });

  it('prints what the numbers are, the test set’s spread, the thresholds and a line per image', async () => {
    expect(await cli('ood', vae, digit, ...fast)).toBe(EXIT.ok);
    const text = io.stdout.join('\n');
    expect(text).toContain('importance-sampled log p(x) with K = 5');
    expect(text).toContain('test set (200 examples)');
    expect(text).toContain('below the 1st percentile');
    expect(text).toMatch(/digit\.png: -?\d+\.\d\d nats, percentile \d+\.\d — /);
  });

  it('--auroc: a row per strange-input set with its mean log-likelihood and an AUROC in [0, 1]', async () => {
    expect(await cli('ood', vae, '--auroc', '--json', '--n', '100', '--iw', '2')).toBe(EXIT.ok);
    const r = JSON.parse(io.stdout.join('\n')) as { test: { n: number }; sets: Record<string, { auroc: number; n: number }> };
    expect(r.test.n).toBe(100);
    expect(Object.keys(r.sets)).toEqual(['blank', 'grey', 'noise', 'inverted', 'shapes', 'shifted']);
    for (const s of Object.values(r.sets)) {
      expect(s.n).toBe(100);
      expect(s.auroc).toBeGreaterThanOrEqual(0);
      expect(s.auroc).toBeLessThanOrEqual(1);
    }
    io.stdout = [];
    expect(await cli('ood', vae, '--auroc', '--n', '100', '--iw', '0')).toBe(EXIT.ok);
    const text = io.stdout.join('\n');
    for (const name of Object.keys(r.sets)) expect(text).toMatch(new RegExp(`^${name} +100 +-?\\d+\\.\\d\\d +\\d\\.\\d{3}`, 'm'));
    expect(text).toContain('Nalisnick');
  });

  it('bad files and arguments are typed errors with a message, not a stack', async () => {
    const text = join(root, 'notes.png');
    writeFileSync(text, 'not an image');
    expect(await cli('ood', vae, text)).toBe(EXIT.data);
    expect(io.stderr).toContain('not a PNG image');
    expect(await cli('ood', vae, join(root, 'missing.png'))).toBe(EXIT.badArguments);
    expect(io.stderr).toContain('no such file');
    expect(await cli('ood', vae)).toBe(EXIT.badArguments);
    expect(await cli('ood', vae, digit, '--auroc')).toBe(EXIT.badArguments);
    expect(io.stderr).not.toContain('    at ');
  });

  it('eval prints the KL per latent dimension and which dimensions collapsed', async () => {
    expect(await cli('eval', vae, '--metrics', 'likelihood', '--max', '100', '--iw', '0')).toBe(EXIT.ok);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/latent dims collapsed \(unused, KL < 0\.01 nats\)|no latent dim collapsed/);
    const dims = /KL per latent dim \(nats\): (.*)$/m.exec(text)![1].split(' ');
    expect(dims.map((d) => Number(d.split(':')[0]))).toEqual(Array.from({ length: 20 }, (_, j) => j));
  });

  it('a plain autoencoder has no likelihood: a clear refusal', async () => {
    const ae = join(root, 'ae');
    expect(await cli('train', preset('ae.json'), '--steps', '2', '--batch', '8', '--out', ae)).toBe(EXIT.ok);
    io.stderr = '';
    expect(await cli('ood', ae, digit)).toBe(EXIT.invalidDocument);
    expect(io.stderr).toContain('ood needs an explicit model');
    expect(io.stderr).not.toContain('    at ');
  });
});
