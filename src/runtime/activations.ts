/**
 * A node's output, summarised in the form that fits its tensor, for the
 * "look inside" view: feature maps (B×H×W×C) as one example's channels, each
 * scaled to its own range; dense outputs (B×N) as a histogram of every value
 * and a heat strip of each example's units; latent codes as a scatter of
 * their first two dimensions. Plain arrays only: it goes to the page as is.
 */
import type { Plan, PortRef } from '../compiler/plan';

/** Channels of a feature map shown at most (the first ones). */
export const MAX_CHANNELS = 64;
/** Units of a dense output shown in the heat strip at most. */
export const MAX_STRIP_UNITS = 256;
const BINS = 32;

export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}

export type ActivationView =
  | { kind: 'oneValue'; value: number }
  | {
      kind: 'featureMaps';
      height: number;
      width: number;
      channels: number;
      /** The first `shown` channels of example 0, channel after channel, each scaled to [0, 1] by its own lo and hi. */
      shown: number;
      images: Float32Array;
      lo: number[];
      hi: number[];
    }
  | {
      kind: 'perUnit';
      units: number;
      examples: number;
      histogram: Histogram;
      /** examples × stripUnits values, the first stripUnits units of each example. */
      strip: Float32Array;
      stripUnits: number;
      /** The largest |value| in the strip, its colour scale. */
      absMax: number;
    }
  | { kind: 'codeScatter'; dims: number; examples: number; points: Float32Array; histogram: Histogram };

/** How many examples a view of this port wants: a scatter needs many points, a picture a few. */
export function examplesFor(plan: Plan, ref: PortRef): number {
  return isLatent(plan, ref) ? 256 : 8;
}

/** A latent code: what the model encodes to or decodes from, or its sampler's draw and mean. */
export function isLatent(plan: Plan, ref: PortRef): boolean {
  const same = (r: PortRef | null | undefined) => !!r && r.node === ref.node && r.port === ref.port;
  const q = plan.posterior;
  return same(plan.modes.encode?.latent) || same(plan.modes.decode?.latent) || same(q?.z) || same(q?.mean);
}

function histogram(values: ArrayLike<number>): Histogram {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const counts = new Array<number>(BINS).fill(0);
  const width = hi - lo || 1;
  for (let i = 0; i < values.length; i++) counts[Math.min(BINS - 1, Math.floor(((values[i] - lo) / width) * BINS))]++;
  return { lo, hi, counts };
}

/** The view of `data`, a port's values of shape `shape` (batch first). */
export function activationView(shape: number[], data: Float32Array, latent: boolean): ActivationView {
  const examples = shape[0] ?? 1;
  const per = data.length / Math.max(1, examples);
  if (data.length === 1 || shape.length === 0) return { kind: 'oneValue', value: data[0] };
  if (shape.length === 4) {
    const [, height, width, channels] = shape;
    const shown = Math.min(channels, MAX_CHANNELS);
    const images = new Float32Array(shown * height * width);
    const lo: number[] = [],
      hi: number[] = [];
    for (let c = 0; c < shown; c++) {
      let l = Infinity,
        h = -Infinity;
      for (let p = 0; p < height * width; p++) {
        const v = data[p * channels + c];
        l = Math.min(l, v);
        h = Math.max(h, v);
      }
      for (let p = 0; p < height * width; p++) images[c * height * width + p] = (data[p * channels + c] - l) / (h - l || 1);
      lo.push(l);
      hi.push(h);
    }
    return { kind: 'featureMaps', height, width, channels, shown, images, lo, hi };
  }
  if (latent && per >= 2) {
    const points = new Float32Array(examples * 2);
    for (let b = 0; b < examples; b++) points.set(data.subarray(b * per, b * per + 2), b * 2);
    return { kind: 'codeScatter', dims: per, examples, points, histogram: histogram(data) };
  }
  const stripUnits = Math.min(per, MAX_STRIP_UNITS);
  const strip = new Float32Array(examples * stripUnits);
  let absMax = 0;
  for (let b = 0; b < examples; b++)
    for (let u = 0; u < stripUnits; u++) {
      const v = data[b * per + u];
      strip[b * stripUnits + u] = v;
      absMax = Math.max(absMax, Math.abs(v));
    }
  return { kind: 'perUnit', units: per, examples, histogram: histogram(data), strip, stripUnits, absMax };
}
