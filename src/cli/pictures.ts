/** The pictures a run writes: samples, reconstructions beside their inputs, 2-D scatters. */
import type { DataSet } from '../data/types';
import type { CompiledModel } from '../runtime/model';
import type { ReadMode } from '../runtime/reads';
import { sampleAutoregressive } from '../runtime/sampling';
import { imageGridPng, scatterPng } from './png';

/**
 * n samples from the prior, of `label` or cycling through the classes. An
 * autoregressive graph is sampled pixel by pixel from the stream `seed` picks,
 * by the same sampler as the page's, so both draw the same pictures.
 */
export async function sampleImages(model: CompiledModel<ReadMode>, n: number, label?: number, seed = 0): Promise<Float32Array> {
  if (model.plan.modes.generate?.autoregressive) return (await sampleAutoregressive(model, { n, label, seed }))!;
  return model.generate(n, label);
}

/** Samples from the prior. Conditional models get one column per class. */
export async function samplesPng(model: CompiledModel<ReadMode>, data: DataSet, n: number, label?: number): Promise<Uint8Array> {
  const { plan } = model;
  const classes = plan.modes.generate?.conditional ? plan.data.numClasses : 0;
  const count = classes && label === undefined ? Math.ceil(n / classes) * classes : n;
  const samples = await sampleImages(model, count, label);
  if (plan.data.kind === 'points') return pointsPng(data, samples, count);
  const [h, w, c] = plan.data.shape;
  return imageGridPng(samples, count, h, w, c as 1 | 3, classes && label === undefined ? classes : undefined);
}

/** Real points in grey-ish classes and generated points marked as an extra class. */
function pointsPng(data: DataSet, samples: Float32Array, count: number): Uint8Array {
  const real = Math.min(data.count, 1000);
  const points = new Float32Array((real + count) * 2);
  points.set(data.x.subarray(0, real * 2));
  points.set(samples.subarray(0, count * 2), real * 2);
  const labels = new Uint8Array(real + count).fill(1, real);
  return scatterPng(points, labels, 320);
}

/** Rows alternate: a row of inputs, then the row of their reconstructions. */
export async function reconstructionsPng(
  model: CompiledModel<ReadMode>,
  batch: { x: Float32Array; oneHot?: Float32Array },
  n: number,
): Promise<Uint8Array> {
  const [h, w, c] = model.plan.data.shape;
  const size = h * w * c;
  const recon = await model.reconstruct({
    x: batch.x.subarray(0, n * size),
    oneHot: batch.oneHot?.subarray(0, n * model.plan.data.numClasses),
    size: n,
  });
  const cols = 8;
  const out = new Float32Array(2 * n * size);
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / cols);
    const col = i % cols;
    out.set(batch.x.subarray(i * size, (i + 1) * size), (2 * row * cols + col) * size);
    out.set(recon.subarray(i * size, (i + 1) * size), ((2 * row + 1) * cols + col) * size);
  }
  return imageGridPng(out, 2 * n, h, w, c as 1 | 3, cols);
}
