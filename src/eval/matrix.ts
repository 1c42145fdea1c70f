/**
 * The one data type of src/eval: a dense row-major matrix of n rows (samples) ×
 * d columns (features), plus the injectable pairwise-distance kernel every
 * nearest-neighbour metric is built on.
 *
 * The metrics take the kernel as a parameter because it is ~all of their cost
 * (10k × 10k × 100 multiply-adds for precision/recall): the pure-JS default keeps
 * this layer testable in Node, and the runtime passes a TF.js GEMM-backed one.
 */
export interface Matrix {
  rows: number;
  cols: number;
  /** rows × cols values, row-major. */
  data: Float32Array | Float64Array;
}

/** Squared Euclidean distances between every row of `a` and every row of `b`, row-major |a| × |b|, each ≥ 0. */
export type PairwiseSqDist = (a: Matrix, b: Matrix) => Float32Array;

export function matrix(rows: number, cols: number, data: Float32Array | Float64Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 1)
    throw new Error(`matrix: need integer rows ≥ 0 and cols ≥ 1, got ${rows} × ${cols}`);
  if (data.length !== rows * cols) throw new Error(`matrix: ${rows} × ${cols} needs ${rows * cols} values, got ${data.length}`);
  return { rows, cols, data };
}

/** Rows [start, end) of `m` as a view (no copy). */
export function rowBlock(m: Matrix, start: number, end: number): Matrix {
  return { rows: end - start, cols: m.cols, data: m.data.subarray(start * m.cols, end * m.cols) };
}

function rowSqNorms(m: Matrix): Float64Array {
  const { rows, cols, data } = m;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = i * cols, e = k + cols; k < e; k++) s += data[k] * data[k];
    out[i] = s;
  }
  return out;
}

/** Rows of `b` per tile: 64 rows of d ≈ 100 features stay in L1 while a block of `a` rows passes over them. */
const TILE = 64;

/**
 * Pure-JS kernel: ‖a‖² + ‖b‖² − 2 a·b, the same formula a GEMM-backed kernel uses
 * (so both round alike), clamped at 0 because cancellation can leave −1e-7 for
 * (near-)identical rows. Accumulates in float64. Four rows of `a` share each load
 * of a `b` row (register blocking, ~2× over one row at a time), and `b` is tiled
 * for cache reuse.
 */
export const pairwiseSqDistJs: PairwiseSqDist = (a, b) => {
  if (a.cols !== b.cols) throw new Error(`pairwiseSqDist: ${a.cols} vs ${b.cols} columns`);
  const d = a.cols;
  const m = b.rows;
  const na = rowSqNorms(a);
  const nb = rowSqNorms(b);
  const A = a.data;
  const B = b.data;
  const out = new Float32Array(a.rows * m);
  const put = (i: number, j: number, dot: number) => {
    const v = na[i] + nb[j] - 2 * dot;
    out[i * m + j] = v > 0 ? v : 0;
  };
  const rows4 = a.rows - (a.rows % 4);
  for (let j0 = 0; j0 < m; j0 += TILE) {
    const j1 = Math.min(m, j0 + TILE);
    for (let i = 0; i < rows4; i += 4) {
      const a0 = i * d;
      const a1 = a0 + d;
      const a2 = a1 + d;
      const a3 = a2 + d;
      for (let j = j0; j < j1; j++) {
        const bj = j * d;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = 0; k < d; k++) {
          const v = B[bj + k];
          s0 += A[a0 + k] * v;
          s1 += A[a1 + k] * v;
          s2 += A[a2 + k] * v;
          s3 += A[a3 + k] * v;
        }
        put(i, j, s0);
        put(i + 1, j, s1);
        put(i + 2, j, s2);
        put(i + 3, j, s3);
      }
    }
    for (let i = rows4; i < a.rows; i++)
      for (let j = j0; j < j1; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += A[i * d + k] * B[j * d + k];
        put(i, j, s);
      }
  }
  return out;
};

/** Distance entries per kernel call: 2^22 float32 = 16 MB, so 10k × 10k never lives at once (400 MB). */
const BLOCK_ENTRIES = 1 << 22;

/**
 * Calls `visit(start, rows, dist)` for consecutive row blocks of `a`, where
 * `dist` is the |rows| × |b| block of squared distances from `dist(block, b)`.
 */
export function forEachDistanceBlock(
  a: Matrix,
  b: Matrix,
  dist: PairwiseSqDist,
  visit: (start: number, rows: number, block: Float32Array) => void,
): void {
  const step = Math.max(1, Math.floor(BLOCK_ENTRIES / Math.max(1, b.rows)));
  for (let start = 0; start < a.rows; start += step) {
    const end = Math.min(a.rows, start + step);
    const block = dist(rowBlock(a, start, end), b);
    if (block.length !== (end - start) * b.rows)
      throw new Error(`pairwiseSqDist returned ${block.length} values for ${end - start} × ${b.rows}`);
    visit(start, end - start, block);
  }
}

/**
 * The upper triangle of `dist(x, x)` in row blocks, for symmetric questions
 * (k-NN within a set, closest pairs) at half the cost of the full square:
 * `visit(start, rows, block, width)` gets rows [start, start + rows) against rows
 * [start, n), so block[r * width + c] is the squared distance between rows
 * start + r and start + c (entries with c ≤ r repeat or are the diagonal).
 */
export function forEachTriangleBlock(
  x: Matrix,
  dist: PairwiseSqDist,
  visit: (start: number, rows: number, block: Float32Array, width: number) => void,
): void {
  const n = x.rows;
  for (let start = 0; start < n;) {
    const width = n - start;
    const end = Math.min(n, start + Math.max(1, Math.floor(BLOCK_ENTRIES / width)));
    const block = dist(rowBlock(x, start, end), rowBlock(x, start, n));
    if (block.length !== (end - start) * width)
      throw new Error(`pairwiseSqDist returned ${block.length} values for ${end - start} × ${width}`);
    visit(start, end - start, block, width);
    start = end;
  }
}
