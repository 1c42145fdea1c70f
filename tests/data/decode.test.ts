import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeFiles, sniff, type ImageDecoder, type InputFile } from '../../src/data/decode.js';
import { DataError } from '../../src/data/errors.js';
import { loadFilesAt, nodeImageDecoder } from '../../src/data/node-files.js';

const text = (s: string) => new TextEncoder().encode(s);

/** A w×h opaque gray PNG of value `v`. */
function png(w: number, h: number, v: number): Uint8Array {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set([v, v, v, 255], 4 * i);
  return new Uint8Array(PNG.sync.write(p));
}

function jpg(w: number, h: number, v: number): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: w, height: h, data: Buffer.alloc(w * h * 4, v) }, 95).data);
}

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

const decode = (files: InputFile[], opts?: { size?: number; name?: string }) => decodeFiles(files, nodeImageDecoder, opts);

async function dataError(p: Promise<unknown>): Promise<DataError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DataError);
  return e as DataError;
}

describe('sniff', () => {
  it('tells formats apart by their first bytes, whatever the name', () => {
    expect(sniff(gzipSync(text('1,2')))).toBe('gzip');
    expect(sniff(zipSync({ 'a.txt': text('x') }))).toBe('zip');
    expect(sniff(zipSync({}))).toBe('zip');
    expect(sniff(png(2, 2, 0))).toBe('png');
    expect(sniff(jpg(8, 8, 0))).toBe('jpeg');
    expect(sniff(idxImages(1, 2, 2))).toBe('idx-images');
    expect(sniff(idxLabels([3]))).toBe('idx-labels');
    expect(sniff(text('x,y\n1,2\r\n3\t4\n'))).toBe('text');
    expect(sniff(text('héllo, wörld'))).toBe('text');
    expect(sniff(Uint8Array.from([0, 0, 0x0d, 3, 1, 2]))).toBe('unknown'); // IDX of floats
    expect(sniff(Uint8Array.from([1, 2, 3, 0]))).toBe('unknown');
    expect(sniff(new Uint8Array(0))).toBe('unknown');
  });
});

describe('decodeFiles: IDX', () => {
  const images = idxImages(10, 3, 4);
  const labels = idxLabels([0, 1, 2, 3, 4, 4, 3, 2, 1, 0]);

  it('reads gzipped images with their labels file (5 classes → numClasses 5)', async () => {
    const r = await decode([
      { name: 'train-images-idx3-ubyte.gz', bytes: gzipSync(images) },
      { name: 'train-labels-idx1-ubyte.gz', bytes: gzipSync(labels) },
    ]);
    expect(r.format).toBe('idx');
    expect(r.data).toMatchObject({ name: 'train', kind: 'image', shape: [3, 4, 1], count: 10, numClasses: 5 });
    expect(Array.from(r.data.labels!)).toEqual([0, 1, 2, 3, 4, 4, 3, 2, 1, 0]);
    expect(r.data.x[7]).toBeCloseTo(images[16 + 7] / 255, 6);
    expect(r.skipped).toEqual([]);
  });

  it('reads images without labels as unlabelled, and names the set by its stem', async () => {
    const r = await decode([{ name: 't10k-images-idx3-ubyte', bytes: images }]);
    expect(r.data).toMatchObject({ name: 't10k', count: 10, numClasses: 0 });
    expect(r.data.labels).toBeUndefined();
  });

  it('pairs labels by name, else by count, and lists the rest', async () => {
    const r = await decode([
      { name: 'mnist/t10k-images-idx3-ubyte.gz', bytes: gzipSync(images) },
      { name: 'mnist/train-labels-idx1-ubyte.gz', bytes: gzipSync(idxLabels([1, 2, 3])) },
      { name: 'mnist/t10k-labels-idx1-ubyte.gz', bytes: gzipSync(labels) },
      { name: 'mnist/preview.png', bytes: png(2, 2, 9) },
    ]);
    expect(r.data).toMatchObject({ name: 'mnist/t10k', numClasses: 5 });
    expect(r.skipped.map((s) => s.file).sort()).toEqual(['mnist/preview.png', 'mnist/train-labels-idx1-ubyte.gz']);
    expect(r.skipped.find((s) => s.file.endsWith('.gz'))!.reason).toMatch(/holds 3 labels but .* holds 10 images/);

    // Oddly named, but the only labels file with the right count.
    const odd = await decode([
      { name: 'imgs.bin', bytes: images },
      { name: 'lbls.bin', bytes: idxLabels([7, 7, 7, 7, 7, 7, 7, 7, 7, 7]) },
    ]);
    expect(odd.data.numClasses).toBe(8);
  });

  it('asks to pick one split when two image files come together', async () => {
    const e = await dataError(
      decode([
        { name: 'mnist/train-images-idx3-ubyte.gz', bytes: gzipSync(images) },
        { name: 'mnist/t10k-images-idx3-ubyte.gz', bytes: gzipSync(images) },
      ]),
    );
    expect(e.file).toBe('mnist');
    expect(e.message).toMatch(/2 IDX image files .*pick one split/);
    expect(e.hint).toMatch(/train/);
  });

  it('gives the IDX file its own error (and hint) when it is the only failure', async () => {
    const e = await dataError(
      decode([
        { name: 'train-images-idx3-ubyte.gz', bytes: gzipSync(images.subarray(0, 50)) },
        { name: 'train-labels-idx1-ubyte.gz', bytes: gzipSync(labels) },
      ]),
    );
    expect(e.file).toBe('train-images-idx3-ubyte.gz');
    expect(e.message).toMatch(/header says 10 images/);
    expect(e.hint).toMatch(/truncated/);
  });
});

describe('decodeFiles: images', () => {
  /** digits/3/*.png are dark (30), digits/7/*.png light (220), plus OS litter. */
  function digitsZip(extra: Record<string, Uint8Array> = {}): Uint8Array {
    const entries: Record<string, Uint8Array> = { '__MACOSX/digits/3/._0.png': text('junk'), 'digits/.DS_Store': text('junk') };
    for (let k = 0; k < 10; k++) {
      entries[`digits/3/${k}.png`] = png(8, 8, 30);
      entries[`digits/7/${k}.png`] = png(14, 10, 220);
    }
    return zipSync({ ...entries, ...extra });
  }

  it('reads a zip of class folders under a common root: the root is not a class', async () => {
    const r = await decode([{ name: 'digits.zip', bytes: digitsZip() }], { size: 6 });
    expect(r.format).toBe('images');
    expect(r.data).toMatchObject({ name: 'digits', kind: 'image', shape: [6, 6, 1], count: 20, numClasses: 2, classNames: ['3', '7'] });
    expect(r.skipped).toEqual([]); // __MACOSX and dotfiles are not the user's mistake
    const labels = Array.from(r.data.labels!);
    expect(labels.filter((l) => l === 0)).toHaveLength(10);
    for (let n = 0; n < 20; n++) expect(r.data.x[n * 36]).toBeCloseTo((labels[n] === 0 ? 30 : 220) / 255, 5);
    expect(r.data.x).toHaveLength(20 * 36);
  });

  it('leaves images in the root alone unlabelled, and takes the folder directly above a nested image as its class', async () => {
    const flat = await decode([{ name: 'digits.zip', bytes: zipSync({ 'digits/a.png': png(2, 2, 0), 'digits/b.png': png(2, 2, 0) }) }]);
    expect(flat.data).toMatchObject({ name: 'digits', count: 2, numClasses: 0 });
    expect(flat.data.classNames).toBeUndefined();
    const nested = await decode(['train/3/a', 'test/3/b', 'train/7/c'].map((p) => ({ name: `digits/${p}.png`, bytes: png(2, 2, 0) })));
    expect(nested.data).toMatchObject({ count: 3, classNames: ['3', '7'] });
    const dotted = await decode([{ name: 'd.zip', bytes: zipSync({ './x/1/a.png': png(2, 2, 0), './x/2/b.png': png(2, 2, 0) }) }]);
    expect(dotted.data).toMatchObject({ name: 'x', count: 2, classNames: ['1', '2'] });
  });

  it('takes classes from a dropped folder the same way, and sorts integer classes numerically', async () => {
    const files = ['10', '9', '2'].flatMap((c) => [{ name: `mydigits/${c}/a.png`, bytes: png(4, 4, Number(c) * 10) }]);
    const r = await decode(files);
    expect(r.data).toMatchObject({ name: 'mydigits', classNames: ['2', '9', '10'], count: 3 });
    expect(Array.from(r.data.labels!)).toEqual([2, 0, 1]); // examples in path order: 10/, 2/, 9/
    expect(r.data.x[0]).toBeCloseTo(100 / 255, 5);
  });

  it('decodes JPEG', async () => {
    const r = await decode([
      { name: 'photos/a.jpg', bytes: jpg(16, 16, 128) },
      { name: 'photos/b.jpeg', bytes: jpg(32, 8, 250) },
      { name: 'photos/c.png', bytes: jpg(8, 8, 60) }, // the bytes decide, not the name
    ]);
    expect(r.data).toMatchObject({ count: 3, numClasses: 0, shape: [28, 28, 1] });
    expect(r.data.x[2 * 28 * 28]).toBeCloseTo(60 / 255, 1);
    expect(r.data.x[0]).toBeCloseTo(128 / 255, 1);
    expect(r.data.x[28 * 28 + 100]).toBeCloseTo(250 / 255, 1);
  });

  it('composites transparent pixels over black and samples by nearest neighbour', async () => {
    const p = new PNG({ width: 4, height: 1 });
    p.data.set([255, 255, 255, 255, 255, 0, 0, 255, 0, 0, 255, 128, 0, 0, 0, 0]);
    const r = await decode([{ name: 'strip.png', bytes: new Uint8Array(PNG.sync.write(p)) }], { size: 2 });
    // Output column j samples source column floor((j + 0.5) · 4 / 2) = 1, 3.
    expect(Array.from(r.data.x)).toEqual([0.299, 0, 0.299, 0].map((v) => Math.fround(v)));
  });

  it('skips and lists a corrupt PNG in a zip, keeping the others', async () => {
    const cut = png(8, 8, 1).subarray(0, 60);
    const r = await decode([{ name: 'digits.zip', bytes: digitsZip({ 'digits/3/bad.png': cut, 'digits/notes.txt': text('hi') }) }]);
    expect(r.data.count).toBe(20);
    expect(r.skipped).toContainEqual({ file: 'digits.zip/digits/3/bad.png', reason: expect.stringMatching(/PNG is corrupt/) as string });
    expect(r.skipped).toContainEqual({ file: 'digits.zip/digits/notes.txt', reason: 'not used: the files were read as images' });
    expect(r.skipped).toHaveLength(2);
  });

  it('skips loose images beside class folders, and images whose decoder output does not add up', async () => {
    const liar: ImageDecoder = async (bytes, name) =>
      name.endsWith('liar.png') ? { width: 10, height: 10, rgba: new Uint8Array(3) } : nodeImageDecoder(bytes, name);
    const r = await decodeFiles(
      [
        { name: 'set/a/1.png', bytes: png(2, 2, 0) },
        { name: 'set/b/liar.png', bytes: png(2, 2, 0) },
        { name: 'set/b/2.png', bytes: png(2, 2, 0) },
        { name: 'set/loose.png', bytes: png(2, 2, 0) },
      ],
      liar,
    );
    expect(r.data).toMatchObject({ count: 2, classNames: ['a', 'b'] });
    expect(r.skipped.map((s) => [s.file, s.reason])).toEqual([
      ['set/loose.png', 'is a loose image beside the class folders'],
      ['set/b/liar.png', 'decoder returned 3 bytes for 10×10 RGBA'],
    ]);
  });

  it('refuses a zip of junk with one DataError that names the files', async () => {
    const junk = zipSync({
      'stuff/blob.bin': Uint8Array.from([1, 2, 3, 0, 9]),
      'stuff/page.png': text('<html>404</html>'),
      'stuff/empty.csv': new Uint8Array(0),
    });
    const e = await dataError(decode([{ name: 'junk.zip', bytes: junk }]));
    expect(e.file).toBe('junk.zip');
    expect(e.message).toMatch(/nothing usable among 3 files/);
    expect(e.message).toContain('junk.zip/stuff/blob.bin: is not a PNG, JPEG, IDX, zip, gzip or CSV file');
    expect(e.message).toContain('junk.zip/stuff/page.png: is named as a PNG image but holds text');
    expect(e.message).toContain('junk.zip/stuff/empty.csv: is empty');
    expect(e.hint).toMatch(/IDX .*images.*CSV/);
  });

  it('refuses a corrupt zip, and a set of only hidden files', async () => {
    const e = await dataError(decode([{ name: 'd.zip', bytes: digitsZip().subarray(0, 300) }]));
    expect(e.file).toBe('d.zip');
    expect(e.message).toMatch(/zip archive is corrupt/);
    await expect(decode([{ name: 'x/.DS_Store', bytes: text('x') }])).rejects.toThrow(/only hidden or system files/);
    await expect(decode([])).rejects.toBeInstanceOf(DataError);
    await expect(decode([{ name: 'a.png', bytes: png(2, 2, 0) }], { size: 0 })).rejects.toBeInstanceOf(DataError);
  });
});

describe('decodeFiles: CSV points', () => {
  it('reads a header and a class column of strings (class names sorted)', async () => {
    const csv = 'x,y,label\n1.5,-2,dog\n\n0,3e1,cat\r\n"4",5,dog\n';
    const r = await decode([{ name: 'pets.csv', bytes: text(csv) }]);
    expect(r.format).toBe('points');
    expect(r.data).toMatchObject({ name: 'pets', kind: 'points', shape: [2], count: 3, numClasses: 2, classNames: ['cat', 'dog'] });
    expect(Array.from(r.data.x)).toEqual([1.5, -2, 0, 30, 4, 5]);
    expect(Array.from(r.data.labels!)).toEqual([1, 0, 1]);
    expect(r.skipped).toEqual([]);
  });

  it('reads headerless, unlabelled, whitespace-separated and gzipped points', async () => {
    const r = await decode([{ name: 'pts.txt.gz', bytes: gzipSync(text('1 2\n3   4\n')) }]);
    expect(r.data).toMatchObject({ name: 'pts', count: 2, numClasses: 0 });
    expect(r.data.labels).toBeUndefined();
    expect(Array.from(r.data.x)).toEqual([1, 2, 3, 4]);
  });

  it('skips bad lines, lists up to 20 of them and sums up the rest', async () => {
    const lines = ['x,y', '1,2', '3,abc', '5', 'NaN,1', '7,8'];
    for (let i = 0; i < 30; i++) lines.push('oops,1');
    const r = await decode([{ name: 'pts.csv', bytes: text(lines.join('\n')) }]);
    expect(r.data.count).toBe(2);
    expect(r.skipped.slice(0, 3)).toEqual([
      { file: 'pts.csv', reason: 'line 3: "abc" is not a number' },
      { file: 'pts.csv', reason: 'line 4: has 1 column, expected 2' },
      { file: 'pts.csv', reason: 'line 5: "NaN" is not a number' },
    ]);
    expect(r.skipped).toHaveLength(21);
    expect(r.skipped[20]).toEqual({ file: 'pts.csv', reason: 'and 13 more bad lines' });
  });

  it('refuses a CSV with no usable rows, naming its lines', async () => {
    const e = await dataError(decode([{ name: 'words.csv', bytes: text('a,b\nc,d\n') }]));
    expect(e.file).toBe('words.csv');
    expect(e.message).toMatch(/no usable x,y rows \(line 2: "c" is not a number\)/);
    await expect(decode([{ name: 'wide.csv', bytes: text('1,2,3,4\n') }])).rejects.toThrow(/4 columns; expected x,y or x,y,class/);
  });
});

describe('loadFilesAt', () => {
  it('reads a zip, a folder or a CSV from disk, and blames errors on disk paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-'));
    writeFileSync(join(dir, 'shapes.zip'), zipSync({ 'round/a.png': png(3, 3, 10), 'square/b.jpg': jpg(8, 8, 90) }));
    const zip = await loadFilesAt(join(dir, 'shapes.zip'), 5);
    expect(zip.data).toMatchObject({ name: 'shapes', count: 2, classNames: ['round', 'square'], shape: [5, 5, 1] });

    mkdirSync(join(dir, 'mnist'));
    writeFileSync(join(dir, 'mnist', 'train-images-idx3-ubyte.gz'), gzipSync(idxImages(4, 2, 2)));
    writeFileSync(join(dir, 'mnist', 'train-labels-idx1-ubyte'), idxLabels([0, 1, 0, 1]));
    writeFileSync(join(dir, 'mnist', 'README.md'), '# mnist');
    const idx = await loadFilesAt(join(dir, 'mnist'));
    expect(idx).toMatchObject({ format: 'idx', data: { name: 'mnist/train', count: 4, numClasses: 2 } });
    expect(idx.skipped).toEqual([
      { file: join(dir, 'mnist', 'README.md'), reason: 'not used: the files were read as IDX from mnist/train-images-idx3-ubyte.gz' },
    ]);

    writeFileSync(join(dir, 'p.csv'), '1,2,0\n3,4,1\n');
    expect((await loadFilesAt(join(dir, 'p.csv'))).data).toMatchObject({ kind: 'points', count: 2, numClasses: 2 });

    writeFileSync(join(dir, 'bad.png'), png(4, 4, 0).subarray(0, 30));
    const e = await dataError(loadFilesAt(join(dir, 'bad.png')));
    expect(e.file).toBe(join(dir, 'bad.png'));
    expect(e.message).toMatch(/PNG is corrupt/);
    await expect(loadFilesAt(join(dir, 'missing'))).rejects.toThrow(/not found/);
  });
});
