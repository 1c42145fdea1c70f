/**
 * Manifold-based fidelity and diversity from k-nearest-neighbour balls.
 *
 * Each set's manifold is the union of balls around its points, each ball's
 * radius the distance to that point's k-th nearest neighbour in its own set
 * (itself excluded).
 *
 * - Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision
 *   and Recall Metric for Assessing Generative Models", k = 3): precision is the
 *   fraction of generated points inside the real manifold (d ≤ radius), recall
 *   the fraction of real points inside the generated manifold.
 * - Density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity
 *   Metrics for Generative Models"): density = (1 / kM) Σⱼ Σᵢ 1[d(fⱼ, rᵢ) < radiusᵢ]
 *   over M generated points, which counts how many real balls hold each sample
 *   (≈ 1 for matching distributions, unbounded above); coverage = fraction of
 *   real points whose ball holds at least one generated point.
 *
 * Comparisons follow each paper's reference code (≤ for P/R, < for D/C), which
 * makes density exactly 1 when the two sets are identical.
 *
 * Cost: one n × m distance pass and two within-set passes over the upper
 * triangle only (the same work as two full passes), each in row blocks of
 * bounded size; only radii, per-row minima and counts are kept.
 */
import { forEachDistanceBlock, forEachTriangleBlock, pairwiseSqDistJs, type Matrix, type PairwiseSqDist } from './matrix';

export interface PrdcOptions {
  /** Neighbourhood size; 3 in Kynkäänniemi et al., 5 in Naeem et al. (we use 3 for all four). */
  k?: number;
  pairwiseSqDist?: PairwiseSqDist;
}

export interface Prdc {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  k: number;
  nReal: number;
  nFake: number;
}

/** Squared distance from each row of `x` to its k-th nearest other row of `x`. */
export function kthNeighbourSqDist(x: Matrix, k: number, dist: PairwiseSqDist = pairwiseSqDistJs): Float32Array {
  const n = x.rows;
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new Error(`kthNeighbourSqDist: need 1 ≤ k < n = ${n}, got k = ${k}`);
  // The k smallest distances of each row so far, ascending; insertion beats a heap for k of 3–5.
  const best = new Float64Array(n * k).fill(Infinity);
  const offer = (row: number, v: number) => {
    const o = row * k;
    if (v >= best[o + k - 1]) return;
    let p = k - 1;
    while (p > 0 && best[o + p - 1] > v) {
      best[o + p] = best[o + p - 1];
      p--;
    }
    best[o + p] = v;
  };
  // Each pair is seen once (upper triangle) and offered to both of its rows; the diagonal (self) never.
  forEachTriangleBlock(x, dist, (start, rows, block, width) => {
    for (let r = 0; r < rows; r++)
      for (let c = r + 1; c < width; c++) {
        const v = block[r * width + c];
        offer(start + r, v);
        offer(start + c, v);
      }
  });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = best[i * k + k - 1];
  return out;
}

/** Precision, recall, density and coverage of `fake` against `real`. Its floor is prdc(realA, realB). */
export function prdc(real: Matrix, fake: Matrix, options: PrdcOptions = {}): Prdc {
  const k = options.k ?? 3;
  const dist = options.pairwiseSqDist ?? pairwiseSqDistJs;
  if (real.cols !== fake.cols) throw new Error(`prdc: ${real.cols} vs ${fake.cols} features`);
  const nR = real.rows;
  const nF = fake.rows;
  const rReal = kthNeighbourSqDist(real, k, dist);
  const rFake = kthNeighbourSqDist(fake, k, dist);

  let inReal = 0;
  let ballCount = 0;
  const realInFake = new Uint8Array(nR);
  const nearestFake = new Float32Array(nR).fill(Infinity);
  forEachDistanceBlock(fake, real, dist, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const rf = rFake[start + r];
      const row = r * nR;
      let inside = false;
      for (let i = 0; i < nR; i++) {
        const v = block[row + i];
        const ri = rReal[i];
        if (v <= ri) inside = true;
        if (v < ri) ballCount++;
        if (v <= rf) realInFake[i] = 1;
        if (v < nearestFake[i]) nearestFake[i] = v;
      }
      if (inside) inReal++;
    }
  });

  let recalled = 0;
  let covered = 0;
  for (let i = 0; i < nR; i++) {
    recalled += realInFake[i];
    if (nearestFake[i] < rReal[i]) covered++;
  }
  return {
    precision: inReal / nF,
    recall: recalled / nR,
    density: ballCount / (k * nF),
    coverage: covered / nR,
    k,
    nReal: nR,
    nFake: nF,
  };
}
