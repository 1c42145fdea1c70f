/** The pictures a run writes: samples, reconstructions beside their inputs, 2-D scatters. */
import type { DataSet } from '../data/types';
import type { DiffusionOptions } from '../runtime/diffusion';
import type { CompiledModel } from '../runtime/model';
import type { ReadMode } from '../runtime/reads';
import { sampleImages } from '../runtime/sampling';
import { imageGridPng, scatterPng } from './png';

/** The largest sample grid written as one PNG (pixels); about 7,000 × 7,000. */
export const MAX_GRID_PIXELS = 50_000_000;

/** Samples from the prior. Conditional models get one column per class. */
export async function samplesPng(
  model: CompiledModel<ReadMode>,
  data: DataSet,
  n: number,
  label?: number,
  diffusion?: DiffusionOptions,
): Promise<Uint8Array> {
  const { plan } = model;
  const classes = plan.modes.generate?.conditional ? plan.data.numClasses : 0;
  const count = classes && label === undefined ? Math.ceil(n / classes) * classes : n;
  const samples = await sampleImages(model, count, label, 0, undefined, diffusion);
  if (plan.data.kind === 'points') return pointsPng(data, samples, count);
  const [h, w, c] = plan.data.shape;
  return imageGridPng(samples, count, h, w, c as 1 | 3, classes && label === undefined ? classes : undefined);
}

/** Throws a SampleLimit when `n` samples would make a grid larger than MAX_GRID_PIXELS. */
export function checkSampleCount(model: CompiledModel<ReadMode>, n: number, label?: number): void {
  const { plan } = model;
  if (plan.data.kind === 'points') return;
  const classes = plan.modes.generate?.conditional && label === undefined ? plan.data.numClasses : 0;
  const [h, w] = plan.data.shape;
  const pixels = (k: number) => {
    const count = classes ? Math.ceil(k / classes) * classes : k;
    const cols = Math.max(1, Math.min(classes || Math.ceil(Math.sqrt(count)), count));
    const rows = Math.ceil(count / cols);
    return (cols * (w + 1) - 1) * (rows * (h + 1) - 1);
  };
  if (pixels(n) <= MAX_GRID_PIXELS) return;
  let most = 1;
  for (let step = 1 << 30; step >= 1; step >>= 1) if (pixels(most + step) <= MAX_GRID_PIXELS) most += step;
  throw new SampleLimit(
    `--n ${n}: ${n} samples of ${h}×${w} make a picture of ${(pixels(n) / 1e6).toFixed(0)} megapixels, more than the ${MAX_GRID_PIXELS / 1e6} megapixels one PNG grid may hold; ask for at most --n ${most}`,
  );
}

export class SampleLimit extends Error {
  override name = 'SampleLimit';
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
  const { outputs, seen } = await model.reconstruct({
    x: batch.x.subarray(0, n * size),
    oneHot: batch.oneHot?.subarray(0, n * model.plan.data.numClasses),
    size: n,
  });
  // Per group of rows: the corrupted input the network saw (a denoising AE), the data, the reconstruction.
  const rows = seen ? [seen, batch.x, outputs] : [batch.x, outputs];
  const cols = 8;
  const out = new Float32Array(rows.length * n * size);
  for (let i = 0; i < n; i++) {
    const group = Math.floor(i / cols);
    const col = i % cols;
    rows.forEach((values, r) => out.set(values.subarray(i * size, (i + 1) * size), ((rows.length * group + r) * cols + col) * size));
  }
  return imageGridPng(out, rows.length * n, h, w, c as 1 | 3, cols);
}
