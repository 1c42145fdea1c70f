/**
 * Node-only loaders for user files on disk (CLI and tests). The page and the
 * worker get bytes from the File API instead and call parseIdx / idxToDataSet.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { DataError } from './errors.js';
import { idxToDataSet, parseIdx } from './idx.js';
import type { DataSet, Split } from './types.js';

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(path, 'file not found', 'check the path');
    if (code === 'EISDIR') throw new DataError(path, 'is a folder, expected a file');
    throw new DataError(path, `cannot read (${code ?? (e as Error).message})`);
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(dir, code === 'ENOENT' ? 'folder not found' : `cannot list folder (${code})`, 'check the path');
  }
}

/** Reads an IDX image file and, optionally, its label file (either may be gzipped). */
export async function loadIdxFiles(imagesPath: string, labelsPath?: string): Promise<DataSet> {
  const images = parseIdx(await readBytes(imagesPath), basename(imagesPath));
  const labels = labelsPath ? parseIdx(await readBytes(labelsPath), basename(labelsPath)) : undefined;
  // "mnist/train" reads better in the UI than "train-images-idx3-ubyte.gz".
  const split = basename(imagesPath).replace(/[-.]?images[-.]idx3[-.]ubyte(\.gz)?$/, '') || basename(imagesPath);
  return idxToDataSet(images, labels, `${basename(dirname(imagesPath))}/${split}`);
}

// "train-images-idx3-ubyte.gz", "t10k-images.idx3-ubyte", "test-images-idx3-ubyte"...
const IMAGES_RE = /^(.*?)([-.]?)images([-.])idx3([-.])ubyte(\.gz)?$/;

/** The label file beside an image file: same prefix, "labels-idx1". */
function labelsNameFor(imagesName: string, files: string[]): string | undefined {
  const m = IMAGES_RE.exec(imagesName);
  if (!m) return undefined;
  const stem = `${m[1]}${m[2]}labels${m[3]}idx1${m[4]}ubyte`;
  return files.find((f) => f === stem || f === `${stem}.gz`);
}

/** Test files are named t10k-* (MNIST) or test-*; everything else counts as train. */
const isTestName = (f: string) => /^(t10k|test)\b/.test(f);

/**
 * Finds `*-images-idx3-ubyte(.gz)` in `dir` (and its matching labels, if present)
 * for the requested split. With one image file, that file is used whatever the split.
 */
export async function findIdxFiles(dir: string, split: Split = 'train'): Promise<{ images: string; labels?: string }> {
  const files = await listDir(dir);
  const candidates = files.filter((f) => IMAGES_RE.test(f));
  if (candidates.length === 0) {
    const labelFiles = files.filter((f) => /labels[-.]idx1[-.]ubyte/.test(f));
    const found = labelFiles.length > 0 ? ` (only label files: ${labelFiles.join(', ')})` : '';
    throw new DataError(
      dir,
      `no *-images-idx3-ubyte(.gz) file in this folder${found}`,
      'point at the folder holding e.g. train-images-idx3-ubyte.gz',
    );
  }
  const wanted = candidates.length === 1 ? candidates : candidates.filter((f) => isTestName(f) === (split === 'test'));
  if (wanted.length !== 1) {
    throw new DataError(
      dir,
      `cannot tell which image file is the ${split} split among: ${candidates.join(', ')}`,
      'pass the image file itself as the path',
    );
  }
  const labels = labelsNameFor(wanted[0], files);
  return { images: join(dir, wanted[0]), labels: labels && join(dir, labels) };
}

/** `path` is a folder (see findIdxFiles) or an image file, whose labels are picked up when beside it. */
export async function loadIdxPath(path: string, split?: Split): Promise<DataSet> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new DataError(path, 'not found', 'check the path');
  }
  if (isDir) {
    const found = await findIdxFiles(path, split);
    return loadIdxFiles(found.images, found.labels);
  }
  const labels = labelsNameFor(basename(path), await listDir(dirname(path)));
  return loadIdxFiles(path, labels && join(dirname(path), labels));
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** Decodes one PNG to grayscale in [0,1], resized by nearest neighbour to size×size. */
function pngToGray(bytes: Uint8Array, file: string, size: number, out: Float32Array, at: number): void {
  if (bytes[0] === 0xff && bytes[1] === 0xd8)
    throw new DataError(file, 'is a JPEG; only PNG images are supported for now', 'convert the folder to PNG');
  if (PNG_MAGIC.some((m, i) => bytes[i] !== m))
    throw new DataError(file, 'is not a PNG image (wrong magic bytes)', 'remove it from the folder');
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new DataError(file, `PNG is corrupt (${(e as Error).message})`, 'the file may be truncated');
  }
  const { width, height, data } = png; // always 8-bit RGBA after pngjs's normalisation
  for (let i = 0; i < size; i++) {
    const sy = Math.floor(((i + 0.5) * height) / size);
    for (let j = 0; j < size; j++) {
      const p = 4 * (sy * width + Math.floor(((j + 0.5) * width) / size));
      // Luma, composited over black so transparent pixels are background.
      const luma = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
      out[at + i * size + j] = (luma * data[p + 3]) / (255 * 255);
    }
  }
}

/**
 * A folder of PNG images → size×size×1 grayscale DataSet. If the folder holds
 * sub-folders, each one is a class (sorted by name) and its images are labelled
 * with it (loose images beside the sub-folders are then ignored); otherwise
 * images are unlabelled. Non-image files are ignored.
 */
export async function loadPngDir(dir: string, size = 28): Promise<DataSet> {
  const entries = await listDir(dir);
  const classes: string[] = [];
  for (const e of entries) if ((await stat(join(dir, e))).isDirectory()) classes.push(e);
  if (classes.length > 256) throw new DataError(dir, `has ${classes.length} sub-folders; at most 256 classes are supported`);
  const groups = classes.length > 0 ? classes.map((c) => join(dir, c)) : [dir];
  const files: { path: string; label: number }[] = [];
  for (const [label, folder] of groups.entries()) {
    for (const f of await listDir(folder)) if (IMAGE_EXT.test(f)) files.push({ path: join(folder, f), label });
  }
  if (files.length === 0)
    throw new DataError(dir, 'no .png images found', 'put PNG files in the folder, or one sub-folder of PNGs per class');
  const x = new Float32Array(files.length * size * size);
  for (const [n, f] of files.entries()) pngToGray(await readBytes(f.path), f.path, size, x, n * size * size);
  const ds: DataSet = { name: basename(dir), kind: 'image', shape: [size, size, 1], count: files.length, x, numClasses: 0 };
  if (classes.length > 0) {
    ds.labels = Uint8Array.from(files, (f) => f.label);
    ds.numClasses = classes.length;
    ds.classNames = classes;
  }
  return ds;
}
