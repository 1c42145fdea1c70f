/**
 * Node-only loaders for user files on disk (CLI and tests). The page and the
 * worker get bytes from the File API instead and call decodeFiles (./decode.ts)
 * with a browser image decoder.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodeFiles, sniff, type DecodeResult, type ImageDecoder, type InputFile } from './decode.js';
import { DataError } from './errors.js';
import { idxToDataSet, parseIdx } from './idx.js';
import { IMAGES_RE, LABELS_RE, idxStem, isTestName, labelsNameFor } from './idxNames.js';
import type { DataSet, Split } from './types.js';

const IMAGE_EXT = /\.(png|jpe?g)$/i;

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
  return idxToDataSet(images, labels, `${basename(dirname(imagesPath))}/${idxStem(basename(imagesPath))}`);
}

/**
 * Finds `*-images-idx3-ubyte(.gz)` in `dir` (and its matching labels, if present)
 * for the requested split. With one image file, that file is used whatever the split.
 */
export async function findIdxFiles(dir: string, split: Split = 'train'): Promise<{ images: string; labels?: string }> {
  const files = await listDir(dir);
  const candidates = files.filter((f) => IMAGES_RE.test(f));
  if (candidates.length === 0) {
    const labelFiles = files.filter((f) => LABELS_RE.test(f));
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

/** Decodes PNG (pngjs) and JPEG (jpeg-js) to RGBA; both are pure JS, so no native build is needed. */
export const nodeImageDecoder: ImageDecoder = async (bytes, name) => {
  const kind = sniff(bytes);
  if (kind === 'png') {
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)); // always 8-bit RGBA
      return { width: png.width, height: png.height, rgba: png.data };
    } catch (e) {
      throw new DataError(name, `PNG is corrupt (${(e as Error).message})`, 'the file may be truncated');
    }
  }
  if (kind === 'jpeg') {
    try {
      const jpg = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      return { width: jpg.width, height: jpg.height, rgba: jpg.data };
    } catch (e) {
      throw new DataError(name, `JPEG is corrupt (${(e as Error).message})`, 'the file may be truncated');
    }
  }
  throw new DataError(name, 'is not a PNG or JPEG image');
};

/** Every file under `dir` (hidden ones aside), named '/'-relative to `dir`'s parent so the folder name leads. */
async function readTree(dir: string): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const walk = async (folder: string, rel: string) => {
    for (const entry of await listDir(folder)) {
      if (entry.startsWith('.')) continue; // .git, .DS_Store: never data, and .git can be huge
      const path = join(folder, entry);
      if ((await stat(path)).isDirectory()) await walk(path, `${rel}/${entry}`);
      else out.push({ name: `${rel}/${entry}`, bytes: await readBytes(path) });
    }
  };
  await walk(dir, basename(dir));
  return out;
}

/** Decodes files named relative to `base`, blaming errors and skips on paths the user can open. */
async function decodeAt(base: string, files: InputFile[], opts: { size?: number; name?: string }): Promise<DecodeResult> {
  try {
    const result = await decodeFiles(files, nodeImageDecoder, opts);
    return { ...result, skipped: result.skipped.map((s) => ({ ...s, file: join(base, s.file) })) };
  } catch (e) {
    const inSet = (f: string) => files.some((x) => x.name === f || x.name.startsWith(`${f}/`) || f.startsWith(`${x.name}/`));
    if (!(e instanceof DataError) || !inSet(e.file)) throw e;
    throw new DataError(join(base, e.file), e.message.slice(e.file.length + 2), e.hint);
  }
}

/**
 * Reads a file (IDX, gzip, zip, PNG, JPEG, CSV) or a folder (recursively) and
 * decodes it like a drop in the browser would (see decodeFiles).
 */
export async function loadFilesAt(path: string, size?: number): Promise<DecodeResult> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new DataError(path, 'not found', 'check the path');
  }
  const files = isDir ? await readTree(path) : [{ name: basename(path), bytes: await readBytes(path) }];
  return decodeAt(dirname(path), files, { size });
}

/**
 * A folder of PNG or JPEG images → size×size×1 grayscale DataSet. Images in
 * sub-folders are labelled by the folder directly above them (classes sorted by
 * name; loose images beside them are skipped); a flat folder is unlabelled.
 * Other files are ignored, and images that fail to decode are skipped, unless
 * none is left.
 */
export async function loadPngDir(dir: string, size = 28): Promise<DataSet> {
  // A ".png" that is not one is kept, so that the error names it.
  const isImage = (f: InputFile) => ['png', 'jpeg'].includes(sniff(f.bytes)) || IMAGE_EXT.test(f.name);
  const files = (await readTree(dir)).filter(isImage);
  if (files.length === 0) {
    throw new DataError(dir, 'holds no PNG or JPEG images', 'put image files in the folder, or one sub-folder of images per class');
  }
  const { data, skipped } = await decodeAt(dirname(dir), files, { size, name: basename(dir) });
  return skipped.length ? { ...data, skipped } : data;
}

/** The CLI's image and point sources: a folder of images, or one zip, CSV or image file (files left out are listed on the set). */
export async function loadImagesOrPoints(path: string, size = 28): Promise<DataSet> {
  const isDir = await stat(path).then(
    (st) => st.isDirectory(),
    () => {
      throw new DataError(path, 'not found', 'check the path');
    },
  );
  if (isDir) return loadPngDir(path, size);
  const { data, skipped } = await loadFilesAt(path, size);
  return skipped.length ? { ...data, skipped } : data;
}
