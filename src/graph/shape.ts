/**
 * Tensor shapes as the editor and compiler see them. The leading batch
 * dimension is symbolic (BATCH) so one graph serves every batch size and mode.
 */
export const BATCH = -1;
export type Shape = readonly number[];

/** `B×28×28×1`, or `128×28×28×1` when the batch size is known. */
export function formatShape(shape: Shape, batchSize?: number): string {
  if (shape.length === 0) return 'scalar';
  return shape.map((d) => (d === BATCH ? (batchSize !== undefined ? String(batchSize) : 'B') : String(d))).join('×');
}

/** Number of values per example (every dimension but the batch). */
export function exampleSize(shape: Shape): number {
  return shape.reduce((n, d) => (d === BATCH ? n : n * d), 1);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
