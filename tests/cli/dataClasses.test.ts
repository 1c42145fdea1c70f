/**
 * Shapes and classes come from the data, not from the source's name: IDX labels
 * that are not 0–9, PNG class folders, and a conditional graph on unlabelled
 * files (refused before training, with the error on the Label node).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/setup';
import { captureCliOutput, cli, io } from './harness';

const VAE = fileURLToPath(new URL('../../presets/vae.json', import.meta.url));
const CVAE = fileURLToPath(new URL('../../presets/cvae.json', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'latent-lab-classes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
captureCliOutput();

function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/** An IDX pair in `dir`: `count` 28×28 images (a bright square whose place depends on the class) and their labels. */
function writeIdx(dir: string, labels: number[] | null): string {
  mkdirSync(dir, { recursive: true });
  const count = labels?.length ?? 64;
  const pixels = new Uint8Array(count * 784);
  for (let n = 0; n < count; n++) {
    const c = labels ? labels[n] : n % 3;
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) pixels[n * 784 + (2 + (c % 3) * 8 + i) * 28 + 2 + Math.floor(c / 3) * 8 + j] = 255;
  }
  writeFileSync(
    join(dir, 'train-images-idx3-ubyte.gz'),
    gzipSync(Uint8Array.from([...u32(2051), ...u32(count), ...u32(28), ...u32(28), ...pixels])),
  );
  if (labels) writeFileSync(join(dir, 'train-labels-idx1-ubyte'), Uint8Array.from([...u32(2049), ...u32(count), ...labels]));
  return dir;
}

const lastMetrics = (run: string) => {
  const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, number>;
};

describe('class counts read from the data', () => {
  it('a labelled IDX with 5 classes trains a CVAE, whose Label is 5 wide, and samples each class', async () => {
    const data = writeIdx(
      join(root, 'five'),
      Array.from({ length: 80 }, (_, i) => i % 5),
    );
    const run = join(root, 'cvae5');
    expect(await cli('train', CVAE, '--data', data, '--steps', '6', '--batch', '16', '--out', run)).toBe(EXIT.ok);
    expect(Number.isFinite(Object.values(lastMetrics(run)).find((v) => typeof v === 'number' && v !== 6))).toBe(true);
    expect(await cli('sample', run, '--n', '2', '--label', '4')).toBe(EXIT.ok);
    io.stderr = '';
    expect(await cli('sample', run, '--n', '2', '--label', '5')).toBe(EXIT.badArguments);
    expect(io.stderr).toMatch(/--label must be 0–4/);
  });

  it('labels beyond 9 (12 classes) train a plain VAE and a CVAE', async () => {
    const data = writeIdx(
      join(root, 'twelve'),
      Array.from({ length: 48 }, (_, i) => i % 12),
    );
    expect(await cli('train', VAE, '--data', data, '--steps', '3', '--batch', '16', '--out', join(root, 'vae12'))).toBe(EXIT.ok);
    expect(await cli('train', CVAE, '--data', data, '--steps', '3', '--batch', '16', '--out', join(root, 'cvae12'))).toBe(EXIT.ok);
    expect(await cli('sample', join(root, 'cvae12'), '--n', '1', '--label', '11')).toBe(EXIT.ok);
  });

  it('PNG class sub-folders train a CVAE with one class per folder', async () => {
    const dir = join(root, 'pngs');
    for (const [k, cls] of ['circle', 'square', 'cross'].entries()) {
      mkdirSync(join(dir, cls), { recursive: true });
      for (let n = 0; n < 6; n++) {
        const png = new PNG({ width: 28, height: 28 });
        png.data.fill(0);
        for (let i = 0; i < 10; i++) png.data.set([255, 255, 255, 255], 4 * ((4 + k * 6 + (i % 3)) * 28 + 4 + i));
        writeFileSync(join(dir, cls, `${n}.png`), PNG.sync.write(png));
      }
    }
    const run = join(root, 'cvae-png');
    io.stderr = '';
    const code = await cli('train', CVAE, '--data', dir, '--steps', '3', '--batch', '8', '--out', run);
    expect(io.stderr).not.toMatch(/error/);
    expect(code).toBe(EXIT.ok);
    expect(await cli('sample', run, '--n', '1', '--label', '2')).toBe(EXIT.ok);
    expect(await cli('sample', run, '--n', '1', '--label', '3')).toBe(EXIT.badArguments);
  });

  it('a bad image beside good ones is left out and listed; a zip and a CSV of points train too', async () => {
    const dir = join(root, 'mixed');
    mkdirSync(dir, { recursive: true });
    const png = new PNG({ width: 28, height: 28 });
    png.data.fill(200);
    for (let n = 0; n < 4; n++) writeFileSync(join(dir, `${n}.png`), PNG.sync.write(png));
    writeFileSync(join(dir, 'broken.png'), PNG.sync.write(png).subarray(0, 50));
    expect(await cli('train', VAE, '--data', dir, '--steps', '2', '--batch', '4', '--out', join(root, 'mixed-run'))).toBe(EXIT.ok);
    expect(io.stderr).toMatch(/warning: left out 1 file of the data:\n\s+\S*broken\.png: PNG is corrupt/);

    const zip = join(root, 'pics.zip');
    writeFileSync(
      zip,
      zipSync({ 'pics/a/0.png': PNG.sync.write(png), 'pics/a/1.png': PNG.sync.write(png), 'pics/b/0.png': PNG.sync.write(png) }),
    );
    expect(await cli('train', CVAE, '--data', zip, '--steps', '2', '--batch', '3', '--out', join(root, 'zip-run'))).toBe(EXIT.ok);
    expect(await cli('sample', join(root, 'zip-run'), '--n', '1', '--label', '1')).toBe(EXIT.ok);

    const csv = join(root, 'points.csv');
    writeFileSync(csv, 'x,y\n' + Array.from({ length: 64 }, (_, i) => `${Math.cos(i)},${Math.sin(i)}`).join('\n'));
    io.stderr = '';
    // An image VAE on points does not fit: the error says what the data holds.
    expect(await cli('train', VAE, '--data', csv, '--steps', '2', '--out', join(root, 'csv-run'))).toBe(EXIT.data);
    expect(io.stderr).toMatch(/does not fit its data \(points: 64 examples of 2, no labels; the graph was built for 28×28×1\)/);
  });

  it('a CVAE on unlabelled IDX is refused before training, naming the Label node and the data', async () => {
    const data = writeIdx(join(root, 'unlabelled'), null);
    const run = join(root, 'cvae-nolabels');
    expect(await cli('train', CVAE, '--data', data, '--steps', '3', '--out', run)).toBe(EXIT.data);
    expect(io.stderr).toMatch(/does not fit its data \(unlabelled\/train: 64 examples of 28×28×1, no labels\)/);
    expect(io.stderr).toMatch(/label: the dataset has no labels/i);
    expect(io.stderr).not.toMatch(/\n\s+at /);
  });
});
