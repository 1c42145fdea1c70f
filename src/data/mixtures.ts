import { createRng, type Rng } from '../graph/random.js';
import { DataError } from './errors.js';
import type { DataSet } from './types.js';

export type MixtureKind = 'ring' | 'grid' | 'spiral' | 'moons';

interface Mixture {
  components: number;
  /** One point of component `c`, written into out[0], out[1]. */
  sample(c: number, rng: Rng, out: Float64Array): void;
}

// Small, well separated modes make mode collapse visible in a GAN's samples.
const MIXTURES: Record<MixtureKind, Mixture> = {
  // 8 Gaussians on a circle of radius 2 (the unrolled-GAN toy set).
  ring: {
    components: 8,
    sample(c, rng, out) {
      const a = (2 * Math.PI * c) / 8;
      out[0] = 2 * Math.cos(a) + 0.05 * rng.normal();
      out[1] = 2 * Math.sin(a) + 0.05 * rng.normal();
    },
  },
  // 5×5 Gaussians at {-2,-1,0,1,2}².
  grid: {
    components: 25,
    sample(c, rng, out) {
      out[0] = (c % 5) - 2 + 0.05 * rng.normal();
      out[1] = Math.floor(c / 5) - 2 + 0.05 * rng.normal();
    },
  },
  // Two interleaved arms, one turn and a half each, radius up to 2.
  spiral: {
    components: 2,
    sample(c, rng, out) {
      const t = Math.sqrt(rng.next()); // uniform density along the arm's area
      const a = t * 3 * Math.PI + c * Math.PI;
      out[0] = 2 * t * Math.cos(a) + 0.04 * rng.normal();
      out[1] = 2 * t * Math.sin(a) + 0.04 * rng.normal();
    },
  },
  // Two interleaving half circles (as sklearn's make_moons), centred on 0.
  moons: {
    components: 2,
    sample(c, rng, out) {
      const a = Math.PI * rng.next();
      out[0] = (c === 0 ? Math.cos(a) : 1 - Math.cos(a)) - 0.5 + 0.05 * rng.normal();
      out[1] = (c === 0 ? Math.sin(a) : 0.5 - Math.sin(a)) - 0.25 + 0.05 * rng.normal();
    },
  },
};

export const MIXTURE_KINDS = Object.keys(MIXTURES) as MixtureKind[];

/**
 * `count` 2-D points from a named mixture, labelled by component. Components are
 * taken in turn (i mod K), so classes are balanced to within one point.
 */
export function makeMixture2D(kind: MixtureKind, count: number, seed: number): DataSet {
  const mix = MIXTURES[kind];
  if (!mix) throw new DataError(String(kind), `unknown 2-D mixture; choose one of ${MIXTURE_KINDS.join(', ')}`);
  const rng = createRng(seed);
  const x = new Float32Array(count * 2);
  const labels = new Uint8Array(count);
  const p = new Float64Array(2);
  for (let i = 0; i < count; i++) {
    const c = i % mix.components;
    mix.sample(c, rng, p);
    x[2 * i] = p[0];
    x[2 * i + 1] = p[1];
    labels[i] = c;
  }
  return { name: kind, kind: 'points', shape: [2], count, x, labels, numClasses: mix.components };
}

/** Points the user drew on the canvas, as an unlabelled 2-D data set. */
export function pointsDataSet(points: [number, number][], name = 'hand-drawn'): DataSet {
  const x = new Float32Array(points.length * 2);
  points.forEach(([px, py], i) => {
    x[2 * i] = px;
    x[2 * i + 1] = py;
  });
  return { name, kind: 'points', shape: [2], count: points.length, x, numClasses: 0 };
}
