/**
 * GAN Lab's 2-D playground, for any graph whose data are 2-D points: the real
 * and generated points, the critic's opinion of the plane, the generator's
 * manifold (a grid of z pushed through it), the direction the generator's loss
 * pushes each generated point (−∂L_G/∂x, by TF.js gradients through the
 * critic), the encoder's posterior over the data for a 2-D latent, and the
 * grid KL/JS of the generated points beside its floor. Everything is found
 * through the plan's capabilities, never by node or port names, and every
 * tensor op runs inside CompiledModel.compute's tidy.
 */
import type { OptimizerPlan, Plan, PortRef } from '../compiler/plan';
import { NATS_PER_EXAMPLE } from '../compiler/modes';
import { upstreamOf } from '../compiler/upstream';
import type { DataSet } from '../data/types';
import { gridDivergence, matrix } from '../eval/index';
import { createRng } from '../graph/random';
import { flowLogDensity, invertFlowLayers } from './flowRuntime';
import * as tf from './tf';
import type { Batch } from './model';
import { PREVIEW_COUNTER } from './sampling';
import type { SessionModel } from './workspace';
import { oneHotRows } from '../data/batcher';

/**
 * A read of the model through the backend's guard, with the random stream at
 * `counter` (Views.view): each model call makes its draws before it reads, so
 * each goes through one of these and none perturbs training.
 */
export type ModelView = <T>(read: (model: SessionModel) => T | Promise<T>, counter?: number) => Promise<T>;

/** [x0, x1, y0, y1] in data coordinates. */
export type Bounds = [number, number, number, number];

export interface Playground2d {
  /** The training step these were computed at. */
  step: number;
  /** The square frame every layer is drawn in: the real points' extent, widened (within limits) to hold the generated ones. */
  bounds: Bounds;
  /** Up to n of the points the model trains on (a fixed random subset). */
  real: Float32Array;
  /** n prior samples, drawn with the same noise every time, so each point can be followed from step to step. */
  fake: Float32Array;
  /**
   * Over a size × size grid (row 0 at the top): the critic, D(x) = σ(logit) for a cross-entropy critic, else its
   * raw score; or a flow's density p(x).
   */
  heatmap: null | { size: number; values: Float32Array; meaning: 'probability' | 'score' | 'density' };
  /**
   * −∂ℓ/∂x at each generated point for the generator's optimizer (its id): the way its loss pushes that sample.
   * The loss is a batch mean, so this is n·∂L/∂xᵢ, sample i's own gradient.
   */
  arrows: null | { optimizer: string; vectors: Float32Array };
  /**
   * The generator's image of a grid in noise space: `lines` lines along each of two noise dims (`dims`), `perLine`
   * points each, first those along dims[0]; the other latentSize − 2 dims are held at their median prior draw.
   */
  manifold: null | {
    dims: [number, number];
    latentSize: number;
    lines: number;
    perLine: number;
    ranges: [number, number][];
    points: Float32Array;
    /**
     * A flow's grid after each layer, run backwards from z (stage 0, the prior's grid) through each layer's
     * inverse to the data (the last stage, equal to `points`); `undone` names, for each stage, the document node
     * whose layer was just undone (null for z).
     */
    stages?: { undone: (string | null)[]; points: Float32Array[] };
  };
  /** A 2-D latent's posterior q(z|x) over up to n real points: means and standard deviations, n × 2 each. */
  posterior: null | { mean: Float32Array; sd: Float32Array; labels: Uint8Array | null };
  /** Grid KL/JS (GAN Lab's evaluator, nats) of the generated points vs real ones, and the same between two real sets: the floor. */
  divergence: null | { kl: number; js: number; klFloor: number; jsFloor: number; n: number };
}

/** Heatmap resolution: fine enough to see the critic's boundary, cheap enough to refresh while training. */
const HEATMAP_SIZE = 40;
/** Lines per noise dim and points per line of the manifold grid. */
const MANIFOLD_LINES = 11;
const MANIFOLD_PER_LINE = 41;
/** The manifold spans the central 96% of the prior's draws along each of its two dims. */
const MANIFOLD_QUANTILES: [number, number] = [0.02, 0.98];
/** Prior draws used to find those quantiles and the held dims' medians. */
const PRIOR_DRAWS = 500;
/** The prior draws that place the manifold grid: a stream of their own, apart from the previews'. */
const MANIFOLD_COUNTER = PREVIEW_COUNTER + 500_000;
/** How much margin the frame leaves around the real points, and how far past them it may grow for stray generated points. */
const FRAME_PAD = 0.3;
const FRAME_MAX_GROWTH = 2;

function shuffled(count: number, seed: number): number[] {
  const rng = createRng(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function pick(ds: DataSet, idx: number[]): { x: Float32Array; labels: Uint8Array | null } {
  const x = new Float32Array(idx.length * 2);
  idx.forEach((j, i) => x.set(ds.x.subarray(j * 2, j * 2 + 2), i * 2));
  return { x, labels: ds.labels ? Uint8Array.from(idx, (j) => ds.labels![j]) : null };
}

/** A fixed random subset: a stride would alias with sets whose components take turns (i mod K). */
const shownReal = (ds: DataSet, n: number, seed: number) => pick(ds, shuffled(ds.count, seed).slice(0, n));

function extent(xy: Float32Array): Bounds | null {
  const b: Bounds = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i + 1 < xy.length; i += 2) {
    if (!Number.isFinite(xy[i]) || !Number.isFinite(xy[i + 1])) continue;
    b[0] = Math.min(b[0], xy[i]);
    b[1] = Math.max(b[1], xy[i]);
    b[2] = Math.min(b[2], xy[i + 1]);
    b[3] = Math.max(b[3], xy[i + 1]);
  }
  return b[0] <= b[1] ? b : null;
}

/** A square frame around the real points that also holds the generated ones, up to FRAME_MAX_GROWTH times wider. */
export function frameFor(real: Float32Array, fake: Float32Array): Bounds {
  const r = extent(real) ?? [-1, 1, -1, 1];
  const cx = (r[0] + r[1]) / 2;
  const cy = (r[2] + r[3]) / 2;
  const base = (Math.max(r[1] - r[0], r[3] - r[2], 1e-3) / 2) * (1 + FRAME_PAD);
  const f = extent(fake);
  const reach = f ? Math.max(cx - f[0], f[1] - cx, cy - f[2], f[3] - cy) * 1.05 : 0;
  const half = Math.min(Math.max(base, reach), base * FRAME_MAX_GROWTH);
  return [cx - half, cx + half, cy - half, cy + half];
}

/** The optimizers that train the critic and the generator's output (by their variables' owners). */
export function players(plan: Plan): { critic: OptimizerPlan | null; generator: OptimizerPlan | null } {
  const ownersUpstream = (ref: PortRef, mode?: 'generate') =>
    new Set([...upstreamOf(plan.byId, [ref.node], mode)].map((id) => plan.byId[id]?.weightOwner));
  const g = plan.modes.generate;
  const criticOwners = plan.critic ? ownersUpstream(plan.critic) : new Set<string>();
  const genOwners = g ? ownersUpstream(g.output, 'generate') : new Set<string>();
  const trainsAny = (o: OptimizerPlan, owners: Set<string>) => o.trains.some((t) => owners.has(t));
  return {
    critic: plan.critic ? (plan.optimizers.find((o) => trainsAny(o, criticOwners) && !trainsAny(o, genOwners)) ?? null) : null,
    generator: g ? (plan.optimizers.find((o) => trainsAny(o, genOwners) && !trainsAny(o, criticOwners)) ?? null) : null,
  };
}

/** n one-hot labels cycling through the classes, as CompiledModel.generate draws them (null when unlabelled). */
function cyclingOneHot(n: number, classes: number): Float32Array | undefined {
  return classes
    ? oneHotRows(
        Array.from({ length: n }, (_, i) => i % classes),
        classes,
      )
    : undefined;
}

/** −n·∂L_G/∂x at each generated point: the generator's loss with its output replaced by these points. */
export async function generatorArrows(view: ModelView, plan: Plan, fake: Float32Array, opt: OptimizerPlan): Promise<Float32Array> {
  const g = plan.modes.generate!;
  const n = fake.length / 2;
  const batch: Batch = { x: fake, oneHot: cyclingOneHot(n, plan.data.numClasses), size: n };
  const [vectors] = await view((m) =>
    m.compute((run) => {
      const loss = (x: tf.Tensor) => run([opt.loss], 'train', batch, { ref: g.output, value: x })(opt.loss) as tf.Scalar;
      return [
        tf
          .grad(loss)(tf.tensor2d(fake, [n, 2]))
          .mul(-n),
      ];
    }),
  );
  return vectors;
}

/** The centres of a HEATMAP_SIZE² grid over `bounds`, row 0 at the top, as a batch of points. */
function heatmapBatch(bounds: Bounds): Batch {
  const size = HEATMAP_SIZE;
  const grid = new Float32Array(size * size * 2);
  for (let j = 0; j < size; j++)
    for (let i = 0; i < size; i++) {
      grid[(j * size + i) * 2] = bounds[0] + ((i + 0.5) / size) * (bounds[1] - bounds[0]);
      grid[(j * size + i) * 2 + 1] = bounds[3] - ((j + 0.5) / size) * (bounds[3] - bounds[2]);
    }
  return { x: grid, size: size * size };
}

/** A flow's density p(x) over the heatmap grid (exact: the prior's density times the layers' Jacobians). */
async function densityGrid(view: ModelView, bounds: Bounds): Promise<Playground2d['heatmap']> {
  const logP = await view((m) => flowLogDensity(m, heatmapBatch(bounds)));
  return { size: HEATMAP_SIZE, values: logP.map(Math.exp), meaning: 'density' };
}

/** The critic's output over a grid covering `bounds`, its rows from the top. */
async function criticGrid(view: ModelView, critic: PortRef, bounds: Bounds, logits: boolean) {
  const size = HEATMAP_SIZE;
  const batch = heatmapBatch(bounds);
  const [values] = await view((m) =>
    m.compute((run) => {
      const out = run([critic], 'train', batch)(critic).reshape([-1]);
      return [logits ? tf.sigmoid(out) : out.clone()];
    }),
  );
  return { size, values, meaning: logits ? ('probability' as const) : ('score' as const) };
}

const quantile = (sorted: Float32Array, q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];

/** The latent grid for the manifold: two noise dims over their prior's central range, the rest at their medians. */
export async function manifoldGrid(view: ModelView, plan: Plan): Promise<Playground2d['manifold']> {
  const dec = plan.modes.decode;
  if (!dec || dec.latentSize < 1) return null;
  const d = dec.latentSize;
  const n = PRIOR_DRAWS;
  const zeros: Batch = { x: new Float32Array(n * 2), oneHot: cyclingOneHot(n, plan.data.numClasses), size: n };
  // A flow's prior is N(0, I) itself: its draws come from no node's forward pass.
  const [draws] = await view(
    (m) =>
      m.compute((run) => [
        plan.flow
          ? tf.randomNormal([n, d], 0, 1, 'float32', MANIFOLD_COUNTER)
          : run([dec.latent], 'generate', zeros)(dec.latent).reshape([n, d]).clone(),
      ]),
    MANIFOLD_COUNTER,
  );
  const ranges: [number, number][] = [];
  const medians: number[] = [];
  for (let k = 0; k < d; k++) {
    const col = new Float32Array(n);
    for (let i = 0; i < n; i++) col[i] = draws[i * d + k];
    col.sort();
    ranges.push([quantile(col, MANIFOLD_QUANTILES[0]), quantile(col, MANIFOLD_QUANTILES[1])]);
    medians.push(quantile(col, 0.5));
  }
  // One noise dim draws a curve, not a sheet: its "grid" is the line itself.
  const dims: [number, number] = [0, Math.min(1, d - 1)];
  const L = d > 1 ? MANIFOLD_LINES : 1;
  const M = MANIFOLD_PER_LINE;
  const count = (d > 1 ? 2 : 1) * L * M;
  const latents = new Float32Array(count * d);
  const at = (r: [number, number], t: number) => r[0] + t * (r[1] - r[0]);
  let p = 0;
  for (let dir = 0; dir < (d > 1 ? 2 : 1); dir++)
    for (let l = 0; l < L; l++)
      for (let m = 0; m < M; m++, p++) {
        for (let k = 0; k < d; k++) latents[p * d + k] = medians[k];
        const along = dims[dir];
        const across = dims[1 - dir];
        latents[p * d + along] = at(ranges[along], m / (M - 1));
        if (d > 1) latents[p * d + across] = at(ranges[across], L > 1 ? l / (L - 1) : 0.5);
      }
  const points = await view((m) => m.decode(latents, count));
  const grid = { dims, latentSize: d, lines: L, perLine: M, ranges: dims.map((k) => ranges[k]) as [number, number][], points };
  if (!plan.flow) return grid;
  const stages = await view((m) => invertFlowLayers(m, latents, count));
  const undone = [null, ...[...plan.flow.chain].reverse().map((id) => plan.byId[id].docId)];
  return { ...grid, stages: { undone, points: stages } };
}

/** A 2-D latent's posterior means and standard deviations over `real` (encode mode: no sampling). */
async function posteriorOver(
  view: ModelView,
  plan: Plan,
  real: Float32Array,
  labels: Uint8Array | null,
): Promise<Playground2d['posterior']> {
  const q = plan.posterior;
  if (!q?.logVar || plan.modes.encode?.latentSize !== 2) return null;
  const logVar = q.logVar;
  const n = real.length / 2;
  const batch: Batch = { x: real, oneHot: cyclingOneHot(n, plan.data.numClasses), size: n };
  const [mean, sd] = await view((m) =>
    m.compute((run) => {
      const values = run([q.mean, logVar], 'encode', batch);
      return [values(q.mean).reshape([n, 2]).clone(), tf.exp(values(logVar).reshape([n, 2]).mul(0.5))];
    }),
  );
  return { mean, sd, labels };
}

/**
 * Two real sets of m points to judge generated points by, as the Metrics view
 * does: the held-out split against the training split when they differ, else
 * two random halves of the one set (drawn or uploaded points).
 */
export function realReference(
  train: DataSet,
  test: DataSet,
  n: number,
  seed: number,
): { ref: Float32Array; floor: Float32Array; n: number } {
  if (train.x !== test.x) {
    const m = Math.min(n, train.count, test.count);
    return {
      ref: pick(test, shuffled(test.count, seed).slice(0, m)).x,
      floor: pick(train, shuffled(train.count, seed + 1).slice(0, m)).x,
      n: m,
    };
  }
  const m = Math.min(n, Math.floor(train.count / 2));
  const order = shuffled(train.count, seed);
  return { ref: pick(train, order.slice(0, m)).x, floor: pick(train, order.slice(m, 2 * m)).x, n: m };
}

/** Whether the critic's output is a logit: some loss term of the optimizer training it is a cross-entropy (counted in nats). */
function criticIsLogit(plan: Plan, opt: OptimizerPlan | null): boolean {
  return !!opt && opt.terms.some((t) => plan.lossUnits[t] === NATS_PER_EXAMPLE);
}

/** Every layer of the playground at the model's current step; the n generated points are the preview's fixed draws. */
export async function playground2d(view: ModelView, plan: Plan, data: { train: DataSet; test: DataSet }, n: number): Promise<Playground2d> {
  if (plan.data.kind !== 'points' || plan.data.shape.length !== 1 || plan.data.shape[0] !== 2)
    throw new Error(`the 2-D playground needs 2-D points; this graph's data are ${plan.data.shape.join('×')}`);
  const shown = shownReal(data.train, n, plan.seed);
  const canGenerate = !!plan.modes.generate && !plan.modes.generate.autoregressive;
  const fake = canGenerate ? await view((m) => m.generate(n)) : new Float32Array(0);
  const step = await view((m) => m.step);
  const bounds = frameFor(shown.x, fake);
  const who = players(plan);
  let divergence: Playground2d['divergence'] = null;
  if (fake.length >= 2) {
    const real = realReference(data.train, data.test, fake.length / 2, plan.seed);
    const ref = matrix(real.n, 2, real.ref);
    const grid = gridDivergence(ref, matrix(fake.length / 2, 2, fake));
    const floor = gridDivergence(ref, matrix(real.n, 2, real.floor));
    divergence = { kl: grid.kl, js: grid.js, klFloor: floor.kl, jsFloor: floor.js, n: real.n };
  }
  const logits = criticIsLogit(plan, who.critic);
  return {
    step,
    bounds,
    real: shown.x,
    fake,
    heatmap: plan.flow ? await densityGrid(view, bounds) : plan.critic ? await criticGrid(view, plan.critic, bounds, logits) : null,
    arrows:
      plan.critic && who.generator && fake.length
        ? { optimizer: who.generator.id, vectors: await generatorArrows(view, plan, fake, who.generator) }
        : null,
    manifold: canGenerate ? await manifoldGrid(view, plan) : null,
    posterior: await posteriorOver(view, plan, shown.x, shown.labels),
    divergence,
  };
}
