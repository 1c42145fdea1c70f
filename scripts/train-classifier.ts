/**
 * Trains the embedded digit classifier (src/runtime/classifier.ts) with our own
 * runtime — TF.js on the wasm backend with our kernels, our Adam — and writes
 *   src/runtime/assets/classifier.bin   the weights, float32 little-endian
 *   src/runtime/assets/classifier.json  the recipe: shapes, data digests, hyper-parameters, accuracy
 * Run: npm run prepare-classifier  (needs ../shared/datasets/mnist; the app never does)
 *
 * The 10,000 digits embedded in the app (src/data/assets/mnist10k.bin) are
 * drawn from MNIST's *training* set, so they are left out of training here:
 * the classifier's accuracy on them, checked by tests/runtime/classifier.test.ts,
 * is then a held-out figure like its accuracy on MNIST's t10k test digits.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '../src/runtime/tf.js';
import { setupBackend } from '../src/runtime/backend.js';
import {
  CLASSIFIER_SIDE,
  CLASSIFIER_TENSORS,
  CLASSES,
  classifierForward,
  classifierFromBytes,
  type Classifier,
} from '../src/runtime/classifier.js';
import { loadIdxFiles } from '../src/data/node-files.js';
import { loadEmbeddedMnist } from '../src/data/mnist.js';
import { createRng, shuffledIndices, type Rng } from '../src/graph/random.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATA_DIR = resolve(ROOT, '../shared/datasets/mnist');
const OUT_DIR = join(ROOT, 'src/runtime/assets');
const EMBEDDED_ASSET = join(ROOT, 'src/data/assets/mnist10k.bin');
const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

const PIXELS = CLASSIFIER_SIDE * CLASSIFIER_SIDE;
const HYPER = {
  seed: 20261201,
  epochs: 8,
  batchSize: 128,
  optimizer: 'adam (src/runtime/adam.ts), beta1 0.9, beta2 0.999, epsilon 1e-7',
  learningRate: 1e-3,
  /** Multiplied into the learning rate after each epoch. */
  learningRateDecay: 0.75,
  init: 'He-normal kernels (std sqrt(2 / fan_in)) from the seeded mulberry32 stream, zero biases',
  augmentation: 'each training image shifted by a uniform integer in [-2, 2] pixels along each axis (zeros shifted in)',
  /** The shipped weights are an exponential moving average of the trained ones: it smooths away the last steps' noise. */
  weightAverageDecay: 0.999,
};

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function initialWeights(rng: Rng): tf.Variable[] {
  return CLASSIFIER_TENSORS.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (shape.length > 1) {
      const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
    }
    return tf.variable(tf.tensor(data, [...shape]), true, `classifier/${name}`);
  });
}

/** Copies image `src` into `dst` at slot `slot`, shifted by (dy, dx). */
function shiftInto(x: Float32Array, src: number, dst: Float32Array, slot: number, dy: number, dx: number): void {
  const out = slot * PIXELS;
  dst.fill(0, out, out + PIXELS);
  for (let r = Math.max(0, dy); r < Math.min(CLASSIFIER_SIDE, CLASSIFIER_SIDE + dy); r++) {
    const from = src * PIXELS + (r - dy) * CLASSIFIER_SIDE;
    for (let c = Math.max(0, dx); c < Math.min(CLASSIFIER_SIDE, CLASSIFIER_SIDE + dx); c++)
      dst[out + r * CLASSIFIER_SIDE + c] = x[from + c - dx];
  }
}

async function accuracy(classifier: Classifier, x: Float32Array, labels: Uint8Array): Promise<number> {
  const p = await classifier.probabilities(x, labels.length);
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (p[i * CLASSES + c] > p[i * CLASSES + best]) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

function weightBytes(vars: tf.Variable[]): Uint8Array {
  const floats = new Float32Array(vars.reduce((n, v) => n + v.size, 0));
  let offset = 0;
  for (const v of vars) {
    floats.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return new Uint8Array(floats.buffer);
}

async function main(): Promise<number> {
  const missing = Object.values(FILES).filter((f) => !existsSync(join(DATA_DIR, f)));
  if (missing.length > 0) {
    console.error(`train-classifier: MNIST is not at ${DATA_DIR} (missing ${missing.join(', ')}).`);
    console.error('Put the four IDX files there to retrain; the committed weights in src/runtime/assets/ need nothing.');
    return 1;
  }
  const started = performance.now();
  const backend = await setupBackend('wasm');
  console.log(`backend: ${JSON.stringify(backend)}`);

  const path = (f: string) => join(DATA_DIR, f);
  const train = await loadIdxFiles(path(FILES.trainImages), path(FILES.trainLabels));
  const test = await loadIdxFiles(path(FILES.testImages), path(FILES.testLabels));
  const embedded = await loadEmbeddedMnist();
  const digests: Record<string, string> = {};
  for (const f of Object.values(FILES)) digests[f] = sha256(new Uint8Array(await readFile(path(f))));
  digests['src/data/assets/mnist10k.bin'] = sha256(new Uint8Array(await readFile(EMBEDDED_ASSET)));

  // Leave the embedded digits out (matched by their exact pixels).
  const key = (x: Float32Array, i: number) => Buffer.from(x.buffer, x.byteOffset + i * PIXELS * 4, PIXELS * 4).toString('base64');
  const embeddedKeys = new Set<string>();
  for (let i = 0; i < embedded.count; i++) embeddedKeys.add(key(embedded.x, i));
  const kept: number[] = [];
  for (let i = 0; i < train.count; i++) if (!embeddedKeys.has(key(train.x, i))) kept.push(i);
  console.log(`training on ${kept.length} of ${train.count} train digits (${train.count - kept.length} are the app's embedded digits)`);

  const rng = createRng(HYPER.seed);
  const vars = initialWeights(rng);
  const optimizer = tf.train.adam(HYPER.learningRate);
  const averaged = vars.map((v) => tf.variable(v.clone(), false));
  const batchX = new Float32Array(HYPER.batchSize * PIXELS);
  const batchY = new Int32Array(HYPER.batchSize);
  const trainLabels = train.labels!;
  const steps = Math.floor(kept.length / HYPER.batchSize);
  const history: { epoch: number; loss: number; testAccuracy: number; seconds: number }[] = [];

  for (let epoch = 1; epoch <= HYPER.epochs; epoch++) {
    const lr = HYPER.learningRate * HYPER.learningRateDecay ** (epoch - 1);
    // A protected field in TF.js; our Adam reads it at every step, so a step decay needs no new optimizer (and no lost moments).
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const order = shuffledIndices(kept.length, rng);
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      for (let b = 0; b < HYPER.batchSize; b++) {
        const src = kept[order[s * HYPER.batchSize + b]];
        shiftInto(train.x, src, batchX, b, rng.int(5) - 2, rng.int(5) - 2);
        batchY[b] = trainLabels[src];
      }
      const loss = tf.tidy(() => {
        const xs = tf.tensor4d(batchX, [HYPER.batchSize, CLASSIFIER_SIDE, CLASSIFIER_SIDE, 1]);
        const ys = tf.oneHot(tf.tensor1d(batchY, 'int32'), CLASSES);
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, classifierForward(vars, xs).logits), true, vars) as tf.Scalar;
      });
      tf.tidy(() =>
        averaged.forEach((a, i) => a.assign(tf.add(tf.mul(a, HYPER.weightAverageDecay), tf.mul(vars[i], 1 - HYPER.weightAverageDecay)))),
      );
      lossSum += loss.dataSync()[0];
      loss.dispose();
      if ((s + 1) % 100 === 0) process.stdout.write(`\repoch ${epoch} step ${s + 1}/${steps} loss ${(lossSum / (s + 1)).toFixed(4)}   `);
    }
    const frozen = classifierFromBytes(weightBytes(averaged));
    const testAccuracy = await accuracy(frozen, test.x, test.labels!);
    frozen.dispose();
    const seconds = (performance.now() - started) / 1000;
    history.push({ epoch, loss: lossSum / steps, testAccuracy, seconds: Math.round(seconds) });
    console.log(
      `\repoch ${epoch}: lr ${lr.toExponential(2)}, train loss ${(lossSum / steps).toFixed(4)}, t10k accuracy ${(testAccuracy * 100).toFixed(2)} %, ${seconds.toFixed(0)} s`,
    );
  }

  const bytes = weightBytes(averaged);
  const frozen = classifierFromBytes(bytes);
  const testAccuracy = await accuracy(frozen, test.x, test.labels!);
  const embeddedAccuracy = await accuracy(frozen, embedded.x, embedded.labels!);
  frozen.dispose();
  const trainingSeconds = Math.round((performance.now() - started) / 1000);

  const manifest = {
    what: 'Latent Lab embedded MNIST classifier (src/runtime/classifier.ts)',
    weights: 'classifier.bin',
    format: 'float32 little-endian, the tensors below in order, no header',
    bytes: bytes.length,
    sha256: sha256(bytes),
    tensors: CLASSIFIER_TENSORS,
    command: 'npm run prepare-classifier',
    script: 'scripts/train-classifier.ts',
    data: {
      dir: relative(ROOT, DATA_DIR),
      sha256: digests,
      trainedOn: `${kept.length} of MNIST's ${train.count} train digits: those not among the ${embedded.count} embedded in src/data/assets/mnist10k.bin`,
    },
    hyperParameters: { ...HYPER, steps: steps * HYPER.epochs },
    runtime: { backend: backend.backend, threads: backend.threads, simd: backend.simd, node: process.versions.node },
    testAccuracy,
    embeddedAccuracy,
    trainingSeconds,
    history,
  };
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(join(OUT_DIR, 'classifier.bin'), bytes);
  await writeFile(join(OUT_DIR, 'classifier.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(
    `wrote ${relative(ROOT, OUT_DIR)}/classifier.{bin,json}: ${bytes.length} bytes; t10k accuracy ${(testAccuracy * 100).toFixed(2)} %, ` +
      `embedded digits ${(embeddedAccuracy * 100).toFixed(2)} %, ${trainingSeconds} s`,
  );
  return 0;
}

process.exit(await main());
