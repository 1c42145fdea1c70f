import { isNode, nodeBuiltin } from './env.js';
import { decodeDigitAsset, type DigitAsset } from './mnist-asset.js';
import { DataError } from './errors.js';
import type { DataSet, Split } from './types.js';

/** The last TEST_COUNT digits of the embedded asset are the held-out test split. */
export const TEST_COUNT = 1000;
const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

// Written as `new URL(literal, import.meta.url)` so Vite emits the file as a
// hashed asset for the page and the worker; under Node it is a file: URL.
const ASSET_URL = new URL('./assets/mnist10k.bin', import.meta.url);

let cached: Promise<DigitAsset> | undefined;

async function readAsset(): Promise<Uint8Array> {
  if (isNode()) {
    const fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
    return new Uint8Array(await fs.readFile(ASSET_URL));
  }
  const res = await fetch(ASSET_URL);
  if (!res.ok)
    throw new DataError(ASSET_URL.href, `HTTP ${res.status} fetching the embedded digits`, 'the app build is missing its data asset');
  return new Uint8Array(await res.arrayBuffer());
}

function loadAsset(): Promise<DigitAsset> {
  // Decode once per process/worker; a failed load is not cached so it can be retried.
  cached ??= readAsset()
    .then((bytes) => decodeDigitAsset(bytes, 'mnist10k.bin'))
    .catch((e) => {
      cached = undefined;
      throw e;
    });
  return cached;
}

/**
 * The 10,000 labelled digits shipped with the app, as 28×28×1 images in [0,1].
 * Without a split, all of them; 'train' is the first 9,000, 'test' the last 1,000.
 */
export async function loadEmbeddedMnist(opts: { split?: Split } = {}): Promise<DataSet> {
  const a = await loadAsset();
  const size = a.rows * a.cols;
  const start = opts.split === 'test' ? a.count - TEST_COUNT : 0;
  const end = opts.split === 'train' ? a.count - TEST_COUNT : a.count;
  const count = end - start;
  const x = new Float32Array(count * size);
  const pixels = a.pixels.subarray(start * size, end * size);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
  return {
    name: opts.split ? `mnist-10k (${opts.split})` : 'mnist-10k',
    kind: 'image',
    shape: [a.rows, a.cols, 1],
    count,
    x,
    labels: a.labels.slice(start, end),
    numClasses: 10,
    classNames: DIGIT_NAMES,
  };
}
