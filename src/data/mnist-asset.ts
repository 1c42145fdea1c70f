import { gzipSync } from 'fflate';
import { DataError } from './errors.js';
import { maybeGunzip } from './gzip.js';

/**
 * Format of src/data/assets/mnist10k.bin ("Latent Lab digits", v1).
 * The whole file is one gzip stream of:
 *
 *   offset  size            field
 *   0       4               magic, ASCII "LLD1"
 *   4       4               count   (uint32, little-endian)
 *   8       4               rows    (uint32, little-endian)
 *   12      4               cols    (uint32, little-endian)
 *   16      count*rows*cols pixels, uint8 0..255, image after image, row-major
 *   ...     count           labels, uint8 0..9
 *
 * Raw bytes rather than JSON: 7.9 MB of JSON floats become ~1.6 MB here.
 */
export interface DigitAsset {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

const MAGIC = [0x4c, 0x4c, 0x44, 0x31]; // "LLD1"
const HEADER = 16;

export function encodeDigitAsset(a: DigitAsset): Uint8Array {
  const raw = new Uint8Array(HEADER + a.pixels.length + a.labels.length);
  raw.set(MAGIC, 0);
  const view = new DataView(raw.buffer);
  view.setUint32(4, a.count, true);
  view.setUint32(8, a.rows, true);
  view.setUint32(12, a.cols, true);
  raw.set(a.pixels, HEADER);
  raw.set(a.labels, HEADER + a.pixels.length);
  return gzipSync(raw, { level: 9, mtime: 0 });
}

export function decodeDigitAsset(bytes: Uint8Array, file: string): DigitAsset {
  const raw = maybeGunzip(bytes, file);
  const rebuild = 'rebuild it with `npm run prepare-data`';
  if (raw.length < HEADER || MAGIC.some((m, i) => raw[i] !== m)) {
    throw new DataError(file, 'not a Latent Lab digit asset (bad magic)', rebuild);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = view.getUint32(4, true);
  const rows = view.getUint32(8, true);
  const cols = view.getUint32(12, true);
  const nPix = count * rows * cols;
  if (raw.length !== HEADER + nPix + count) {
    throw new DataError(file, `header says ${count} images of ${rows}×${cols} but the file holds ${raw.length} bytes`, rebuild);
  }
  return {
    count,
    rows,
    cols,
    pixels: raw.subarray(HEADER, HEADER + nPix),
    labels: raw.subarray(HEADER + nPix),
  };
}
