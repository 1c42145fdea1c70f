import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { loadPngDir } from '../../src/data/node-files.js';

/** A w×h RGBA PNG whose left half is `rgba` and right half transparent black. */
function halfPng(w: number, h: number, rgba: [number, number, number, number]): Buffer {
  const png = new PNG({ width: w, height: h });
  png.data.fill(0);
  for (let i = 0; i < h; i++) for (let j = 0; j < w / 2; j++) png.data.set(rgba, 4 * (i * w + j));
  return PNG.sync.write(png);
}

describe('loadPngDir', () => {
  it('reads a flat folder as unlabelled grayscale, resized by nearest neighbour', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'png-'));
    writeFileSync(join(dir, 'a.png'), halfPng(8, 8, [255, 255, 255, 255]));
    writeFileSync(join(dir, 'b.png'), halfPng(56, 56, [255, 0, 0, 255]));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const ds = await loadPngDir(dir, 4);
    expect(ds).toMatchObject({ kind: 'image', shape: [4, 4, 1], count: 2, numClasses: 0 });
    expect(ds.labels).toBeUndefined();
    expect(Array.from(ds.x.subarray(0, 4))).toEqual([1, 1, 0, 0]);
    expect(ds.x[16]).toBeCloseTo(0.299, 3); // red → luma
  });

  it('labels images by sub-folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'png-'));
    for (const [c, n] of [
      ['cat', 2],
      ['dog', 1],
    ] as const) {
      mkdirSync(join(dir, c));
      for (let k = 0; k < n; k++) writeFileSync(join(dir, c, `${k}.png`), halfPng(4, 4, [0, 0, 0, 255]));
    }
    const ds = await loadPngDir(dir);
    expect(ds).toMatchObject({ count: 3, numClasses: 2, classNames: ['cat', 'dog'], shape: [28, 28, 1] });
    expect(Array.from(ds.labels!)).toEqual([0, 0, 1]);
  });

  it('reads JPEG photos too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'png-'));
    const gray = Buffer.alloc(16 * 16 * 4, 200);
    writeFileSync(join(dir, 'photo.jpg'), jpeg.encode({ width: 16, height: 16, data: gray }, 95).data);
    const ds = await loadPngDir(dir, 4);
    expect(ds).toMatchObject({ count: 1, shape: [4, 4, 1] });
    expect(ds.x[5]).toBeCloseTo(200 / 255, 1);
  });

  it('names the file that is not a PNG, is a corrupt JPEG, or is truncated', async () => {
    const cases: [string, Uint8Array][] = [
      ['fake.png', new TextEncoder().encode('<html>not found</html>')],
      ['photo.jpg', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])],
      ['cut.png', halfPng(8, 8, [9, 9, 9, 255]).subarray(0, 40)],
    ];
    for (const [name, bytes] of cases) {
      const dir = mkdtempSync(join(tmpdir(), 'png-'));
      writeFileSync(join(dir, name), bytes);
      const err = await loadPngDir(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).file).toBe(join(dir, name));
    }
    await expect(loadPngDir(mkdtempSync(join(tmpdir(), 'png-')))).rejects.toThrow(/no PNG or JPEG images/);
  });
});
