import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Byte-for-byte equality of typed arrays (fast, unlike toEqual on millions of floats). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** ../shared/datasets beside the checkout: benchmark data the product never depends on. */
export const SHARED_DATASETS = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
export const sharedExists = (sub: string) => existsSync(SHARED_DATASETS + sub);
