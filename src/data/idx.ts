import { DataError } from './errors.js';
import { maybeGunzip } from './gzip.js';
import type { DataSet } from './types.js';

/** A parsed IDX file of unsigned bytes: images (magic 2051) or labels (magic 2049). */
export type IdxFile =
  | { kind: 'images'; file: string; count: number; rows: number; cols: number; data: Uint8Array }
  | { kind: 'labels'; file: string; count: number; data: Uint8Array };

const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;
const TRUNCATED = 'truncated download? fetch the file again';

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Names what a wrong file most likely is, from its first bytes. */
function describeMagic(b: Uint8Array): string {
  if (b[0] === 0x89 && b[1] === 0x50) return 'a PNG image';
  if (b[0] === 0xff && b[1] === 0xd8) return 'a JPEG image';
  if (b[0] === 0x50 && b[1] === 0x4b) return 'a ZIP archive';
  if (b[0] === 0x3c) return 'text/HTML (an error page saved instead of the file?)';
  return `magic ${u32(b, 0)}`;
}

/**
 * Parses IDX bytes (gzipped or not) as written by LeCun et al. for MNIST and
 * reused by Fashion-MNIST: a big-endian header (magic, count, then rows and
 * cols for images) followed by one uint8 per pixel or label. Throws DataError
 * naming `name` for anything else, including a size that disagrees with the header.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxFile {
  const b = maybeGunzip(bytes, name);
  if (b.length < 8) throw new DataError(name, `only ${b.length} bytes, too short for an IDX header`, TRUNCATED);
  const magic = u32(b, 0);
  if (magic === LABELS_MAGIC) {
    const count = u32(b, 4);
    if (count === 0)
      throw new DataError(name, 'header says 0 labels: the file holds no labels', 'pick the label file that goes with the images');
    const body = b.length - 8;
    if (body !== count) {
      const what = body < count ? `${TRUNCATED}` : 'is this really a label file?';
      throw new DataError(name, `header says ${count} labels but the file holds ${body} bytes of labels`, what);
    }
    return { kind: 'labels', file: name, count, data: b.subarray(8) };
  }
  if (magic === IMAGES_MAGIC) {
    if (b.length < 16) throw new DataError(name, `only ${b.length} bytes, too short for an IDX image header (16 bytes)`, TRUNCATED);
    const count = u32(b, 4);
    const rows = u32(b, 8);
    const cols = u32(b, 12);
    if (rows === 0 || cols === 0 || rows > 4096 || cols > 4096) {
      throw new DataError(name, `header says images are ${rows}×${cols}, which is not a usable size`, 'the header is corrupt');
    }
    if (count === 0)
      throw new DataError(
        name,
        `header says 0 images of ${rows}×${cols}: the file holds no pictures`,
        'pick a file with images in it, e.g. train-images-idx3-ubyte.gz',
      );
    const body = b.length - 16;
    if (body !== count * rows * cols) {
      const what = body < count * rows * cols ? TRUNCATED : 'extra bytes after the last image; is the header right?';
      throw new DataError(name, `header says ${count} images of ${rows}×${cols} but the file holds ${body} bytes of pixels`, what);
    }
    return { kind: 'images', file: name, count, rows, cols, data: b.subarray(16) };
  }
  if (b[0] === 0 && b[1] === 0 && b[2] !== 0x08) {
    throw new DataError(name, `IDX element type 0x${b[2].toString(16)} is not supported, only unsigned bytes (0x08)`);
  }
  throw new DataError(
    name,
    `not an IDX image (2051) or label (2049) file: found ${describeMagic(b)}`,
    'expected files such as train-images-idx3-ubyte.gz',
  );
}

/** uint8 0..255 → float 0..1. (A plain loop: Float32Array.from with a mapper is ~25× slower.) */
function bytesToUnit(bytes: Uint8Array): Float32Array {
  const x = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) x[i] = bytes[i] / 255;
  return x;
}

/** Joins parsed IDX images (and optional labels) into a DataSet with pixels in [0,1]. */
export function idxToDataSet(images: IdxFile, labels?: IdxFile, name = images.file): DataSet {
  if (images.kind !== 'images') throw new DataError(images.file, 'is a label file, expected images (magic 2051)');
  const ds: DataSet = {
    name,
    kind: 'image',
    shape: [images.rows, images.cols, 1],
    count: images.count,
    x: bytesToUnit(images.data),
    numClasses: 0,
  };
  if (labels) {
    if (labels.kind !== 'labels') throw new DataError(labels.file, 'is an image file, expected labels (magic 2049)');
    if (labels.count !== images.count) {
      throw new DataError(
        labels.file,
        `holds ${labels.count} labels but ${images.file} holds ${images.count} images`,
        'pick the label file from the same split',
      );
    }
    ds.labels = labels.data.slice();
    ds.numClasses = ds.labels.reduce((m, v) => Math.max(m, v + 1), 0);
  }
  return ds;
}
