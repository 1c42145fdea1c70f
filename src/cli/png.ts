/** PNG pictures of data and samples for the CLI (Node only: uses pngjs). */
import { PNG } from 'pngjs';

const GAP = 1;
const GAP_GREY = 128;

function encode(png: PNG): Uint8Array {
  return new Uint8Array(PNG.sync.write(png));
}

const toByte = (v: number) => (v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0); // NaN → 0

/**
 * Tiles `n` images (n × h × w × channels, HWC, values clamped to [0,1]) into
 * one PNG, `cols` per row (default: a near-square grid), with a 1-px grey gap.
 */
export function imageGridPng(
  images: Float32Array,
  n: number,
  h: number,
  w: number,
  channels: 1 | 3,
  cols = Math.ceil(Math.sqrt(n)),
): Uint8Array {
  if (images.length < n * h * w * channels)
    throw new Error(`imageGridPng: ${n} images of ${h}×${w}×${channels} need ${n * h * w * channels} values, got ${images.length}`);
  const c = Math.max(1, Math.min(cols, n));
  const rows = Math.max(1, Math.ceil(n / c));
  const width = c * w + (c - 1) * GAP;
  const height = rows * h + (rows - 1) * GAP;
  const png = new PNG({ width, height });
  for (let p = 0; p < png.data.length; p += 4) png.data.set([GAP_GREY, GAP_GREY, GAP_GREY, 255], p);
  for (let k = 0; k < n; k++) {
    const ox = (k % c) * (w + GAP);
    const oy = Math.floor(k / c) * (h + GAP);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const src = ((k * h + i) * w + j) * channels;
        const dst = 4 * ((oy + i) * width + ox + j);
        for (let ch = 0; ch < 3; ch++) png.data[dst + ch] = toByte(images[src + (channels === 3 ? ch : 0)]);
        png.data[dst + 3] = 255;
      }
    }
  }
  return encode(png);
}

// Tableau-10, so classes in a latent scatter get distinct, familiar colours.
const PALETTE = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/** The low and high coordinate of a scatter plot's square frame, the same on both axes. */
export type ScatterRange = [number, number];

/**
 * A size×size scatter plot of 2-D points (x0,y0,x1,y1,...) on white, each a 3×3
 * dot coloured by label (black when unlabelled). Axes fit the data with a 5% margin,
 * or span `range` (so several plots share one frame); y points up.
 */
export function scatterPng(points: Float32Array, labels?: Uint8Array, size = 256, range?: ScatterRange): Uint8Array {
  const n = Math.floor(points.length / 2);
  let [lo, hi] = range ?? [Infinity, -Infinity];
  if (!range) for (const v of points) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (!(hi > lo)) [lo, hi] = [Number.isFinite(lo) ? lo - 1 : -1, Number.isFinite(hi) ? hi + 1 : 1];
  // One scale for both axes, so circles stay round.
  const pad = range ? 0 : 0.05 * (hi - lo);
  const scale = (size - 1) / (hi - lo + 2 * pad);
  const png = new PNG({ width: size, height: size });
  png.data.fill(255);
  for (let k = 0; k < n; k++) {
    const px = Math.round((points[2 * k] - lo + pad) * scale);
    const py = size - 1 - Math.round((points[2 * k + 1] - lo + pad) * scale);
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const colour = labels ? PALETTE[labels[k] % PALETTE.length] : [0, 0, 0];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = px + dx;
        const y = py + dy;
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        png.data.set([...colour, 255], 4 * (y * size + x));
      }
    }
  }
  return encode(png);
}
