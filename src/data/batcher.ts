import { createRng, shuffledIndices } from '../graph/random.js';
import { DataError } from './errors.js';
import { exampleSize, type DataSet } from './types.js';

export interface Batch {
  /** batchSize × prod(shape) values */
  x: Float32Array;
  labels?: Uint8Array;
  /** batchSize × numClasses, when the set is labelled */
  oneHot?: Float32Array;
  /** which examples of the data set this batch holds */
  indices: Uint32Array;
}

/** Plain-JSON position of a batcher, stored in checkpoints. */
/** One row per label, `classes` wide, with a 1 at the label: how every model input receives a class. */
export function oneHotRows(labels: ArrayLike<number>, classes: number): Float32Array {
  const rows = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) rows[i * classes + labels[i]] = 1;
  return rows;
}

export interface BatcherState {
  seed: number;
  batchSize: number;
  count: number;
  epoch: number;
  /** position inside the current epoch's order */
  cursor: number;
  step: number;
}

export interface Batcher {
  next(): Batch;
  readonly epoch: number;
  readonly step: number;
  readonly batchSize: number;
  state(): BatcherState;
  restore(state: BatcherState): void;
}

/** Each epoch's order depends only on (seed, epoch), so a restore needs no history. */
function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  return shuffledIndices(count, createRng((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0));
}

/**
 * Seeded mini-batches of a fixed size (static shapes keep TF.js from
 * recompiling). Each epoch visits every example once in a fresh order; a batch
 * that runs past the end of an epoch is completed from the start of the next.
 */
export function createBatcher(ds: DataSet, batchSize: number, seed: number): Batcher {
  if (ds.count === 0) throw new DataError(ds.name, 'is empty; there is nothing to train on');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError(ds.name, `batch size ${batchSize} must be a positive integer`);
  const size = exampleSize(ds);
  let epoch = 0;
  let cursor = 0;
  let step = 0;
  let order = epochOrder(ds.count, seed, epoch);

  const next = (): Batch => {
    const indices = new Uint32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      if (cursor === ds.count) {
        epoch++;
        cursor = 0;
        order = epochOrder(ds.count, seed, epoch);
      }
      indices[b] = order[cursor++];
    }
    step++;
    const x = new Float32Array(batchSize * size);
    indices.forEach((i, b) => x.set(ds.x.subarray(i * size, (i + 1) * size), b * size));
    const batch: Batch = { x, indices };
    if (ds.labels) {
      const labels = Uint8Array.from(indices, (i) => ds.labels![i]);
      batch.labels = labels;
      if (ds.numClasses > 0) batch.oneHot = oneHotRows(labels, ds.numClasses);
    }
    return batch;
  };

  return {
    next,
    get epoch() {
      return epoch;
    },
    get step() {
      return step;
    },
    batchSize,
    state: () => ({ seed, batchSize, count: ds.count, epoch, cursor, step }),
    restore(s) {
      if (s.seed !== seed || s.batchSize !== batchSize || s.count !== ds.count) {
        throw new DataError(
          ds.name,
          `checkpoint was saved for seed ${s.seed}, batch ${s.batchSize}, ${s.count} examples; this run has seed ${seed}, batch ${batchSize}, ${ds.count} examples`,
          'load the same data set and settings, or start a fresh run',
        );
      }
      if (!(s.cursor >= 0 && s.cursor <= s.count && s.epoch >= 0))
        throw new DataError(ds.name, `checkpoint batcher position (epoch ${s.epoch}, cursor ${s.cursor}) is invalid`);
      epoch = s.epoch;
      cursor = s.cursor;
      step = s.step;
      order = epochOrder(ds.count, seed, epoch);
    },
  };
}
