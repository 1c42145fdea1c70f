/**
 * Scores read off a frozen classifier's class probabilities p(y|x) (n rows × C
 * classes, row-major): the mode-collapse indicators and conditioning accuracy.
 */

/**
 * MNIST score, the Inception score (Salimans et al. 2016) with our classifier:
 * exp(E_x KL(p(y|x) ‖ p(y))), p(y) the mean of p(y|x) over the n samples, in one
 * split over all n (no 10-split average). It lies in [1, C]: C for confident
 * predictions spread evenly over C classes, 1 when every sample gets the same
 * distribution. Terms with p(y|x) = 0 contribute 0 (x log x → 0).
 */
export function mnistScore(probs: Float32Array | Float64Array, n: number, C: number): number {
  checkShape(probs, n, C, 'mnistScore');
  const marginal = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) marginal[c] += probs[i * C + c] / n;
  let kl = 0;
  for (let i = 0; i < n; i++)
    for (let c = 0; c < C; c++) {
      const p = probs[i * C + c];
      if (p > 0) kl += p * Math.log(p / marginal[c]);
    }
  return Math.exp(kl / n);
}

/**
 * The classifier's mean confidence, E_x max_y p(y|x): how sure it is, on average, which digit each sample is.
 * Near 1 for clear digits, 1/C for a sample that looks like no digit in particular. Issue 17's "recognisable"
 * threshold is 0.8 (real test digits score ≈ 0.99 with our classifier).
 */
export function meanMaxProbability(probs: Float32Array | Float64Array, n: number, C: number): number {
  checkShape(probs, n, C, 'meanMaxProbability');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 0; c < C; c++) best = Math.max(best, probs[i * C + c]);
    sum += best;
  }
  return sum / n;
}

/** The classifier's decision (argmax of each row; the first on ties). */
export function argmaxRows(probs: Float32Array | Float64Array, n: number, C: number): Int32Array {
  checkShape(probs, n, C, 'argmaxRows');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[i * C + c] > probs[i * C + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** A class is missing when it gets less than this fraction of the uniform share 1/C (so < 1 % of samples for C = 10). */
export const MISSING_CLASS_FRACTION = 0.1;

export interface ClassHistogram {
  counts: Int32Array;
  /** counts / n. */
  fractions: Float64Array;
  /** Shannon entropy of `fractions`, nats. */
  entropy: number;
  /** entropy / ln C: 1 for a uniform spread, 0 for a single class. */
  entropyFraction: number;
  /** Classes with fraction < MISSING_CLASS_FRACTION / C, ascending. */
  missing: number[];
}

/** Histogram of predicted classes (e.g. from argmaxRows) over C classes: the mode-collapse indicator. */
export function classHistogram(labels: ArrayLike<number>, C: number): ClassHistogram {
  const n = labels.length;
  if (n === 0) throw new Error('classHistogram: no samples');
  const counts = new Int32Array(C);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= C) throw new Error(`classHistogram: label ${y} at ${i} is outside 0..${C - 1}`);
    counts[y]++;
  }
  const fractions = Float64Array.from(counts, (c) => c / n);
  let entropy = 0;
  for (const f of fractions) if (f > 0) entropy -= f * Math.log(f);
  const missing: number[] = [];
  fractions.forEach((f, c) => {
    if (f < MISSING_CLASS_FRACTION / C) missing.push(c);
  });
  return { counts, fractions, entropy, entropyFraction: C > 1 ? entropy / Math.log(C) : 0, missing };
}

/** Fraction of samples whose predicted class (argmax) equals the class the generator was asked for. */
export function conditioningAccuracy(probs: Float32Array | Float64Array, n: number, C: number, requested: ArrayLike<number>): number {
  if (requested.length !== n) throw new Error(`conditioningAccuracy: ${n} samples but ${requested.length} requested classes`);
  if (n === 0) throw new Error('conditioningAccuracy: no samples');
  const predicted = argmaxRows(probs, n, C);
  let hits = 0;
  for (let i = 0; i < n; i++) if (predicted[i] === requested[i]) hits++;
  return hits / n;
}

function checkShape(probs: Float32Array | Float64Array, n: number, C: number, what: string) {
  if (n < 1 || C < 1 || probs.length !== n * C)
    throw new Error(`${what}: ${n} × ${C} probabilities need ${n * C} values, got ${probs.length}`);
}
