/**
 * Distribution distances for 2-D point sets (the playground's toy data), where
 * densities can be compared directly instead of through a classifier.
 */
import type { Matrix } from './matrix';

export interface GridDivergence {
  /** KL(real ‖ generated) of the smoothed grid histograms, nats. */
  kl: number;
  /** Jensen–Shannon divergence of the same histograms, nats (≤ ln 2). */
  js: number;
  grid: number;
  /** Fraction of generated points outside the real data's bounding box (they fill the extra cell). */
  outside: number;
}

/** Probability added to every cell before renormalising, so KL is finite where the generator leaves a cell empty (GAN Lab's 1e-4). */
export const GRID_EPSILON = 1e-4;

function check2d(m: Matrix, what: string) {
  if (m.cols !== 2 || m.rows < 1) throw new Error(`${what}: need n ≥ 1 points × 2 columns, got ${m.rows} × ${m.cols}`);
}

/**
 * GAN Lab's evaluator (Kahng et al. 2019): histograms of both sets on a G × G
 * grid over the real points' bounding box, then KL(real ‖ generated) and JS.
 * Differences from GAN Lab, for honesty: generated points outside the box count
 * in one extra cell (GAN Lab's box is the fixed unit square), cells are smoothed
 * by GRID_EPSILON then renormalised (so both are distributions and KL ≥ 0), and
 * logs are natural (GAN Lab prints bits: divide by ln 2).
 */
export function gridDivergence(real: Matrix, generated: Matrix, grid = 20): GridDivergence {
  check2d(real, 'gridDivergence');
  check2d(generated, 'gridDivergence');
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (let i = 0; i < real.rows; i++)
    for (let a = 0; a < 2; a++) {
      const v = real.data[i * 2 + a];
      if (v < lo[a]) lo[a] = v;
      if (v > hi[a]) hi[a] = v;
    }
  const cells = grid * grid;
  const cell = (x: number, a: number) => {
    const span = hi[a] - lo[a];
    // A degenerate (zero-width) axis puts everything in cell 0; the top edge belongs to the last cell.
    return span > 0 ? Math.min(grid - 1, Math.floor(((x - lo[a]) / span) * grid)) : 0;
  };
  const histogram = (m: Matrix) => {
    const h = new Float64Array(cells + 1);
    for (let i = 0; i < m.rows; i++) {
      const x = m.data[i * 2];
      const y = m.data[i * 2 + 1];
      const out = !(x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1]);
      h[out ? cells : cell(y, 1) * grid + cell(x, 0)] += 1;
    }
    const outside = h[cells] / m.rows;
    const total = m.rows + GRID_EPSILON * m.rows * h.length;
    for (let c = 0; c < h.length; c++) h[c] = (h[c] + GRID_EPSILON * m.rows) / total;
    return { h, outside };
  };
  const p = histogram(real).h;
  const { h: q, outside } = histogram(generated);
  let kl = 0;
  let js = 0;
  for (let c = 0; c < p.length; c++) {
    const m = (p[c] + q[c]) / 2;
    kl += p[c] * Math.log(p[c] / q[c]);
    js += 0.5 * p[c] * Math.log(p[c] / m) + 0.5 * q[c] * Math.log(q[c] / m);
  }
  return { kl, js, grid, outside };
}

export interface Mmd {
  /** Unbiased MMD² estimate; can be slightly negative when the distributions match. */
  mmd2: number;
  /** RBF bandwidth σ in k(a, b) = exp(−‖a − b‖² / (2σ²)). */
  bandwidth: number;
}

/** Points of the pooled sample used for the median heuristic: 1000 give ~5·10⁵ distances, plenty for a median. */
const MEDIAN_POINTS = 1000;

function sqDist2(a: Float32Array | Float64Array, i: number, b: Float32Array | Float64Array, j: number) {
  const dx = a[i * 2] - b[j * 2];
  const dy = a[i * 2 + 1] - b[j * 2 + 1];
  return dx * dx + dy * dy;
}

/**
 * Median heuristic (Gretton et al. 2012): σ = median pairwise distance of the
 * pooled sample, from an evenly strided subset of at most MEDIAN_POINTS points.
 */
export function medianBandwidth(x: Matrix, y: Matrix): number {
  const n = x.rows + y.rows;
  const stride = Math.max(1, n / MEDIAN_POINTS);
  const idx: number[] = [];
  for (let t = 0; Math.floor(t) < n; t += stride) idx.push(Math.floor(t));
  const point = (k: number): [Float32Array | Float64Array, number] => (k < x.rows ? [x.data, k] : [y.data, k - x.rows]);
  const d = new Float64Array((idx.length * (idx.length - 1)) / 2);
  let w = 0;
  for (let a = 0; a < idx.length; a++)
    for (let b = a + 1; b < idx.length; b++) d[w++] = Math.sqrt(sqDist2(...point(idx[a]), ...point(idx[b])));
  d.sort();
  const m = d.length % 2 ? d[(d.length - 1) / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
  if (!(m > 0)) throw new Error('medianBandwidth: the pooled points coincide; no bandwidth to choose');
  return m;
}

/**
 * Squared maximum mean discrepancy with an RBF kernel, unbiased estimator
 * (Gretton et al. 2012, "A Kernel Two-Sample Test", eq. 3):
 * MMD²ᵤ = mean_{i≠j} k(xᵢ, xⱼ) + mean_{i≠j} k(yᵢ, yⱼ) − 2 mean_{i,j} k(xᵢ, yⱼ).
 * O((m + n)²) kernel evaluations.
 */
export function mmd2(x: Matrix, y: Matrix, fixedBandwidth?: number): Mmd {
  check2d(x, 'mmd2');
  check2d(y, 'mmd2');
  if (x.rows < 2 || y.rows < 2) throw new Error('mmd2: the unbiased estimator needs ≥ 2 points per set');
  const bandwidth = fixedBandwidth ?? medianBandwidth(x, y);
  const g = 1 / (2 * bandwidth * bandwidth);
  const within = (m: Matrix) => {
    let s = 0;
    for (let i = 0; i < m.rows; i++) for (let j = i + 1; j < m.rows; j++) s += Math.exp(-g * sqDist2(m.data, i, m.data, j));
    return (2 * s) / (m.rows * (m.rows - 1));
  };
  let cross = 0;
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < y.rows; j++) cross += Math.exp(-g * sqDist2(x.data, i, y.data, j));
  return { mmd2: within(x) + within(y) - (2 * cross) / (x.rows * y.rows), bandwidth };
}
