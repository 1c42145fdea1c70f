import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'fflate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { idxToDataSet, parseIdx } from '../../src/data/idx.js';
import { findIdxFiles, loadIdxFiles, loadIdxPath } from '../../src/data/node-files.js';
import { SHARED_DATASETS, sharedExists } from './helpers.js';

function idxImages(count: number, rows: number, cols: number): Uint8Array {
  const b = new Uint8Array(16 + count * rows * cols);
  const v = new DataView(b.buffer);
  [2051, count, rows, cols].forEach((n, i) => v.setUint32(4 * i, n));
  for (let i = 16; i < b.length; i++) b[i] = (i * 37) % 256;
  return b;
}

function idxLabels(labels: number[]): Uint8Array {
  const b = new Uint8Array(8 + labels.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 2049);
  v.setUint32(4, labels.length);
  b.set(labels, 8);
  return b;
}

function expectDataError(f: () => unknown, file: string): DataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).file).toBe(file);
    expect((e as DataError).message.startsWith(`${file}: `)).toBe(true);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

describe('parseIdx', () => {
  const images = idxImages(3, 4, 5);
  const labels = idxLabels([2, 0, 1]);

  it('reads raw and gzipped image and label files', () => {
    for (const bytes of [images, gzipSync(images)]) {
      const f = parseIdx(bytes, 'i');
      expect(f).toMatchObject({ kind: 'images', count: 3, rows: 4, cols: 5 });
      expect(f.data).toEqual(images.subarray(16));
    }
    expect(parseIdx(gzipSync(labels), 'l')).toMatchObject({ kind: 'labels', count: 3 });
  });

  it('joins images and labels into a DataSet in [0,1]', () => {
    const ds = idxToDataSet(parseIdx(images, 'i'), parseIdx(labels, 'l'), 'tiny');
    expect(ds).toMatchObject({ name: 'tiny', kind: 'image', shape: [4, 5, 1], count: 3, numClasses: 3 });
    expect(Array.from(ds.labels!)).toEqual([2, 0, 1]);
    expect(ds.x[0]).toBeCloseTo(images[16] / 255);
  });

  it('gives a DataError for every truncation, raw or gzipped', () => {
    for (const [bytes, name] of [
      [images, 'i'],
      [labels, 'l'],
      [gzipSync(images), 'i.gz'],
      [gzipSync(labels), 'l.gz'],
    ] as const) {
      for (let n = 0; n < bytes.length; n++) expectDataError(() => parseIdx(bytes.subarray(0, n), name), name);
    }
  });

  it('explains a truncated file in terms of the header', () => {
    const e = expectDataError(() => parseIdx(images.subarray(0, 40), 'train-images-idx3-ubyte'), 'train-images-idx3-ubyte');
    expect(e.message).toBe('train-images-idx3-ubyte: header says 3 images of 4×5 but the file holds 24 bytes of pixels');
    expect(e.hint).toMatch(/truncated/);
  });

  it('names wrong files: bad magic, PNG, extra bytes, unsupported element type, mismatched label count', () => {
    expect(expectDataError(() => parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'x.png'), 'x.png').message).toMatch(/PNG/);
    expect(expectDataError(() => parseIdx(new Uint8Array([...images, 0]), 'i'), 'i').message).toMatch(/header says 3 images/);
    expect(expectDataError(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 3, 0, 0, 0, 0]), 'f'), 'f').message).toMatch(/0xd/);
    const e = expectDataError(() => idxToDataSet(parseIdx(images, 'i'), parseIdx(idxLabels([1]), 'l')), 'l');
    expect(e.message).toMatch(/1 labels but i holds 3 images/);
    expectDataError(() => idxToDataSet(parseIdx(labels, 'l')), 'l');
  });

  it('refuses a file with 0 images or 0 labels by name', () => {
    expect(expectDataError(() => parseIdx(idxImages(0, 28, 28), 'empty-images-idx3-ubyte'), 'empty-images-idx3-ubyte').message).toMatch(
      /0 images of 28×28/,
    );
    expect(expectDataError(() => parseIdx(idxLabels([]), 'empty-labels'), 'empty-labels').message).toMatch(/0 labels/);
  });

  it('never throws anything but a DataError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, gz) => {
        try {
          parseIdx(gz ? gzipSync(bytes).subarray(0, 10 + bytes.length) : bytes, 'junk');
        } catch (e) {
          expect(e).toBeInstanceOf(DataError);
        }
      }),
    );
  });
});

describe('IDX files on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxImages(3, 4, 5)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels([2, 0, 1])));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idxImages(2, 4, 5));
  writeFileSync(join(dir, 'README.txt'), 'not data');

  it('finds the split in a folder, with labels when present', async () => {
    expect(await findIdxFiles(dir, 'train')).toEqual({
      images: join(dir, 'train-images-idx3-ubyte.gz'),
      labels: join(dir, 'train-labels-idx1-ubyte.gz'),
    });
    expect(await findIdxFiles(dir, 'test')).toEqual({ images: join(dir, 't10k-images-idx3-ubyte'), labels: undefined });
    const train = await loadIdxPath(dir, 'train');
    expect(train).toMatchObject({ name: `${basename(dir)}/train`, count: 3, numClasses: 3 });
    expect((await loadIdxPath(join(dir, 'train-images-idx3-ubyte.gz'))).labels).toBeDefined();
    expect((await loadIdxPath(dir, 'test')).labels).toBeUndefined();
  });

  it('reports missing files and folders without IDX files as DataErrors', async () => {
    await expect(loadIdxFiles(join(dir, 'nope.gz'))).rejects.toBeInstanceOf(DataError);
    await expect(loadIdxPath(join(dir, 'nope'))).rejects.toBeInstanceOf(DataError);
    await expect(findIdxFiles(mkdtempSync(join(tmpdir(), 'empty-')))).rejects.toThrow(/no \*-images-idx3-ubyte/);
    const labelsOnly = mkdtempSync(join(tmpdir(), 'labels-'));
    writeFileSync(join(labelsOnly, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels([1])));
    await expect(findIdxFiles(labelsOnly)).rejects.toThrow(/only label files: train-labels-idx1-ubyte.gz/);
  });

  const mnist = SHARED_DATASETS + 'mnist';
  // Full MNIST lives beside the checkout on benchmark machines only; skip elsewhere.
  it.skipIf(!sharedExists('mnist/train-images-idx3-ubyte.gz'))('reads full MNIST from ../shared/datasets', async () => {
    const train = await loadIdxPath(mnist, 'train');
    const test = await loadIdxPath(mnist, 'test');
    expect(train).toMatchObject({ count: 60_000, shape: [28, 28, 1], numClasses: 10 });
    expect(test).toMatchObject({ count: 10_000, shape: [28, 28, 1], numClasses: 10 });
    expect(train.labels![0]).toBe(5);
    expect(test.labels![0]).toBe(7);
  });
});
