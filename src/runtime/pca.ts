/** Top two principal components by power iteration (dim is small: latent sizes). */
export function pca2(x: Float32Array, n: number, dim: number): { mean: Float32Array; basis: Float32Array; explained: number } {
  const mean = new Float32Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += x[i * dim + d] / n;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < dim; a++) {
      const va = x[i * dim + a] - mean[a];
      for (let b = a; b < dim; b++) cov[a * dim + b] += (va * (x[i * dim + b] - mean[b])) / Math.max(1, n - 1);
    }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a];
  let trace = 0;
  for (let a = 0; a < dim; a++) trace += cov[a * dim + a];
  const basis = new Float32Array(2 * dim);
  let explainedSum = 0;
  for (let k = 0; k < 2; k++) {
    let v = new Float64Array(dim).map((_, i) => 1 + ((i * 7 + k * 3) % 5) * 0.1);
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) w[a] += cov[a * dim + b] * v[b];
      const norm = Math.hypot(...w) || 1;
      lambda = norm;
      v = w.map((e) => e / norm);
    }
    basis.set(Array.from(v), k * dim);
    explainedSum += lambda;
    // Deflate so the next pass finds the next component.
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] -= lambda * v[a] * v[b];
  }
  return { mean, basis, explained: trace > 0 ? explainedSum / trace : 0 };
}

/** n × 2 map coordinates of n × dim latents: the latents themselves up to 2-D, else their first two principal components. */
export function latentPoints(
  latents: Float32Array,
  n: number,
  dim: number,
): { points: Float32Array; mean: Float32Array | null; basis: Float32Array | null; explained: number | null } {
  const points = new Float32Array(n * 2);
  if (dim <= 2) {
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) points[i * 2 + d] = latents[i * dim + d];
    return { points, mean: null, basis: null, explained: null };
  }
  const { mean, basis, explained } = pca2(latents, n, dim);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (latents[i * dim + d] - mean[d]) * basis[k * dim + d];
      points[i * 2 + k] = s;
    }
  return { points, mean, basis, explained };
}
