import { createRng } from '../graph/random.js';
import { DataError } from './errors.js';
import { exampleSize, type DataSet } from './types.js';

export type BinarizeMode = 'threshold' | 'stochastic';

/**
 * 0/1 images for Bernoulli likelihoods (PixelCNN, BCE decoders).
 * 'threshold' is x ≥ 0.5; 'stochastic' draws each pixel as Bernoulli(x) once,
 * from `seed`, giving a fixed binarized set (as in Salakhutdinov & Murray 2008).
 */
export function binarize(ds: DataSet, mode: BinarizeMode, seed = 0): DataSet {
  if (ds.kind !== 'image') throw new DataError(ds.name, 'only image data sets can be binarized', "set binarize to 'none' for 2-D points");
  const x = new Float32Array(ds.x.length);
  if (mode === 'threshold') {
    for (let i = 0; i < x.length; i++) x[i] = ds.x[i] >= 0.5 ? 1 : 0;
  } else {
    const rng = createRng(seed);
    for (let i = 0; i < x.length; i++) x[i] = rng.next() < ds.x[i] ? 1 : 0;
  }
  return { ...ds, name: `${ds.name} [binarized: ${mode}]`, x };
}

/** The examples [start, start+count) as a new data set (labels and factors follow). */
export function slice(ds: DataSet, start: number, count: number): DataSet {
  const s = Math.max(0, Math.min(start, ds.count));
  const e = Math.max(s, Math.min(s + count, ds.count));
  const size = exampleSize(ds);
  const out: DataSet = { ...ds, count: e - s, x: ds.x.slice(s * size, e * size) };
  if (ds.labels) out.labels = ds.labels.slice(s, e);
  if (ds.factors) {
    const k = ds.factors.names.length;
    out.factors = { names: ds.factors.names, values: ds.factors.values.slice(s * k, e * k) };
  }
  return out;
}
