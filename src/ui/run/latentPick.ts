/**
 * What a click on the latent map means. Near a plotted example it picks that
 * example's own code (and its class), so editing a real image's code —
 * encode, change a dimension, decode — works on the real code, not on its
 * shadow in the PCA plane. Elsewhere it picks the plane point.
 */
import type { FromWorkerOf } from '../../runtime/protocol';

export type LatentMap = Pick<FromWorkerOf<'latentMap'>, 'n' | 'dim' | 'points' | 'latents' | 'labels' | 'mean' | 'basis'>;

export interface LatentPick {
  z: Float32Array;
  /** The example picked, or null for a point of the plane. */
  example: number | null;
  /** That example's class, when the data is labelled. */
  label: number | null;
}

/** The latent vector at map coordinates (x, y): the point itself in 2-D, mean + x·b0 + y·b1 for a PCA map. */
export function latentAt(map: LatentMap, x: number, y: number): Float32Array {
  const z = new Float32Array(map.dim);
  if (!map.basis || !map.mean) {
    z[0] = x;
    if (map.dim > 1) z[1] = y;
    return z;
  }
  for (let d = 0; d < map.dim; d++) z[d] = map.mean[d] + x * map.basis[d] + y * map.basis[map.dim + d];
  return z;
}

/**
 * The example nearest to (x, y) if it lies within `radius` (map units, per axis
 * scale so both axes count alike), else the plane point.
 */
export function pickLatent(map: LatentMap, x: number, y: number, radius: { x: number; y: number }): LatentPick {
  let best = -1;
  let bestDist = 1;
  for (let i = 0; i < map.n; i++) {
    const dx = (map.points[2 * i] - x) / radius.x;
    const dy = (map.points[2 * i + 1] - y) / radius.y;
    const d = dx * dx + dy * dy;
    if (d <= bestDist) {
      bestDist = d;
      best = i;
    }
  }
  if (best < 0) return { z: latentAt(map, x, y), example: null, label: null };
  return {
    z: map.latents.slice(best * map.dim, (best + 1) * map.dim),
    example: best,
    label: map.labels ? map.labels[best] : null,
  };
}
