import { createRng } from '../graph/random.js';
import type { DataSet } from './types.js';

export const SHAPE_NAMES = ['square', 'ellipse', 'triangle'];
export const SHAPE_FACTORS = ['x', 'y', 'scale', 'rotation'];
const SIDE = 28;

/**
 * Rotation is drawn within each shape's symmetry period (square 90°, ellipse
 * 180°, triangle 120°) so every factor value names a distinct image.
 */
const PERIOD = [Math.PI / 2, Math.PI, (2 * Math.PI) / 3];

/** Signed distance (pixels, negative inside) from local point (px,py) to a shape of circumradius r. */
function distance(kind: number, px: number, py: number, r: number): number {
  if (kind === 0) {
    const h = r / Math.SQRT2;
    const dx = Math.abs(px) - h;
    const dy = Math.abs(py) - h;
    return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0);
  }
  if (kind === 1) {
    // Ellipse with semi-axes r and 0.6r; Quilez's cheap distance approximation.
    const ax = r;
    const ay = 0.6 * r;
    const k0 = Math.hypot(px / ax, py / ay);
    const k1 = Math.hypot(px / (ax * ax), py / (ay * ay));
    return k1 === 0 ? -ay : (k0 * (k0 - 1)) / k1;
  }
  // Equilateral triangle (Quilez), half-side h = r·√3/2.
  const k = Math.sqrt(3);
  const h = (r * k) / 2;
  let x = Math.abs(px) - h;
  let y = py + h / k;
  if (x + k * y > 0) [x, y] = [(x - k * y) / 2, (-k * x - y) / 2];
  x -= Math.min(Math.max(x, -2 * h), 0);
  return -Math.hypot(x, y) * Math.sign(y);
}

/**
 * `count` 28×28 white-on-black shapes with known factors, for latent traversals.
 * Label: 0 square, 1 ellipse, 2 triangle. Factors, in natural units:
 * x, y — centre in pixels, uniform in [9, 19]; scale — circumradius in pixels,
 * uniform in [4, 8]; rotation — radians in [0, symmetry period). The factors are
 * independent, and every shape stays inside the frame.
 * Edges are anti-aliased by coverage ≈ clamp(0.5 − signed distance, 0, 1).
 */
export function makeShapes(count: number, seed: number): DataSet {
  const rng = createRng(seed);
  const x = new Float32Array(count * SIDE * SIDE);
  const labels = new Uint8Array(count);
  const values = new Float32Array(count * SHAPE_FACTORS.length);
  for (let n = 0; n < count; n++) {
    const kind = n % 3;
    const cx = 9 + 10 * rng.next();
    const cy = 9 + 10 * rng.next();
    const r = 4 + 4 * rng.next();
    const rot = PERIOD[kind] * rng.next();
    labels[n] = kind;
    values.set([cx, cy, r, rot], n * SHAPE_FACTORS.length);
    const cos = Math.cos(rot);
    const sin = Math.sin(rot);
    const base = n * SIDE * SIDE;
    for (let i = 0; i < SIDE; i++) {
      for (let j = 0; j < SIDE; j++) {
        // Pixel centre, rotated into the shape's own frame.
        const dx = j + 0.5 - cx;
        const dy = i + 0.5 - cy;
        const d = distance(kind, cos * dx + sin * dy, -sin * dx + cos * dy, r);
        x[base + i * SIDE + j] = Math.min(1, Math.max(0, 0.5 - d));
      }
    }
  }
  return {
    name: 'shapes',
    kind: 'image',
    shape: [SIDE, SIDE, 1],
    count,
    x,
    labels,
    numClasses: 3,
    classNames: SHAPE_NAMES,
    factors: { names: SHAPE_FACTORS, values },
  };
}
