import type { MeasuredData } from '../graph/nodeApi.js';

/** The one in-memory form every data source is converted to (pure data, structured-cloneable). */
export interface DataSet {
  name: string;
  kind: 'image' | 'points';
  /** per-example shape: [28,28,1] for images (HWC), [2] for 2-D points */
  shape: number[];
  count: number;
  /** count × prod(shape) values; images in [0,1] */
  x: Float32Array;
  /** class per example (0..numClasses-1), when known */
  labels?: Uint8Array;
  numClasses: number; // 0 when unlabelled
  classNames?: string[];
  /** files left out while reading user files, each with the reason */
  skipped?: { file: string; reason: string }[];
  /** known generative factors per example, for procedural shapes (e.g. position, scale, rotation) */
  factors?: { names: string[]; values: Float32Array };
}

export type Split = 'train' | 'test';

/** Number of values in one example. */
export function exampleSize(ds: Pick<DataSet, 'shape'>): number {
  return ds.shape.reduce((a, b) => a * b, 1);
}

/** What the compiler needs to know about a loaded set. */
export function measureDataSet(ds: DataSet): MeasuredData {
  return {
    kind: ds.kind,
    shape: ds.shape,
    numClasses: ds.numClasses,
    count: ds.count,
    name: ds.name,
    ...(ds.classNames ? { classNames: ds.classNames } : {}),
  };
}
