/**
 * Area under the ROC curve of a score that should rank `positives` above
 * `negatives`, computed exactly as the Mann–Whitney statistic (Hanley & McNeil
 * 1982): AUROC = P(s₊ > s₋) + ½ P(s₊ = s₋), from mid-ranks of the pooled scores,
 * so tied scores count one half. O((m + n) log(m + n)).
 *
 * For the likelihood OOD check pass (test-digit log-likelihoods, strange-input
 * log-likelihoods): 1 means likelihood puts every digit above every strange
 * input, 0.5 is chance, and below 0.5 the strange inputs score *higher* — the
 * failure Nalisnick et al. (2019) describe.
 */
export function auroc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const m = positives.length;
  const n = negatives.length;
  if (m === 0 || n === 0) throw new Error(`auroc: need scores in both sets, got ${m} and ${n}`);
  const pooled = new Float64Array(m + n);
  for (let i = 0; i < m; i++) pooled[i] = positives[i];
  for (let j = 0; j < n; j++) pooled[m + j] = negatives[j];
  if (pooled.some((v) => Number.isNaN(v))) throw new Error('auroc: a score is NaN');
  const order = Array.from({ length: m + n }, (_, i) => i).sort((a, b) => pooled[a] - pooled[b]);
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && pooled[order[end]] === pooled[order[start]]) end++;
    const midRank = (start + 1 + end) / 2; // ranks start + 1 … end share their mean
    for (let t = start; t < end; t++) if (order[t] < m) positiveRankSum += midRank;
    start = end;
  }
  return (positiveRankSum - (m * (m + 1)) / 2) / (m * n);
}
