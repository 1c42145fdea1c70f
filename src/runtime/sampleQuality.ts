/**
 * Sample-quality metrics for a trained generator, each beside its floor: the
 * same metric computed between two sets of real data, so a number means
 * something. Images are compared in the features of the embedded MNIST
 * classifier (only 28×28×1 data); 2-D points directly. The metric formulas live
 * in src/eval (pure); this module draws the samples, runs the classifier and
 * gives the metrics a GEMM-backed distance.
 */
import type { DataSet } from '../data/types';
import {
  birthdayCandidates,
  classHistogram,
  conditioningAccuracy,
  fitNdbBins,
  fld,
  gridDivergence,
  matrix,
  mmd2,
  meanMaxProbability,
  mnistScore,
  ndbCompare,
  pairwiseSqDistJs,
  prdc,
  argmaxRows,
  type Matrix,
  type PairwiseSqDist,
} from '../eval/index';
import { createRng } from '../graph/random';
import { exampleSize } from '../graph/shape';
import { CLASSES, loadClassifier, type Classifier } from './classifier';
import type { LikelihoodReport } from './likelihoodReport';
import type { CompiledModel } from './model';
import type { ReadMode } from './reads';
import { sampleImages } from './sampling';
import * as tf from './tf';

/** ‖a‖² + ‖b‖² − 2abᵀ by one matMul on the current backend (the pure-JS loop is ~100× slower at d = 784). */
export const tfPairwiseSqDist: PairwiseSqDist = (a, b) => {
  // WebGPU cannot read synchronously, and the metrics' distance callback is synchronous.
  if (tf.getBackend() === 'webgpu') return pairwiseSqDistJs(a, b);
  const out = tf.tidy(() => {
    const ta = tf.tensor2d(Float32Array.from(a.data), [a.rows, a.cols]);
    const tb = tf.tensor2d(Float32Array.from(b.data), [b.rows, b.cols]);
    const na = tf.sum(tf.square(ta), 1, true);
    const nb = tf.sum(tf.square(tb), 1, true).transpose();
    return tf.relu(tf.sub(tf.add(na, nb), tf.mul(2, tf.matMul(ta, tb, false, true))));
  });
  try {
    return out.dataSync() as Float32Array;
  } finally {
    out.dispose();
  }
};

export interface SampleMetrics {
  /** how many samples were drawn and compared */
  n: number;
  /** what the samples were compared with */
  reference: string;
  /** how the floors were computed */
  floorFrom: string;
  fld?: number;
  fld_floor?: number;
  precision?: number;
  recall?: number;
  density?: number;
  coverage?: number;
  precision_floor?: number;
  recall_floor?: number;
  density_floor?: number;
  coverage_floor?: number;
  ndb?: number;
  ndb_js?: number;
  ndb_floor?: number;
  ndb_js_floor?: number;
  mnist_score?: number;
  mnist_score_floor?: number;
  /** the classifier's mean max-probability over the samples: how recognisable they are as some digit */
  confidence?: number;
  confidence_floor?: number;
  /** entropy of the samples' class histogram as a fraction of ln 10 (1 = all classes equally often) */
  class_entropy?: number;
  class_entropy_floor?: number;
  /** classes the classifier hardly ever sees in the samples: the mode-collapse indicator */
  missing_classes?: number[];
  class_counts?: number[];
  cond_accuracy?: number;
  cond_accuracy_floor?: number;
  grid_kl?: number;
  grid_js?: number;
  grid_kl_floor?: number;
  grid_js_floor?: number;
  mmd?: number;
  mmd_floor?: number;
  /** why the image metrics were not computed (data the classifier cannot read) */
  unavailable?: string;
  /**
   * The birthday-paradox check (Arora & Zhang 2017): the closest pairs among the first `s` samples, in the
   * classifier's features, for a person to judge. If a pair is a true duplicate, the support is about s².
   */
  birthday?: { s: number; pairs: { i: number; j: number; distance: number }[]; supportIfDuplicate: number };
  /** The likelihood figures on the test examples, for a graph that has one (the Metrics view measures both). */
  likelihood?: LikelihoodReport;
}

/** Random-stream position of the judged samples, apart from training's and the previews' (PREVIEW_COUNTER). */
const MEASURE_COUNTER = 2_000_000_000;

/** Samples in the birthday batch: 400 pairs up 79,800 times, enough to meet duplicates of a support of ~10⁵. */
const BIRTHDAY_BATCH = 400;

/** The examples of `ds` at `indices`, as rows, with their labels. */
function pick(ds: DataSet, indices: number[]): { x: Float32Array; labels?: Uint8Array } {
  const size = exampleSize(ds.shape);
  const x = new Float32Array(indices.length * size);
  indices.forEach((i, k) => x.set(ds.x.subarray(i * size, (i + 1) * size), k * size));
  const labels = ds.labels ? Uint8Array.from(indices, (i) => ds.labels![i]) : undefined;
  return { x, labels };
}

/**
 * The first indices of a seeded random order of `count`. Data files are often sorted: MNIST's first 5,000 test
 * digits are the cleaner NIST writers (the first 1,000 differ from the training digits in 36 of 100 NDB bins,
 * 1,000 drawn from the whole test set in 7–10), its training file runs in writers' blocks, and a 2-D mixture
 * cycles its components, so neither the first n nor every k-th is a fair sample.
 */
function shuffledIndices(count: number, seed: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** At most this many training examples are binned for NDB (k-means cost grows with it). */
const NDB_FIT_MAX = 10_000;
/** Binned examples per judged sample: enough that the bins do not follow the binned set's noise, no more (k-means is the slow part). */
const NDB_FIT_PER_SAMPLE = 8;
const NDB_FIT_MIN = 2_000;

const fitCount = (n: number) => Math.min(NDB_FIT_MAX, Math.max(NDB_FIT_MIN, NDB_FIT_PER_SAMPLE * n));

/**
 * Two disjoint sets of n real examples, drawn at random: the test split against the training split when they
 * differ, else two halves of the one set; and the examples NDB's bins are fitted on, which its floor set is not among.
 */
function realPair(
  train: DataSet,
  test: DataSet,
  n: number,
  seed: number,
): {
  ref: Float32Array;
  floor: Float32Array;
  /** the real examples NDB's bins are fitted on, and the n held-out real examples its floor compares with them */
  binsFrom: Float32Array;
  ndbFloor: Float32Array;
  n: number;
  reference: string;
  floorFrom: string;
  refLabels?: Uint8Array;
  floorLabels?: Uint8Array;
} {
  const separate = train !== test && train.x !== test.x;
  if (separate) {
    const m = Math.min(n, test.count, train.count);
    const ref = pick(test, shuffledIndices(test.count, seed).slice(0, m));
    const trainOrder = shuffledIndices(train.count, seed + 1);
    const floor = pick(train, trainOrder.slice(0, m));
    return {
      ref: ref.x,
      floor: floor.x,
      binsFrom: pick(train, trainOrder.slice(0, fitCount(m))).x,
      // Held-out digits against bins of training digits, as Richardson & Weiss's reference (train vs test ≈ 4 of 100).
      ndbFloor: ref.x,
      n: m,
      reference: `${m} test examples`,
      floorFrom: `${m} training examples against the same test examples; for NDB, the test examples against bins of training examples`,
      refLabels: ref.labels,
      floorLabels: floor.labels,
    };
  }
  const m = Math.min(n, Math.floor(test.count / 2));
  const order = shuffledIndices(test.count, seed);
  const ref = pick(test, order.slice(0, m));
  const floor = pick(test, order.slice(m, 2 * m));
  return {
    ref: ref.x,
    floor: floor.x,
    binsFrom: floor.x,
    ndbFloor: ref.x,
    n: m,
    reference: `${m} examples of the data (it has no separate test split)`,
    floorFrom: `the other ${m} examples against those`,
    refLabels: ref.labels,
    floorLabels: floor.labels,
  };
}

export interface SampleQualityOptions {
  model: CompiledModel<ReadMode>;
  train: DataSet;
  test: DataSet;
  /** samples to draw (and real examples per set); capped by the data */
  n: number;
  classifier?: Classifier;
  /** receives the drawn samples (the CLI writes the birthday pairs as a picture) */
  onSamples?: (samples: Float32Array) => void;
  onProgress?: (done: number, of: number, what: string) => void;
}

/** Whether the embedded classifier can read the graph's examples. */
export function classifierReads(shape: readonly number[]): boolean {
  return shape.length === 3 && shape[0] === 28 && shape[1] === 28 && shape[2] === 1;
}

/** Precision, recall, density and coverage of `fake` against `ref`, with a second real draw's as the floor. */
function prdcAgainstFloor(ref: Matrix, fake: Matrix, floor: Matrix) {
  const pr = prdc(ref, fake, { pairwiseSqDist: tfPairwiseSqDist });
  const f = prdc(ref, floor, { pairwiseSqDist: tfPairwiseSqDist });
  return {
    precision: pr.precision,
    recall: pr.recall,
    density: pr.density,
    coverage: pr.coverage,
    precision_floor: f.precision,
    recall_floor: f.recall,
    density_floor: f.density,
    coverage_floor: f.coverage,
  };
}

export async function measureSamples(o: SampleQualityOptions): Promise<SampleMetrics> {
  const { model, train, test } = o;
  const plan = model.plan;
  const g = plan.modes.generate;
  if (!g) throw new Error('this graph cannot generate, so its samples cannot be judged');
  const progress = o.onProgress ?? (() => {});
  const real = realPair(train, test, o.n, plan.seed);
  const n = real.n;
  progress(0, 4, 'drawing samples');
  // A fixed stream position: measuring between training rounds must not change what training draws next.
  const samples = await sampleImages(model, n, undefined, 0, MEASURE_COUNTER);
  o.onSamples?.(samples);
  const base = { n, reference: real.reference, floorFrom: real.floorFrom };

  if (plan.data.kind === 'points') {
    progress(2, 4, 'comparing points');
    const ref = matrix(n, 2, real.ref);
    const floor = matrix(n, 2, real.floor);
    const fake = matrix(n, 2, samples);
    const grid = gridDivergence(ref, fake);
    const gridFloor = gridDivergence(ref, floor);
    const mmd = mmd2(ref, fake);
    // Precision and recall on the points themselves: seed 002's mode-covering (recall above precision) against mode-seeking.
    progress(3, 4, 'precision and recall');
    const pr = prdcAgainstFloor(ref, fake, floor);
    progress(4, 4, 'done');
    return {
      ...base,
      ...pr,
      grid_kl: grid.kl,
      grid_js: grid.js,
      grid_kl_floor: gridFloor.kl,
      grid_js_floor: gridFloor.js,
      mmd: mmd.mmd2,
      // The same bandwidth for the floor, so the two are on one scale.
      mmd_floor: mmd2(ref, floor, mmd.bandwidth).mmd2,
    };
  }
  if (!classifierReads(plan.data.shape))
    return { ...base, unavailable: `the embedded classifier reads 28×28×1 digits; these examples are ${plan.data.shape.join('×')}` };

  const classifier = o.classifier ?? (await loadClassifier());
  try {
    progress(1, 4, 'classifying');
    const [ref, floor, fake] = [
      await classifier.evaluate(real.ref, n),
      await classifier.evaluate(real.floor, n),
      await classifier.evaluate(samples, n),
    ];
    const d = classifier.featureSize;
    const feats = (f: Float32Array): Matrix => matrix(n, d, f);
    progress(2, 4, 'Fréchet distance, precision and recall');
    const fldFake = fld(feats(ref.features), feats(fake.features));
    const fldFloor = fld(feats(ref.features), feats(floor.features));
    const pr = prdcAgainstFloor(feats(ref.features), feats(fake.features), feats(floor.features));
    progress(3, 4, 'NDB bins');
    // NDB bins the pixels of the training data (what the model learned), as Richardson & Weiss do for MNIST, and
    // asks whether the samples fill the bins in the same proportions; the floor is n held-out examples.
    // Bins fitted on a reference of only n examples would follow its own noise.
    const size = exampleSize(plan.data.shape);
    const binned = real.binsFrom.length / size;
    const bins = fitNdbBins(matrix(binned, size, real.binsFrom), { pairwiseSqDist: tfPairwiseSqDist, seed: plan.seed });
    const ndbFake = ndbCompare(bins, matrix(n, size, samples), tfPairwiseSqDist);
    const ndbFloor = ndbCompare(bins, matrix(n, size, real.ndbFloor), tfPairwiseSqDist);

    const histogram = classHistogram(argmaxRows(fake.probabilities, n, CLASSES), CLASSES);
    const floorHistogram = classHistogram(argmaxRows(floor.probabilities, n, CLASSES), CLASSES);
    const out: SampleMetrics = {
      ...base,
      fld: fldFake,
      fld_floor: fldFloor,
      ...pr,
      ndb: ndbFake.different,
      ndb_js: ndbFake.js,
      ndb_floor: ndbFloor.different,
      ndb_js_floor: ndbFloor.js,
      mnist_score: mnistScore(fake.probabilities, n, CLASSES),
      mnist_score_floor: mnistScore(floor.probabilities, n, CLASSES),
      confidence: meanMaxProbability(fake.probabilities, n, CLASSES),
      confidence_floor: meanMaxProbability(floor.probabilities, n, CLASSES),
      class_entropy: histogram.entropyFraction,
      class_entropy_floor: floorHistogram.entropyFraction,
      missing_classes: histogram.missing,
      class_counts: Array.from(histogram.counts),
    };
    const s = Math.min(n, BIRTHDAY_BATCH);
    const candidates = birthdayCandidates(matrix(s, d, fake.features.subarray(0, s * d)), { pairs: 8, pairwiseSqDist: tfPairwiseSqDist });
    out.birthday = { s, pairs: candidates.pairs, supportIfDuplicate: candidates.supportIfDuplicate };
    if (g.conditional && plan.data.numClasses === CLASSES) {
      // sampleImages cycles the classes: sample i was asked for class i mod C.
      const requested = Array.from({ length: n }, (_, i) => i % CLASSES);
      out.cond_accuracy = conditioningAccuracy(fake.probabilities, n, CLASSES, requested);
      if (real.floorLabels) out.cond_accuracy_floor = conditioningAccuracy(floor.probabilities, n, CLASSES, real.floorLabels);
    }
    progress(4, 4, 'done');
    return out;
  } finally {
    if (!o.classifier) classifier.dispose();
  }
}
