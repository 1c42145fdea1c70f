import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { loadDataSet } from '../../src/data/registry.js';
import { binarize } from '../../src/data/transforms.js';
import { makeMixture2D } from '../../src/data/mixtures.js';
import { makeShapes } from '../../src/data/shapes.js';
import { sameBytes, SHARED_DATASETS, sharedExists } from './helpers.js';

const onlyZeroOne = (x: Float32Array) => x.every((v) => v === 0 || v === 1);

describe('binarize', () => {
  const shapes = makeShapes(30, 1);

  it('outputs only 0/1, threshold at 0.5, stochastic reproducible from the seed', () => {
    const t = binarize(shapes, 'threshold');
    expect(onlyZeroOne(t.x)).toBe(true);
    expect(t.x.every((v, i) => v === (shapes.x[i] >= 0.5 ? 1 : 0))).toBe(true);
    const s = binarize(shapes, 'stochastic', 4);
    expect(onlyZeroOne(s.x)).toBe(true);
    expect(sameBytes(s.x, binarize(shapes, 'stochastic', 4).x)).toBe(true);
    expect(sameBytes(s.x, binarize(shapes, 'stochastic', 5).x)).toBe(false);
    // Pixels at 0 stay 0 and pixels at 1 stay 1.
    expect(s.x.every((v, i) => (shapes.x[i] === 0 ? v === 0 : shapes.x[i] === 1 ? v === 1 : true))).toBe(true);
    expect(t.labels).toBe(shapes.labels);
  });

  it('refuses 2-D points', () => {
    expect(() => binarize(makeMixture2D('ring', 8, 0), 'threshold')).toThrow(DataError);
  });
});

describe('loadDataSet', () => {
  it('loads the embedded digits, split, cut to count and binarized', async () => {
    const ds = await loadDataSet({ source: 'mnist', split: 'test', count: 100, seed: 1, binarize: 'stochastic' });
    expect(ds).toMatchObject({ count: 100, shape: [28, 28, 1], numClasses: 10 });
    expect(ds.labels!.length).toBe(100);
    expect(onlyZeroOne(ds.x)).toBe(true);
    expect((await loadDataSet({ source: 'mnist', split: 'train', seed: 1 })).count).toBe(9000);
  });

  it('generates procedural sets from the seed, with an independent test draw', async () => {
    const a = await loadDataSet({ source: 'moons', count: 64, seed: 2 });
    expect(a).toMatchObject({ kind: 'points', count: 64, numClasses: 2 });
    expect(sameBytes(a.x, (await loadDataSet({ source: 'moons', count: 64, seed: 2 })).x)).toBe(true);
    expect(sameBytes(a.x, (await loadDataSet({ source: 'moons', count: 64, seed: 2, split: 'test' })).x)).toBe(false);
    const s = await loadDataSet({ source: 'shapes', count: 12, seed: 2, split: 'train' });
    expect(s.factors!.values.length).toBe(48);
  });

  it('gives DataErrors for a missing path or an unknown source', async () => {
    await expect(loadDataSet({ source: 'idx', seed: 0 })).rejects.toBeInstanceOf(DataError);
    await expect(loadDataSet({ source: 'pngdir', path: '/no/such/dir', seed: 0 })).rejects.toBeInstanceOf(DataError);
    await expect(loadDataSet({ source: 'nope' as never, seed: 0 })).rejects.toBeInstanceOf(DataError);
    await expect(loadDataSet({ source: 'ring', count: -5, seed: 0 })).rejects.toThrow(/count must be a positive whole number/);
  });

  // Binarized MNIST beside the checkout exists on benchmark machines only; skip elsewhere.
  it.skipIf(!sharedExists('binarized-mnist/test-images-idx3-ubyte.gz'))('reads the fixed binarized MNIST test split', async () => {
    const ds = await loadDataSet({ source: 'idx', path: SHARED_DATASETS + 'binarized-mnist', split: 'test', seed: 0 });
    expect(ds.count).toBe(10_000);
    expect(ds.labels).toBeUndefined();
    expect(onlyZeroOne(ds.x)).toBe(true);
  });
});
