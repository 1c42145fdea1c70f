/**
 * Autoregressive sampling (PixelCNN): one seeded sampler for the worker's
 * pixel-by-pixel view and the CLI's sample grid, so the same document, seed
 * and weights give the same pictures in both. It runs cached by default
 * (./cachedSampling.ts), which draws exactly what pixel-by-pixel passes draw.
 */
import type { DisplayTransform } from '../graph/nodeApi';
import { createRng } from '../graph/random';
import { exampleSize } from '../graph/shape';
import type { DiffusionOptions } from './diffusion';
import type { CompiledModel } from './model';
import type { ReadMode } from './reads';
import { oneHotRows } from '../data/batcher';
import { fixedPoint, sampleCached } from './cachedSampling';

/** Random-stream position for fixed-seed previews, far from the training stream's. */
export const PREVIEW_COUNTER = 1_500_000_000;

/**
 * One pixel of every canvas, drawn from the net's output there (pixelOutputs:
 * n logits, or n×256 for a 256-way categorical) with the uniform u[b] of canvas b.
 */
export function drawPixels(out: Float32Array, transform: DisplayTransform, u: ArrayLike<number>): Float32Array {
  const values = new Float32Array(u.length);
  for (let b = 0; b < u.length; b++) {
    if (transform === 'softmax256') {
      const base = b * 256;
      let max = -Infinity;
      for (let k = 0; k < 256; k++) max = Math.max(max, out[base + k]);
      let sum = 0;
      for (let k = 0; k < 256; k++) sum += Math.exp(out[base + k] - max);
      let acc = 0;
      let v = 255;
      for (let k = 0; k < 256; k++)
        if ((acc += Math.exp(out[base + k] - max) / sum) > u[b]) {
          v = k;
          break;
        }
      values[b] = v / 255;
    } else {
      const p = transform === 'sigmoid' ? 1 / (1 + Math.exp(-out[b])) : out[b];
      values[b] = u[b] < p ? 1 : 0;
    }
  }
  return values;
}

/**
 * How the pixels are computed; all three draw the same canvases from the same
 * uniforms. 'cached' (where the plan allows it): each layer at one position
 * per pixel, checked by a whole-image pass. 'fixedPoint': whole-image passes
 * until the canvas stops changing. 'pixelwise': the net run on the rows above
 * each pixel, one pixel at a time (the reference the others are tested against).
 */
export type SamplingMethod = 'cached' | 'fixedPoint' | 'pixelwise';

export interface SampleOptions {
  n: number;
  /** Conditional graphs: the class of every canvas (default: cycling through the classes). */
  label?: number;
  /** Picks the stream of uniforms the pixels are drawn with (default 0). */
  seed?: number;
  /** Called after each pixel is written; resolving to false stops the sampling (a newer request replaced it). */
  onPixel?: (index: number, canvas: Float32Array) => boolean | Promise<boolean>;
  /** Runs each pixel's read (the session's WebGPU device-lost guard). */
  guard?: <T>(read: () => T | Promise<T>) => Promise<T>;
  /** Default 'cached'; where the plan has no cache for the graph, 'cached' runs 'pixelwise'. */
  method?: SamplingMethod;
  /** Told how many whole-image passes the cached or fixed-point sampler ran (1 after cached sampling: it was exact). */
  onPasses?: (passes: number) => void;
}

/**
 * n canvases drawn pixel by pixel from one seeded stream: run the net on the
 * canvas so far, draw the next value from its predicted distribution, write it
 * in. Every pixel's uniforms are drawn up front, so each method draws the same
 * pictures. The net's own random draws (if any) use the fixed preview stream,
 * so neither sampling nor training perturbs the other. Null when onPixel stopped it.
 */
export async function sampleAutoregressive(model: CompiledModel<ReadMode>, o: SampleOptions): Promise<Float32Array | null> {
  const { plan } = model;
  const g = plan.modes.generate;
  if (!g?.autoregressive) throw new Error('this graph is not autoregressive');
  const { n, label, seed = 0 } = o;
  const total = exampleSize(plan.data.shape);
  const classes = plan.data.numClasses;
  const oneHot =
    classes > 0
      ? oneHotRows(
          Array.from({ length: n }, (_, b) => label ?? b % classes),
          classes,
        )
      : undefined;
  const rng = createRng((plan.seed * 7919 + seed * 104729 + 17) >>> 0);
  const u = Float64Array.from({ length: total * n }, () => rng.next());
  const guard = o.guard ?? (async (read) => read());
  const method = o.method ?? 'cached';
  if (method === 'fixedPoint' || (method === 'cached' && g.pixelCache)) {
    const run = { model, n, oneHot, u, onPixel: o.onPixel, guard };
    const sampled =
      method === 'cached' && g.pixelCache
        ? await sampleCached(run, g.pixelCache)
        : await fixedPoint(run, new Float32Array(n * total), true);
    if (sampled) o.onPasses?.(sampled.passes);
    return sampled?.canvas ?? null;
  }
  const canvas = new Float32Array(n * total);
  const batch = { x: canvas, oneHot, size: n };
  for (let i = 0; i < total; i++) {
    const out = await guard(() => model.withFixedRandom(PREVIEW_COUNTER, () => model.pixelOutputs(batch, i)));
    const values = drawPixels(out, g.transform, u.subarray(i * n, (i + 1) * n));
    for (let b = 0; b < n; b++) canvas[b * total + i] = values[b];
    if (o.onPixel && !(await o.onPixel(i, canvas))) return null;
  }
  return canvas;
}

/** Random-stream positions between passes drawn at a fixed position: far more than one pass of 256 draws. */
const PASS_STRIDE = 1_000_000;

/** At most this many samples per forward pass: a pass over 10,000 at once runs the wasm heap out of memory. */
export const MAX_PER_PASS = 256;

/**
 * n samples from the prior, of `label` or cycling through the classes. An
 * autoregressive graph is sampled pixel by pixel from the stream `seed` picks,
 * by the same sampler as the page's, so both draw the same pictures.
 */
export async function sampleImages(
  model: CompiledModel<ReadMode>,
  n: number,
  label?: number,
  seed = 0,
  /** draw from this fixed random-stream position (one region per pass) so training's stream is untouched */
  randomCounter?: number,
  /** a diffusion sampler's settings for these samples (e.g. fewer DDIM steps) */
  diffusion?: DiffusionOptions,
): Promise<Float32Array> {
  const autoregressive = model.plan.modes.generate?.autoregressive;
  // Conditional graphs cycle through the classes within a pass: keep every pass a whole number of cycles.
  const classes = Math.max(1, model.plan.data.numClasses);
  const chunk = Math.max(classes, Math.floor(MAX_PER_PASS / classes) * classes);
  const draw = (count: number, pass: number) =>
    autoregressive
      ? sampleAutoregressive(model, { n: count, label, seed: pass === 0 ? seed : seed + 7919 * pass }).then((x) => x!)
      : randomCounter === undefined
        ? model.generate(count, label, diffusion)
        : model.withFixedRandom(randomCounter + pass * PASS_STRIDE, () => model.generate(count, label, diffusion));
  if (n <= chunk) return draw(n, 0);
  const size = exampleSize(model.plan.data.shape);
  const out = new Float32Array(n * size);
  for (let at = 0, pass = 0; at < n; at += chunk, pass++)
    out.set((await draw(Math.min(chunk, n - at), pass)).subarray(0, Math.min(chunk, n - at) * size), at * size);
  return out;
}
