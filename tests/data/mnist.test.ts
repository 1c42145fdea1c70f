import { describe, expect, it } from 'vitest';
import { loadEmbeddedMnist, TEST_COUNT } from '../../src/data/mnist.js';
import { decodeDigitAsset, encodeDigitAsset } from '../../src/data/mnist-asset.js';
import { DataError } from '../../src/data/errors.js';
import { sameBytes } from './helpers.js';

describe('embedded MNIST', () => {
  it('loads 10,000 labelled 28×28 digits in [0,1]', async () => {
    const ds = await loadEmbeddedMnist();
    expect(ds.count).toBe(10_000);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.x.length).toBe(10_000 * 784);
    expect(ds.numClasses).toBe(10);
    const perClass = new Array(10).fill(0);
    for (const l of ds.labels!) perClass[l]++;
    // MNIST's rarest digit (5) is ~9% and the commonest (1) ~11%.
    for (const n of perClass) expect(n).toBeGreaterThan(800);
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.x) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // The MNIST pixel mean is 0.1307 over the full set.
    expect(sum / ds.x.length).toBeGreaterThan(0.11);
    expect(sum / ds.x.length).toBeLessThan(0.15);
  });

  it('splits into 9,000 train and 1,000 test digits, test = the last 1,000', async () => {
    const all = await loadEmbeddedMnist();
    const train = await loadEmbeddedMnist({ split: 'train' });
    const test = await loadEmbeddedMnist({ split: 'test' });
    expect(train.count).toBe(10_000 - TEST_COUNT);
    expect(test.count).toBe(TEST_COUNT);
    expect(sameBytes(test.x, all.x.subarray(9000 * 784))).toBe(true);
    expect(sameBytes(test.labels!, all.labels!.subarray(9000))).toBe(true);
    expect(new Set(test.labels).size).toBe(10);
  });

  it('round-trips the asset format and rejects a damaged asset with a DataError', () => {
    const asset = {
      count: 2,
      rows: 2,
      cols: 3,
      pixels: Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]),
      labels: Uint8Array.from([7, 3]),
    };
    const bytes = encodeDigitAsset(asset);
    expect(decodeDigitAsset(bytes, 'a.bin')).toEqual(asset);
    for (let n = 0; n < bytes.length; n++) expect(() => decodeDigitAsset(bytes.subarray(0, n), 'a.bin')).toThrow(DataError);
  });
});
