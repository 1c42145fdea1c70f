/** PNG and JPEG decoding in a Web Worker, by the browser's own decoders. */
import type { ImageDecoder } from './decode.js';
import { DataError } from './errors.js';

export const browserImageDecoder: ImageDecoder = async (bytes, name) => {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch {
    throw new DataError(name, 'the browser cannot decode this image (corrupt or truncated?)', 'remove the file or export it again');
  }
  const { width, height } = bitmap;
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new DataError(name, 'this browser has no 2-D canvas in workers to read images with', 'use a current Chromium or Firefox');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width, height, rgba: ctx.getImageData(0, 0, width, height).data };
};
