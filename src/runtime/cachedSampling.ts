/**
 * Fast exact pixel-by-pixel sampling for autoregressive graphs.
 *
 * Cached (Ramachandran et al. 2017, "Fast generation for convolutional
 * autoregressive models"): in a masked network every layer's value at pixel q
 * depends only on the pixels drawn before q, so once pixel q−1 is drawn each
 * layer is run at position q alone, on its inputs' window there, and the
 * result is kept. One position per layer per pixel instead of a whole image.
 *
 * Fixed point (Jacobi; Song et al. 2020): a whole-image pass draws every pixel
 * from the canvas so far with that pixel's own uniform; a canvas that such a
 * pass leaves unchanged is exactly the pixel-by-pixel sample. The cached
 * sampler ends with one such pass, so its result is the naive sample even
 * where a layer breaks the window the plan assumes (it then iterates to the
 * fixed point), and with no cache at all the passes alone sample exactly.
 */
import * as tf from './tf';
import type { PixelCachePlan, PortRef } from '../compiler/plan';
import { inputsRead } from '../compiler/upstream';
import { exampleSize } from '../graph/shape';
import type { Batch, CompiledModel, Given, GraphRun } from './model';
import type { ReadMode } from './reads';
import { drawPixels, PREVIEW_COUNTER } from './sampling';

const keyOf = (r: PortRef) => `${r.node}\u0000${r.port}`;

export interface PixelRun {
  model: CompiledModel<ReadMode>;
  n: number;
  oneHot?: Float32Array;
  /** The uniform of every pixel of every canvas: pixel i of canvas b draws with u[i·n + b]. */
  u: Float64Array;
  /** Called after each pixel is written; resolving to false stops the sampling. */
  onPixel?: (index: number, canvas: Float32Array) => boolean | Promise<boolean>;
  guard: <T>(read: () => T | Promise<T>) => Promise<T>;
}

/** How many whole-image passes the fixed-point check took (1: the canvas was already exact). */
export interface Sampled {
  canvas: Float32Array;
  passes: number;
}

/** Runs `fn` on the model at the preview stream's fixed position, through the guard. */
function read(o: PixelRun, fn: (run: GraphRun) => tf.Tensor[]): Promise<Float32Array[]> {
  return o.guard(() => o.model.withFixedRandom(PREVIEW_COUNTER, () => o.model.compute((run) => fn(run))));
}

/**
 * Canvases per whole-image pass: a pass holds every layer's whole image, which
 * for 256 canvases of 64 channels is over half a gigabyte of wasm heap.
 * Generating, every layer treats each canvas on its own, so splitting changes no value.
 */
export const PASS_CANVASES = 16;

/**
 * Whole-image passes from `canvas` until one changes nothing; each pass
 * redraws every pixel with its own uniform. After a pass whose first change
 * is at pixel j, pixels up to j are final (each depends only on those before
 * it): with reportEachPass onPixel hears of j, and of the last pixel at the
 * end. Null when onPixel stopped it.
 */
export async function fixedPoint(o: PixelRun, canvas: Float32Array, reportEachPass: boolean): Promise<Sampled | null> {
  const { plan } = o.model;
  const g = plan.modes.generate!;
  const { n } = o;
  const total = exampleSize(plan.data.shape);
  const per = g.transform === 'softmax256' ? 256 : 1;
  const out = new Float32Array(n * per);
  const classes = plan.data.numClasses;
  const all = new Float32Array(n * total * per);
  for (let passes = 1; ; passes++) {
    for (let from = 0; from < n; from += PASS_CANVASES) {
      const to = Math.min(n, from + PASS_CANVASES);
      const oneHot = o.oneHot?.subarray(from * classes, to * classes);
      const batch: Batch = { x: canvas.subarray(from * total, to * total), oneHot, size: to - from };
      const [part] = await read(o, (run) => [run([g.output], 'generate', batch)(g.output)]);
      all.set(part, from * total * per);
    }
    let firstChange = total;
    const next = new Float32Array(canvas.length);
    for (let i = 0; i < total; i++) {
      for (let b = 0; b < n; b++) out.set(all.subarray((b * total + i) * per, (b * total + i + 1) * per), b * per);
      const values = drawPixels(out, g.transform, o.u.subarray(i * n, (i + 1) * n));
      for (let b = 0; b < n; b++) {
        next[b * total + i] = values[b];
        if (values[b] !== canvas[b * total + i]) firstChange = Math.min(firstChange, i);
      }
    }
    if (firstChange === total) return o.onPixel && !(await o.onPixel(total - 1, canvas)) ? null : { canvas, passes };
    canvas = next;
    if (reportEachPass && o.onPixel && !(await o.onPixel(firstChange, canvas))) return null;
  }
}

/** The last rows of one layer output, as many as its readers reach above, in a ring indexed by row. */
interface RowCache {
  channels: number;
  rows: number;
  data: Float32Array;
}

/**
 * n canvases drawn pixel by pixel, each layer computed at one position per
 * pixel (see the file comment), then checked by a whole-image pass. Null when
 * onPixel stopped it.
 */
export async function sampleCached(o: PixelRun, cache: PixelCachePlan): Promise<Sampled | null> {
  const { plan } = o.model;
  const g = plan.modes.generate!;
  const { n } = o;
  const [height, width, channels] = plan.data.shape;
  const total = exampleSize(plan.data.shape);
  const per = g.transform === 'softmax256' ? 256 : 1;
  const canvas = new Float32Array(n * total);
  const batch: Batch = { x: canvas, oneHot: o.oneHot, size: n };
  const data = (r: PortRef) => r.node === plan.datasetNode;
  const shapeOf = (r: PortRef) => [n, ...plan.byId[r.node].outputShapes[r.port].slice(1)];

  const constantValues = await read(o, (run) => {
    const get = run(cache.constants, 'generate', batch);
    return cache.constants.map(get);
  });
  const constants = new Map(cache.constants.map((r, k) => [keyOf(r), { shape: shapeOf(r), values: constantValues[k] }]));

  // Layer outputs a windowed layer reads keep their last rows; pointwise readers take this pixel's fresh value.
  const rowCaches = new Map<string, RowCache>();
  for (const { id, reach } of cache.layers)
    for (const port of inputsRead(plan.byId[id], 'generate')) {
      const ref = plan.byId[id].inputs[port];
      if (reach === 0 || data(ref) || constants.has(keyOf(ref))) continue;
      const c = shapeOf(ref)[3];
      const rows = Math.max(reach + 1, rowCaches.get(keyOf(ref))?.rows ?? 0);
      rowCaches.set(keyOf(ref), { channels: c, rows, data: new Float32Array(n * rows * width * c) });
    }
  const cachedKeys = [...rowCaches.keys()];

  /** A value computed once: a vector or 1×1 map broadcasts whole; a plane (a class map) is cut to the layer's window. */
  const constantWindow = (c: { shape: number[]; values: Float32Array }, y0: number, y: number, x0: number, x1: number) => {
    const whole = tf.tensor(c.values, c.shape);
    if (c.shape.length !== 4 || (c.shape[1] === 1 && c.shape[2] === 1)) return whole;
    return whole.slice([0, y0, x0, 0], [n, y - y0 + 1, x1 - x0 + 1, c.shape[3]]);
  };

  /** The window rows y0…y, columns x0…x1 of a canvas-dependent value, from the canvas or a row cache; position (y, x) and what follows it stay 0. */
  const windowOf = (ref: PortRef, y: number, x: number, y0: number, x0: number, x1: number): tf.Tensor => {
    const rowsIn = y - y0 + 1;
    const cols = x1 - x0 + 1;
    const source = data(ref) ? { channels, rows: height, data: canvas } : rowCaches.get(keyOf(ref))!;
    const c = source.channels;
    const patch = new Float32Array(n * rowsIn * cols * c);
    const sourceImage = source.rows * width * c;
    for (let b = 0; b < n; b++)
      for (let r = 0; r < rowsIn; r++) {
        const slot = (y0 + r) % source.rows;
        // Pixels not drawn yet are 0 on the canvas; a row cache's row y is cleared when the row starts.
        const from = b * sourceImage + (slot * width + x0) * c;
        patch.set(source.data.subarray(from, from + cols * c), (b * rowsIn + r) * cols * c);
      }
    return tf.tensor(patch, [n, rowsIn, cols, c]);
  };

  for (let q = 0; q < height * width; q++) {
    const y = Math.floor(q / width);
    const x = q % width;
    if (x === 0) for (const rc of rowCaches.values()) clearRow(rc, y, n, width);
    const fresh = await read(o, (run) => {
      const at = new Map<string, tf.Tensor>();
      for (const { id, reach } of cache.layers) {
        const node = plan.byId[id];
        const y0 = Math.max(0, y - reach);
        const x0 = Math.max(0, x - reach);
        const x1 = Math.min(width - 1, x + reach);
        const givens: Given[] = inputsRead(node, 'generate').map((port) => {
          const ref = node.inputs[port];
          const constant = constants.get(keyOf(ref));
          if (constant) return { ref, value: constantWindow(constant, y0, y, x0, x1) };
          if (reach === 0 && !data(ref)) return { ref, value: at.get(keyOf(ref))! };
          const window = windowOf(ref, y, x, y0, x0, x1);
          if (data(ref)) return { ref, value: window };
          // This pixel's own value was computed a moment ago: add it in at its place (the window holds 0 there).
          const here = at.get(keyOf(ref))!.pad([
            [0, 0],
            [y - y0, 0],
            [x - x0, x1 - x],
            [0, 0],
          ]);
          return { ref, value: window.add(here) };
        });
        const outputs = Object.keys(node.outputShapes).map((port) => ({ node: id, port }));
        const get = run(outputs, 'generate', batch, givens);
        for (const ref of outputs) {
          const full = get(ref);
          at.set(keyOf(ref), full.slice([0, y - y0, x - x0, 0], [n, 1, 1, full.shape[3]!]));
        }
      }
      return [...cachedKeys.map((k) => at.get(k)!), at.get(keyOf(g.output))!];
    });
    cachedKeys.forEach((k, j) => {
      const rc = rowCaches.get(k)!;
      const slot = y % rc.rows;
      for (let b = 0; b < n; b++)
        rc.data.set(fresh[j].subarray(b * rc.channels, (b + 1) * rc.channels), ((b * rc.rows + slot) * width + x) * rc.channels);
    });
    const head = fresh[fresh.length - 1];
    const out = new Float32Array(n * per);
    for (let c = 0; c < channels; c++) {
      const i = q * channels + c;
      for (let b = 0; b < n; b++) out.set(head.subarray((b * channels + c) * per, (b * channels + c + 1) * per), b * per);
      const values = drawPixels(out, g.transform, o.u.subarray(i * n, (i + 1) * n));
      for (let b = 0; b < n; b++) canvas[b * total + i] = values[b];
      if (i < total - 1 && o.onPixel && !(await o.onPixel(i, canvas))) return null;
    }
  }
  return fixedPoint(o, canvas, false);
}

/** Zeroes row y's slot of a row cache before the row is filled, so the pixels not computed yet read 0. */
function clearRow(rc: RowCache, y: number, n: number, width: number) {
  const slot = y % rc.rows;
  const row = width * rc.channels;
  for (let b = 0; b < n; b++) rc.data.fill(0, (b * rc.rows + slot) * row, (b * rc.rows + slot + 1) * row);
}
