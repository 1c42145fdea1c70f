import { Gunzip } from 'fflate';
import { DataError } from './errors.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzips `bytes` when they start with the gzip magic, else returns them as is.
 * Streams instead of calling gunzipSync: gunzipSync sizes its output from the
 * last 4 bytes, which in a truncated file are garbage (up to 4 GiB allocated).
 * A truncated stream can also end "cleanly" mid-way, so the trailer's length
 * field is checked against what came out.
 */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const hint = 'the download is probably truncated or corrupt; fetch the file again';
  if (bytes.length < 18) throw new DataError(file, `gzip file is only ${bytes.length} bytes`, hint);
  const parts: Uint8Array[] = [];
  try {
    new Gunzip((chunk) => parts.push(chunk)).push(bytes, true);
  } catch (e) {
    throw new DataError(file, `gzip data is corrupt (${(e as Error).message})`, hint);
  }
  let total = 0;
  for (const p of parts) total += p.length;
  const n = bytes.length;
  const isize = (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0;
  if (isize !== total % 2 ** 32) {
    throw new DataError(file, `gzip stream ends early (${total} bytes decompressed, trailer says ${isize})`, hint);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
