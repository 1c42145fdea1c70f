/**
 * The embedded, frozen MNIST classifier that sample-quality metrics stand on
 * (Fréchet distance, precision/recall, MNIST score, conditioning accuracy).
 *
 * LeNet-5-like: conv 5×5 (32) → ReLU → max-pool 2 → conv 5×5 (64) → ReLU →
 * max-pool 2 → dense 1024→100 → ReLU (the FEATURES) → dense 100→10.
 *
 * Its weights are src/runtime/assets/classifier.bin, written by
 * `npm run prepare-classifier` (scripts/train-classifier.ts) with the recipe in
 * classifier.json beside it: float32, little-endian, the tensors of
 * CLASSIFIER_TENSORS one after another. The file is fetched like the embedded
 * digits (src/data/mnist.ts): a `new URL(literal, import.meta.url)` that Vite
 * emits as an asset for the page and the worker, and a file: URL under Node.
 */
import * as tf from './tf';
import { isNode, nodeBuiltin } from '../data/env';

export const CLASSIFIER_SIDE = 28;
const PIXELS = CLASSIFIER_SIDE * CLASSIFIER_SIDE;
/** Width of the penultimate ReLU layer, the features the metrics compare. */
export const FEATURE_SIZE = 100;
export const CLASSES = 10;

/** Every weight tensor, in the order the asset stores them. */
export const CLASSIFIER_TENSORS: readonly { name: string; shape: readonly number[] }[] = [
  { name: 'conv1/kernel', shape: [5, 5, 1, 32] },
  { name: 'conv1/bias', shape: [32] },
  { name: 'conv2/kernel', shape: [5, 5, 32, 64] },
  { name: 'conv2/bias', shape: [64] },
  { name: 'features/kernel', shape: [4 * 4 * 64, FEATURE_SIZE] },
  { name: 'features/bias', shape: [FEATURE_SIZE] },
  { name: 'logits/kernel', shape: [FEATURE_SIZE, CLASSES] },
  { name: 'logits/bias', shape: [CLASSES] },
];

export const CLASSIFIER_FLOATS = CLASSIFIER_TENSORS.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);

/**
 * The network, shared by training (variables) and the frozen classifier
 * (constants), so the two cannot drift apart. `x` is [n, 28, 28, 1] in [0, 1].
 */
export function classifierForward(params: readonly tf.Tensor[], x: tf.Tensor4D): { features: tf.Tensor2D; logits: tf.Tensor2D } {
  const [k1, b1, k2, b2, w3, b3, w4, b4] = params;
  const c1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, k1 as tf.Tensor4D, 1, 'valid'), b1)) as tf.Tensor4D, 2, 2, 'valid');
  const c2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(c1, k2 as tf.Tensor4D, 1, 'valid'), b2)) as tf.Tensor4D, 2, 2, 'valid');
  const flat = tf.reshape(c2, [x.shape[0], -1]) as tf.Tensor2D;
  const features = tf.relu(tf.add(tf.matMul(flat, w3 as tf.Tensor2D), b3)) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(features, w4 as tf.Tensor2D), b4) as tf.Tensor2D;
  return { features, logits };
}

/** Splits the asset's floats into the tensors of CLASSIFIER_TENSORS (shapes as stored). */
export function splitClassifierWeights(floats: Float32Array): Float32Array[] {
  if (floats.length !== CLASSIFIER_FLOATS) {
    throw new Error(
      `classifier weights hold ${floats.length} floats, the network needs ${CLASSIFIER_FLOATS}: rebuild them with \`npm run prepare-classifier\``,
    );
  }
  let offset = 0;
  return CLASSIFIER_TENSORS.map(({ shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return floats.subarray(offset, (offset += size));
  });
}

export interface Classifier {
  readonly featureSize: number;
  /** n×featureSize penultimate ReLU outputs for n 28×28×1 images in [0, 1], row-major. */
  features(x: Float32Array, n: number): Promise<Float32Array>;
  /** n×10 softmax class probabilities. */
  probabilities(x: Float32Array, n: number): Promise<Float32Array>;
  /** Both from one pass over the images. */
  evaluate(x: Float32Array, n: number): Promise<{ features: Float32Array; probabilities: Float32Array }>;
  /** Frees the weights; the classifier cannot be used afterwards. */
  dispose(): void;
}

/** Images per forward pass: big enough for fast GEMMs, small enough that memory stays flat. */
const BATCH = 256;

const WEIGHTS_URL = new URL('./assets/classifier.bin', import.meta.url);

async function readWeights(): Promise<Uint8Array> {
  if (isNode()) {
    const fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
    return new Uint8Array(await fs.readFile(WEIGHTS_URL));
  }
  const res = await fetch(WEIGHTS_URL);
  if (!res.ok) throw new Error(`HTTP ${res.status} fetching the classifier weights (${WEIGHTS_URL.href}): the app build is missing them`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Builds the classifier from its weight bytes on the current TF.js backend. */
export function classifierFromBytes(bytes: Uint8Array): Classifier {
  // Copied so the floats are 4-byte aligned whatever buffer the bytes came in.
  const floats = new Float32Array(bytes.slice().buffer);
  const params = splitClassifierWeights(floats).map((data, i) => tf.tensor(data, [...CLASSIFIER_TENSORS[i].shape]));
  let disposed = false;

  async function run(x: Float32Array, n: number, wantFeatures: boolean, wantProbabilities: boolean) {
    if (disposed) throw new Error('the classifier has been disposed');
    if (x.length !== n * PIXELS) throw new Error(`expected ${n} images of 28×28×1 (${n * PIXELS} values), got ${x.length} values`);
    const features = new Float32Array(wantFeatures ? n * FEATURE_SIZE : 0);
    const probabilities = new Float32Array(wantProbabilities ? n * CLASSES : 0);
    for (let start = 0; start < n; start += BATCH) {
      const m = Math.min(BATCH, n - start);
      // Softmax of m×10 costs nothing beside the convolutions, so both always run.
      const { features: f, probabilities: p } = tf.tidy(() => {
        const images = tf.tensor4d(x.subarray(start * PIXELS, (start + m) * PIXELS), [m, CLASSIFIER_SIDE, CLASSIFIER_SIDE, 1]);
        const out = classifierForward(params, images);
        return { features: out.features, probabilities: tf.softmax(out.logits) };
      });
      // Async reads: webgpu has no dataSync.
      try {
        if (wantFeatures) features.set(await f.data(), start * FEATURE_SIZE);
        if (wantProbabilities) probabilities.set(await p.data(), start * CLASSES);
      } finally {
        tf.dispose([f, p]);
      }
    }
    return { features, probabilities };
  }

  return {
    featureSize: FEATURE_SIZE,
    features: async (x, n) => (await run(x, n, true, false)).features,
    probabilities: async (x, n) => (await run(x, n, false, true)).probabilities,
    evaluate: (x, n) => run(x, n, true, true),
    dispose() {
      disposed = true;
      tf.dispose(params);
    },
  };
}

/** Loads the shipped classifier onto the current TF.js backend (set it up first, e.g. setupBackend('wasm')). */
export async function loadClassifier(): Promise<Classifier> {
  return classifierFromBytes(await readWeights());
}
