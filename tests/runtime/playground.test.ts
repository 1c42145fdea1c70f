/**
 * The 2-D playground's layers (src/runtime/playground.ts) on small 2-D GANs
 * and a 2-D VAE built here, on wasm: the generator's gradient arrows point
 * toward the data once the critic has learned where the data are; the manifold
 * grid has the shape it announces; the critic's map is a probability for a
 * cross-entropy critic and a score for a Wasserstein one; a VAE gets its
 * posterior; nothing leaks a tensor; slow motion slows the run loop.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import { createBatcher } from '../../src/data/batcher';
import type { DataSet } from '../../src/data/types';
import type { GraphDocument } from '../../src/graph/document';
import { setupBackend } from '../../src/runtime/backend';
import { CompiledModel } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import { frameFor, playground2d, players, type ModelView } from '../../src/runtime/playground';
import { PREVIEW_COUNTER } from '../../src/runtime/sampling';
import * as tf from '../../src/runtime/tf';
import { sessionHarness } from './sessionHarness';

const node = (id: string, type: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  type,
  position: { x: 0, y: 0 },
  params,
  ...extra,
});
const edge = (source: string, sourcePort: string, target: string, targetPort: string) => ({
  id: `${source}.${sourcePort}-${target}.${targetPort}`,
  source,
  sourcePort,
  target,
  targetPort,
});

/** A small 2-D GAN: noise → MLP generator → critic shared between real and fake points. */
export function gan2d(o: { noise?: number; kind?: string; source?: string; drawnPoints?: string; batch?: number } = {}): GraphDocument {
  const hidden = [32, 32];
  return {
    schemaVersion: 2,
    meta: { title: 'test 2-D GAN', description: '', goals: [], seed: 3 },
    nodes: [
      node('noise', 'noise', { size: o.noise ?? 2, distribution: 'gaussian' }),
      node(
        'gen',
        'generator',
        { kind: 'mlp', hidden, outputShape: 'points2', outputActivation: 'linear', batchNorm: false },
        { label: 'G' },
      ),
      node('data', 'dataset', {
        source: o.source ?? 'ring',
        batchSize: o.batch ?? 64,
        ...(o.drawnPoints ? { drawnPoints: o.drawnPoints } : {}),
      }),
      node('dReal', 'discriminator', { kind: 'mlp', hidden }),
      node('dFake', 'discriminator', { kind: 'mlp', hidden }, { sharesWeightsWith: 'dReal' }),
      node('dLoss', 'ganLoss', { player: 'discriminator', kind: o.kind ?? 'nonSaturating' }),
      node('gLoss', 'ganLoss', { player: 'generator', kind: o.kind ?? 'nonSaturating' }),
      node(
        'optD',
        'optimizer',
        { algorithm: 'adam', learningRate: 0.005, beta1: 0.5, stepsPerRound: 1, trains: ['dReal'] },
        { label: 'D' },
      ),
      node(
        'optG',
        'optimizer',
        { algorithm: 'adam', learningRate: 0.005, beta1: 0.5, stepsPerRound: 1, trains: ['gen'] },
        { label: 'G opt' },
      ),
    ],
    edges: [
      edge('noise', 'z', 'gen', 'z'),
      edge('data', 'x', 'dReal', 'x'),
      edge('gen', 'y', 'dFake', 'x'),
      edge('dReal', 'logits', 'dLoss', 'realLogits'),
      edge('dFake', 'logits', 'dLoss', 'fakeLogits'),
      edge('dFake', 'logits', 'gLoss', 'fakeLogits'),
      edge('dLoss', 'loss', 'optD', 'loss'),
      edge('gLoss', 'loss', 'optG', 'loss'),
    ],
  } as GraphDocument;
}

/** A VAE with a 2-D latent on moons. */
function vae2d(): GraphDocument {
  return {
    schemaVersion: 2,
    meta: { title: 'test 2-D VAE', description: '', goals: [], seed: 3 },
    nodes: [
      node('data', 'dataset', { source: 'moons', batchSize: 64 }),
      node('enc', 'encoder', { kind: 'mlp', hidden: [16], latent: 2, output: 'gaussian' }),
      node('z', 'sampler', {}),
      node('dec', 'decoder', { kind: 'mlp', hidden: [16], outputShape: 'points2', outputActivation: 'linear' }),
      node('recon', 'mse', { reduction: 'sum' }),
      node('kl', 'gaussianKl', {}),
      node('elbo', 'weightedSum', { wa: 50, wb: 1 }),
      node('adam', 'optimizer', { algorithm: 'adam', learningRate: 0.001 }),
    ],
    edges: [
      edge('data', 'x', 'enc', 'x'),
      edge('enc', 'mean', 'z', 'mean'),
      edge('enc', 'logVar', 'z', 'logVar'),
      edge('z', 'z', 'dec', 'z'),
      edge('dec', 'y', 'recon', 'prediction'),
      edge('data', 'x', 'recon', 'target'),
      edge('enc', 'mean', 'kl', 'mean'),
      edge('enc', 'logVar', 'kl', 'logVar'),
      edge('recon', 'loss', 'elbo', 'a'),
      edge('kl', 'loss', 'elbo', 'b'),
      edge('elbo', 'loss', 'adam', 'loss'),
    ],
  } as GraphDocument;
}

function planOf(doc: GraphDocument): Plan {
  const r = compile(doc, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

async function setup(doc: GraphDocument) {
  const plan = planOf(doc);
  const data: DataSet = await loadPlanData(plan);
  const test: DataSet = await loadPlanData(plan, 'test');
  const model = new CompiledModel(plan);
  const batcher = createBatcher(data, plan.data.batchSize, plan.seed);
  const round = (only?: string) => model.trainRound(() => ({ ...batcher.next(), size: plan.data.batchSize }), only);
  // What Views.view does, without a backend guard: the random stream at a fixed position for each read.
  const view: ModelView = async (read, counter = PREVIEW_COUNTER) => model.withFixedRandom(counter, () => read(model));
  const layers = (n = 200) => playground2d(view, plan, { train: data, test }, n);
  return { plan, model, data, round, layers };
}

beforeAll(async () => {
  await setupBackend('wasm');
});

/** Fraction of generated points whose arrow has a positive component toward the nearest real point. */
function towardData(fake: Float32Array, arrows: Float32Array, real: Float32Array): number {
  let toward = 0;
  const n = fake.length / 2;
  for (let i = 0; i < n; i++) {
    const [x, y] = [fake[2 * i], fake[2 * i + 1]];
    let best = Infinity;
    let dir = [0, 0];
    for (let j = 0; j < real.length; j += 2) {
      const d = (real[j] - x) ** 2 + (real[j + 1] - y) ** 2;
      if (d < best) [best, dir] = [d, [real[j] - x, real[j + 1] - y]];
    }
    if (dir[0] * arrows[2 * i] + dir[1] * arrows[2 * i + 1] > 0) toward++;
  }
  return toward / n;
}

describe('2-D playground', () => {
  it('names the critic’s optimizer and the generator’s by the variables they train', () => {
    const plan = planOf(gan2d());
    const who = players(plan);
    expect([who.critic?.id, who.generator?.id]).toEqual(['optD', 'optG']);
    expect(players(planOf(vae2d())).critic).toBeNull();
  });

  it('after the critic has learned where the data are, the arrows on generated points point toward them', async () => {
    // A drawn cluster around (2, 2), away from the generator's initial blob near the origin.
    const cluster = Array.from({ length: 25 }, (_, i) => `${2 + ((i % 5) - 2) * 0.1},${2 + (Math.floor(i / 5) - 2) * 0.1}`).join(' ');
    const { model, round, layers } = await setup(gan2d({ source: 'drawn', drawnPoints: cluster }));
    // Only D trains: G stays where it started.
    for (let i = 0; i < 150; i++) round('optD');
    const l = await layers();
    expect(l.arrows?.optimizer).toBe('optG');
    const arrows = l.arrows!.vectors;
    expect(arrows.length).toBe(l.fake.length);
    expect(arrows.every(Number.isFinite)).toBe(true);
    expect(towardData(l.fake, arrows, l.real)).toBeGreaterThan(0.8);
    // Control: the same points' arrows flipped point away, so the measure can fail.
    expect(
      towardData(
        l.fake,
        arrows.map((v) => -v),
        l.real,
      ),
    ).toBeLessThan(0.2);
    model.dispose();
  });

  it('a D-only step changes the arrows but not the generated points; a G-only step moves the points', async () => {
    const { model, round, layers } = await setup(gan2d());
    const a = await layers();
    round('optD');
    const b = await layers();
    expect(b.fake).toEqual(a.fake);
    expect(b.arrows!.vectors).not.toEqual(a.arrows!.vectors);
    round('optG');
    const c = await layers();
    expect(c.fake).not.toEqual(b.fake);
    expect(c.heatmap!.values).toEqual(b.heatmap!.values);
    model.dispose();
  });

  it('2-D noise: the manifold is 11 + 11 lines of 41 points through G; 16-D noise: a slice through two of its dims', async () => {
    for (const noise of [2, 16]) {
      const { model, layers } = await setup(gan2d({ noise }));
      const m = (await layers()).manifold!;
      expect({ dims: m.dims, latentSize: m.latentSize, lines: m.lines, perLine: m.perLine }).toEqual({
        dims: [0, 1],
        latentSize: noise,
        lines: 11,
        perLine: 41,
      });
      expect(m.points.length).toBe(2 * 11 * 41 * 2);
      expect(m.points.every(Number.isFinite)).toBe(true);
      // The central 96% of N(0, 1) draws: about ±2.
      for (const [lo, hi] of m.ranges) {
        expect(lo).toBeGreaterThan(-2.6);
        expect(lo).toBeLessThan(-1.6);
        expect(hi).toBeGreaterThan(1.6);
        expect(hi).toBeLessThan(2.6);
      }
      model.dispose();
    }
  });

  it('the critic map is D(x) = σ(logit) in [0, 1] for a cross-entropy critic and the raw score for a Wasserstein one', async () => {
    const ns = await setup(gan2d());
    const p = (await ns.layers()).heatmap!;
    expect(p.meaning).toBe('probability');
    expect(p.values.length).toBe(p.size * p.size);
    expect(p.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    ns.model.dispose();
    const w = await setup(gan2d({ kind: 'wasserstein' }));
    expect((await w.layers()).heatmap!.meaning).toBe('score');
    w.model.dispose();
  });

  it('grid KL/JS of the generated points beside the floor of two real sets; an untrained generator is far above it', async () => {
    const { model, layers } = await setup(gan2d());
    const d = (await layers(500)).divergence!;
    expect(d.n).toBe(500);
    expect(d.klFloor).toBeLessThan(0.5);
    expect(d.kl).toBeGreaterThan(d.klFloor + 1);
    expect(d.js).toBeLessThanOrEqual(Math.log(2) + 1e-9);
    model.dispose();
  });

  it('a 2-D VAE gets the decoded prior as its generated points, a manifold, and posterior ellipses; no critic, no arrows', async () => {
    const { model, layers } = await setup(vae2d());
    const l = await layers(100);
    expect(l.fake.length).toBe(200);
    expect(l.heatmap).toBeNull();
    expect(l.arrows).toBeNull();
    expect(l.manifold?.latentSize).toBe(2);
    expect(l.posterior!.mean.length).toBe(200);
    expect(l.posterior!.sd.every((s) => s > 0 && Number.isFinite(s))).toBe(true);
    expect(l.posterior!.labels?.length).toBe(100);
    model.dispose();
  });

  it('live tensors stay flat across playground reads and the rounds between them', async () => {
    const { model, round, layers } = await setup(gan2d({ noise: 16 }));
    await layers();
    round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await layers();
      round();
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('the frame is square around the real points and grows (at most 2×) to hold stray generated points', () => {
    const real = new Float32Array([-1, -1, 1, 1]);
    const [x0, x1, y0, y1] = frameFor(real, new Float32Array(0));
    expect(x1 - x0).toBeCloseTo(y1 - y0);
    expect(x1).toBeCloseTo(1.3);
    expect(frameFor(real, new Float32Array([2, 0]))[1]).toBeCloseTo(2.1);
    expect(frameFor(real, new Float32Array([50, 0]))[1]).toBeCloseTo(2.6);
  });
});

describe('2-D playground through the session', () => {
  it('trains on drawn points and shows exactly them as the real layer', async () => {
    const h = sessionHarness();
    const drawnPoints = '1,1 1.5,1 -1,-0.5 -1.25,-0.75 0,2';
    await h.session.handle({ type: 'load', doc: gan2d({ source: 'drawn', drawnPoints, batch: 8 }) });
    await h.session.handle({ type: 'step', count: 3 });
    await h.session.handle({ type: 'points2d', id: 1, n: 100 });
    expect(h.errors()).toEqual([]);
    const reply = h.of('points2d')[0];
    const pairs = (xy: Float32Array) => Array.from({ length: xy.length / 2 }, (_, i) => `${xy[2 * i]},${xy[2 * i + 1]}`).sort();
    expect(pairs(reply.real)).toEqual(drawnPoints.split(' ').sort());
    expect(reply.step).toBe(3);
  });

  it('a malformed drawing is a graph error on the Dataset that names the point, not a crash', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: gan2d({ source: 'drawn', drawnPoints: '1,1 2;3' }) });
    const errors = h.of('compileErrors')[0]?.errors ?? [];
    expect(errors.map((e) => e.message).join(' ')).toMatch(/point 2 \("2;3"\) is not two numbers/);
  });

  it('slow motion waits after every round, and refuses delays out of range', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: gan2d({ batch: 8 }) });
    await h.session.handle({ type: 'setRoundDelay', ms: 150 });
    await h.session.handle({ type: 'play' });
    await new Promise((r) => setTimeout(r, 700));
    await h.session.handle({ type: 'pause' });
    // 700 ms at ≥ 150 ms a round: at most 5 rounds (full speed runs hundreds).
    expect(h.session.step).toBeGreaterThanOrEqual(1);
    expect(h.session.step).toBeLessThanOrEqual(5);
    await h.session.handle({ type: 'setRoundDelay', ms: -1 });
    expect(h.errors().at(-1)?.message).toMatch(/must be 0 to 2000 ms/);
  });
});
