/**
 * Built-in "strange inputs" for the likelihood OOD check: 28×28 images in
 * [0, 1] that are not digits, made procedurally from a seed. Some are far from
 * digits (noise), some are simple (blank, constant grey) — the kind that
 * likelihood models can score *higher* than real digits (Nalisnick et al. 2019).
 */
import { createRng } from '../graph/random.js';
import { makeShapes } from './shapes.js';
import type { DataSet } from './types.js';

const SIDE = 28;
const SIZE = SIDE * SIDE;
/** How far shifted digits move off centre, in pixels. */
export const SHIFT = 8;

export interface StrangeSet {
  name: string;
  /** What the images are, for tables. */
  description: string;
  /** count × 784 values in [0, 1]. */
  x: Float32Array;
  count: number;
}

/**
 * Every strange set, `count` images each. Inverted and shifted digits are made
 * from the first `count` of `digits` (28×28 grey images, e.g. the test split).
 */
export function strangeInputs(digits: Pick<DataSet, 'x' | 'count' | 'shape'>, count: number, seed: number): StrangeSet[] {
  if (digits.shape.join('×') !== '28×28×1') throw new Error(`strange inputs need 28×28 grey digits, got ${digits.shape.join('×')}`);
  if (digits.count < count) throw new Error(`strange inputs: ${count} images asked for, but only ${digits.count} digits to make them from`);
  const rng = createRng(seed);
  const make = (name: string, description: string, pixel: (n: number, p: number) => number): StrangeSet => {
    const x = new Float32Array(count * SIZE);
    for (let n = 0; n < count; n++) for (let p = 0; p < SIZE; p++) x[n * SIZE + p] = pixel(n, p);
    return { name, description, x, count };
  };
  const greys = Array.from({ length: count }, () => 0.25 + 0.5 * rng.next());
  // One of the eight compass directions per digit (diagonals move 6 px each way, ≈ 8.5 px); what leaves the frame is lost, what enters is black.
  const moves = Array.from({ length: count }, () => {
    const a = Math.floor(rng.next() * 8) * (Math.PI / 4);
    return [Math.round(SHIFT * Math.cos(a)), Math.round(SHIFT * Math.sin(a))];
  });
  return [
    make('blank', 'all black', () => 0),
    make('grey', 'one constant grey level per image, uniform in [0.25, 0.75]', (n) => greys[n]),
    make('noise', 'every pixel uniform in [0, 1]', () => rng.next()),
    make('inverted', '1 − x of test digits', (n, p) => 1 - digits.x[n * SIZE + p]),
    { name: 'shapes', description: 'procedural squares, ellipses and triangles', x: makeShapes(count, seed ^ 0x5a17).x, count },
    make('shifted', `test digits moved ${SHIFT} px off centre`, (n, p) => {
      const [dx, dy] = moves[n];
      const i = Math.floor(p / SIDE) - dy;
      const j = (p % SIDE) - dx;
      return i >= 0 && i < SIDE && j >= 0 && j < SIDE ? digits.x[n * SIZE + i * SIDE + j] : 0;
    }),
  ];
}
