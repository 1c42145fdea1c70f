import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedMnist } from '../../src/data/mnist';
import { loadIdxFiles } from '../../src/data/node-files';
import type { DataSet } from '../../src/data/types';
import { mnistScore } from '../../src/eval/index';
import { setupBackend } from '../../src/runtime/backend';
import { CLASSES, CLASSIFIER_TENSORS, FEATURE_SIZE, loadClassifier, type Classifier } from '../../src/runtime/classifier';
import * as tf from '../../src/runtime/tf';

const asset = (name: string) => new URL(`../../src/runtime/assets/${name}`, import.meta.url);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MNIST_DIR = new URL('../../../shared/datasets/mnist/', import.meta.url);

interface Manifest {
  bytes: number;
  sha256: string;
  tensors: { name: string; shape: number[] }[];
  command: string;
  data: { sha256: Record<string, string> };
  testAccuracy: number;
}
const manifest = JSON.parse(readFileSync(asset('classifier.json'), 'utf8')) as Manifest;

let classifier: Classifier;
let digits: DataSet;
beforeAll(async () => {
  await setupBackend('wasm');
  classifier = await loadClassifier();
  digits = await loadEmbeddedMnist();
});

async function accuracy(data: DataSet): Promise<number> {
  const p = await classifier.probabilities(data.x, data.count);
  let right = 0;
  for (let i = 0; i < data.count; i++) {
    const row = Array.from(p.subarray(i * CLASSES, (i + 1) * CLASSES));
    if (row.indexOf(Math.max(...row)) === data.labels![i]) right++;
  }
  return right / data.count;
}

describe('embedded digit classifier', () => {
  // The embedded digits come from MNIST's train set; the script leaves them out of training.
  it('classifies the 10,000 embedded digits (held out of its training) with ≥ 99 % accuracy', async () => {
    expect(digits.count).toBe(10_000);
    expect(await accuracy(digits)).toBeGreaterThanOrEqual(0.99);
    // They were left out by their pixels: the manifest names the asset they were read from.
    expect(manifest.data.sha256['src/data/assets/mnist10k.bin']).toBe(
      sha256(readFileSync(new URL('../../src/data/assets/mnist10k.bin', import.meta.url))),
    );
  });

  it.skipIf(!existsSync(new URL('t10k-images-idx3-ubyte.gz', MNIST_DIR)))(
    'reaches ≥ 99 % on MNIST t10k, as its manifest says',
    async () => {
      const file = (f: string) => new URL(f, MNIST_DIR).pathname;
      const test = await loadIdxFiles(file('t10k-images-idx3-ubyte.gz'), file('t10k-labels-idx1-ubyte.gz'));
      const acc = await accuracy(test);
      expect(acc).toBeGreaterThanOrEqual(0.99);
      // The reference: the test set's MNIST score (the Inception-score analogue) ≈ 9.88.
      expect(mnistScore(await classifier.probabilities(test.x, test.count), test.count, CLASSES)).toBeGreaterThanOrEqual(9.5);
      expect(acc).toBeCloseTo(manifest.testAccuracy, 3);
      for (const [f, digest] of Object.entries(manifest.data.sha256))
        if (!f.startsWith('src/')) expect(sha256(readFileSync(new URL(f, MNIST_DIR))), f).toBe(digest);
    },
  );

  it('ships the weights its manifest describes, with the recipe that made them', () => {
    const bytes = readFileSync(asset('classifier.bin'));
    expect(bytes.length).toBeLessThanOrEqual(1 << 20);
    expect(bytes.length).toBe(manifest.bytes);
    expect(sha256(bytes)).toBe(manifest.sha256);
    expect(manifest.tensors).toEqual(CLASSIFIER_TENSORS);
    expect(manifest.command).toBe('npm run prepare-classifier');
    expect(Object.keys(manifest.data.sha256).sort()).toEqual([
      'src/data/assets/mnist10k.bin',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);
    for (const digest of Object.values(manifest.data.sha256)) expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives finite, deterministic n×d features and softmax probabilities without leaking tensors', async () => {
    const n = 300; // more than one internal batch
    const x = digits.x.subarray(0, n * 784);
    const before = tf.memory().numTensors;
    const a = await classifier.features(x, n);
    expect(tf.memory().numTensors).toBe(before);
    expect(classifier.featureSize).toBe(FEATURE_SIZE);
    expect(a.length).toBe(n * FEATURE_SIZE);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(a.some((v) => v > 0)).toBe(true);
    expect(await classifier.features(x, n)).toEqual(a);

    const both = await classifier.evaluate(x, n);
    expect(both.features).toEqual(a);
    const p = await classifier.probabilities(x, n);
    expect(both.probabilities).toEqual(p);
    for (let i = 0; i < n; i++) expect(p.subarray(i * CLASSES, (i + 1) * CLASSES).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(tf.memory().numTensors).toBe(before);
    await expect(classifier.features(x, n + 1)).rejects.toThrow(/expected 301 images/);
  });
});
