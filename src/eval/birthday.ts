/**
 * Birthday-paradox support estimate (Arora & Zhang 2017, "Do GANs actually learn
 * the distribution? An empirical study"). If a batch of s samples from a
 * distribution with support N (uniform, for the argument) holds a duplicate with
 * probability ≥ 1/2, then N ≈ s² (precisely s² / (2 ln 2) by the birthday bound).
 *
 * Near-duplicates cannot be decided by a threshold, so this module only ranks
 * candidates: the closest pairs of the batch, for a person to judge side by side.
 * If they confirm a duplicate (in most batches, as the paper asks), the support
 * estimate is `supportIfDuplicate` = s²; if not, the support is likely larger than
 * s², a lower bound only.
 */
import { forEachTriangleBlock, pairwiseSqDistJs, type Matrix, type PairwiseSqDist } from './matrix';

export interface CandidatePair {
  i: number;
  j: number;
  /** Euclidean distance in the feature space the caller chose (pixels or classifier features). */
  distance: number;
}

export interface BirthdayCandidates {
  /** Batch size s. */
  s: number;
  /** Closest pairs, nearest first, i < j. */
  pairs: CandidatePair[];
  /** s²: the support size implied if a pair is a true duplicate. */
  supportIfDuplicate: number;
}

export function birthdayCandidates(samples: Matrix, options: { pairs?: number; pairwiseSqDist?: PairwiseSqDist } = {}): BirthdayCandidates {
  const s = samples.rows;
  const want = Math.min(options.pairs ?? 20, (s * (s - 1)) / 2);
  // Kept ascending by squared distance; `want` is a few dozen, so insertion beats a heap.
  const best: { i: number; j: number; sq: number }[] = [];
  forEachTriangleBlock(samples, options.pairwiseSqDist ?? pairwiseSqDistJs, (start, rows, block, width) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      for (let c = r + 1; c < width; c++) {
        const j = start + c;
        const sq = block[r * width + c];
        if (best.length === want && sq >= best[want - 1].sq) continue;
        let p = best.length;
        while (p > 0 && best[p - 1].sq > sq) p--;
        best.splice(p, 0, { i, j, sq });
        if (best.length > want) best.pop();
      }
    }
  });
  return { s, pairs: best.map(({ i, j, sq }) => ({ i, j, distance: Math.sqrt(sq) })), supportIfDuplicate: s * s };
}
