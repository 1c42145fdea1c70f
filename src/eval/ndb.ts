/**
 * NDB, the number of statistically different bins (Richardson & Weiss 2018, "On
 * GANs and GMMs", NeurIPS). The real samples are split into K = 100 bins by
 * k-means (k-means++ seeding, Arthur & Vassilvitskii 2007, then Lloyd
 * iterations); every query sample joins its nearest centre. Per bin, a
 * two-proportion z-test compares the real and query shares,
 *
 *   p = (n₁p₁ + n₂p₂)/(n₁ + n₂),  z = (p₁ − p₂) / √(p(1 − p)(1/n₁ + 1/n₂)),
 *
 * and the bin differs when the two-sided p-value is below α = 0.05 (|z| > 1.95996).
 * Also reported: the Jensen–Shannon divergence of the two bin histograms, in
 * nats (ln; at most ln 2). Under the null about α·K = 5 bins differ by chance,
 * which is why the floor (train vs test ≈ 4 of 100 in the paper) matters.
 *
 * Fit the bins once (`fitNdbBins`) and compare both the floor set and the samples
 * against them (`ndbCompare`), so both numbers share one partition.
 */
import { createRng } from '../graph/random';
import { forEachDistanceBlock, pairwiseSqDistJs, type Matrix, type PairwiseSqDist } from './matrix';

export interface KMeansOptions {
  seed?: number;
  /** Lloyd iterations at most (default 100). */
  maxIter?: number;
  /** Stop when the summed squared centre shift ≤ tol × the mean per-feature variance (scikit-learn's rule; default 1e-4). */
  tol?: number;
  pairwiseSqDist?: PairwiseSqDist;
}

export interface KMeans {
  /** k × d row-major. */
  centroids: Matrix;
  /** Bin of each input row. */
  assignment: Int32Array;
  iterations: number;
  converged: boolean;
}

/** Index of the nearest row of `centres` for every row of `x`, and that squared distance. */
export function nearestCentre(
  x: Matrix,
  centres: Matrix,
  dist: PairwiseSqDist = pairwiseSqDistJs,
): { index: Int32Array; sqDist: Float32Array } {
  const k = centres.rows;
  const index = new Int32Array(x.rows);
  const sqDist = new Float32Array(x.rows);
  forEachDistanceBlock(x, centres, dist, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (block[r * k + c] < block[r * k + best]) best = c;
      index[start + r] = best;
      sqDist[start + r] = block[r * k + best];
    }
  });
  return { index, sqDist };
}

export function kmeans(x: Matrix, k: number, options: KMeansOptions = {}): KMeans {
  const { rows: n, cols: d, data } = x;
  const dist = options.pairwiseSqDist ?? pairwiseSqDistJs;
  const maxIter = options.maxIter ?? 100;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`kmeans: need 1 ≤ k ≤ n = ${n}, got k = ${k}`);
  const rng = createRng(options.seed ?? 0);
  const C = new Float64Array(k * d);
  const centroids: Matrix = { rows: k, cols: d, data: C };
  const setCentre = (c: number, row: number) => C.set(data.subarray(row * d, row * d + d), c * d);

  // k-means++: each next centre is a point drawn with probability ∝ its squared distance to the nearest centre so far.
  setCentre(0, rng.int(n));
  const minSq = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    const fromLast = dist(x, { rows: 1, cols: d, data: C.subarray((c - 1) * d, c * d) });
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (fromLast[i] < minSq[i]) minSq[i] = fromLast[i];
      total += minSq[i];
    }
    let pick = n - 1;
    if (total > 0) {
      let u = rng.next() * total;
      for (let i = 0; i < n; i++)
        if ((u -= minSq[i]) < 0) {
          pick = i;
          break;
        }
    } else pick = rng.int(n); // every point already sits on a centre: duplicates, any choice is as good
    setCentre(c, pick);
  }

  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) variance += (data[i * d + j] - mean[j]) ** 2;
  const tol = (options.tol ?? 1e-4) * (variance / (n * d));

  let assignment: Int32Array = new Int32Array(n);
  let iterations = 0;
  let converged = false;
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  while (iterations < maxIter && !converged) {
    iterations++;
    const near = nearestCentre(x, centroids, dist);
    assignment = near.index;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i];
      counts[c]++;
      for (let j = 0; j < d; j++) sums[c * d + j] += data[i * d + j];
    }
    let shift = 0;
    const taken = new Uint8Array(n);
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty bin takes the point worst served by its centre (as scikit-learn does), so K bins stay K.
        let far = -1;
        for (let i = 0; i < n; i++) if (!taken[i] && (far < 0 || near.sqDist[i] > near.sqDist[far])) far = i;
        taken[far] = 1;
        for (let j = 0; j < d; j++) shift += (data[far * d + j] - C[c * d + j]) ** 2;
        setCentre(c, far);
        continue;
      }
      for (let j = 0; j < d; j++) {
        const v = sums[c * d + j] / counts[c];
        shift += (v - C[c * d + j]) ** 2;
        C[c * d + j] = v;
      }
    }
    // Unchanged assignments give a shift of exactly 0, so this also stops at a fixed point.
    converged = shift <= tol;
  }
  return { centroids, assignment, iterations, converged };
}

export interface NdbBins {
  centroids: Matrix;
  /** Share of the real samples in each bin. */
  proportions: Float64Array;
  n: number;
  iterations: number;
  converged: boolean;
}

export interface NdbOptions extends KMeansOptions {
  /** Number of bins (default 100, as in the paper). */
  bins?: number;
}

export function fitNdbBins(real: Matrix, options: NdbOptions = {}): NdbBins {
  const km = kmeans(real, options.bins ?? 100, options);
  const proportions = new Float64Array(km.centroids.rows);
  for (const c of km.assignment) proportions[c]++;
  for (let b = 0; b < proportions.length; b++) proportions[b] /= real.rows;
  return { centroids: km.centroids, proportions, n: real.rows, iterations: km.iterations, converged: km.converged };
}

export interface NdbResult {
  /** Bins whose real and query shares differ at level α. */
  different: number;
  bins: number;
  /** JS divergence of the two bin histograms, nats. */
  js: number;
  /** Per bin: 1 where the difference is significant. */
  significant: Uint8Array;
  queryProportions: Float64Array;
  realProportions: Float64Array;
  alpha: number;
}

/** Two-sided critical value of the standard normal at α = 0.05. */
const Z_CRIT_05 = 1.959963984540054;

export function ndbCompare(bins: NdbBins, query: Matrix, pairwiseSqDist: PairwiseSqDist = pairwiseSqDistJs): NdbResult {
  const K = bins.centroids.rows;
  const n1 = bins.n;
  const n2 = query.rows;
  const q = new Float64Array(K);
  for (const c of nearestCentre(query, bins.centroids, pairwiseSqDist).index) q[c]++;
  for (let b = 0; b < K; b++) q[b] /= n2;
  const significant = new Uint8Array(K);
  let different = 0;
  let js = 0;
  for (let b = 0; b < K; b++) {
    const p1 = bins.proportions[b];
    const p2 = q[b];
    const p = (p1 * n1 + p2 * n2) / (n1 + n2);
    const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
    // se = 0 only when the bin is empty in both sets (or holds everything in both): no difference to test.
    if (se > 0 && Math.abs(p1 - p2) / se > Z_CRIT_05) {
      significant[b] = 1;
      different++;
    }
    const m = (p1 + p2) / 2;
    if (p1 > 0) js += 0.5 * p1 * Math.log(p1 / m);
    if (p2 > 0) js += 0.5 * p2 * Math.log(p2 / m);
  }
  return { different, bins: K, js, significant, queryProportions: q, realProportions: bins.proportions, alpha: 0.05 };
}

/** fitNdbBins on `real`, then ndbCompare of `query`. Its floor is ndb(realTrain, realTest). */
export function ndb(real: Matrix, query: Matrix, options: NdbOptions = {}): NdbResult {
  return ndbCompare(fitNdbBins(real, options), query, options.pairwiseSqDist);
}
