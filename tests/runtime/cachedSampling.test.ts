/**
 * Cached and fixed-point sampling draw exactly the canvases of the naive
 * pixel-by-pixel sampler for the same seed — for the Bernoulli, the 256-way
 * and the class-conditional PixelCNN presets (class biases and a class map on
 * the logits, a plane cut to each pixel's window), cut down to a few filters with
 * random non-zero biases — and leave no tensors behind.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import type { GraphDocument } from '../../src/graph/document';
import { setupBackend } from '../../src/runtime/backend';
import { PASS_CANVASES } from '../../src/runtime/cachedSampling';
import { CompiledModel } from '../../src/runtime/model';
import { createReader } from '../../src/runtime/reads';
import { sampleAutoregressive, type SampleOptions, type SamplingMethod } from '../../src/runtime/sampling';
import type { ReadMode } from '../../src/runtime/reads';
import * as tf from '../../src/runtime/tf';
import { preset } from '../compiler/helpers';

/** A preset with `filters` channels in every layer (the head keeps its width). */
function narrow(name: string, filters: number, edit: (doc: GraphDocument) => void = () => {}): Plan {
  const doc: GraphDocument = structuredClone(preset(name));
  edit(doc);
  for (const n of doc.nodes) {
    if (n.id.startsWith('cmap')) continue; // the class map keeps its image size
    if (n.type === 'maskedConv2d') n.params.filters = filters;
    if (n.type === 'dense') n.params.units = filters;
    if (n.type === 'reshape') n.params.shape = [1, 1, filters];
  }
  const r = compile(doc, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

/** The model with every bias drawn at random, so no layer's output is the same at every pixel. */
function randomized(plan: Plan, reader?: ReturnType<typeof createReader>): CompiledModel<ReadMode> {
  const model = new CompiledModel(plan, { reader });
  let seed = 1;
  for (const v of model.namedVariables.values())
    if (v.shape.length === 1) v.assign(tf.tidy(() => tf.randomNormal(v.shape, 0, 0.5, 'float32', seed++)));
  return model;
}

async function sample(model: CompiledModel<ReadMode>, method: SamplingMethod, o: Omit<SampleOptions, 'method'>) {
  let passes = 0;
  const canvas = await sampleAutoregressive(model, { ...o, method, onPasses: (p) => (passes = p) });
  return { canvas: Array.from(canvas!), passes };
}

beforeAll(async () => {
  await setupBackend('wasm');
});

describe('cached and fixed-point PixelCNN sampling', () => {
  const cases: [string, string, Partial<SampleOptions>][] = [
    ['Bernoulli', 'pixelcnn.json', {}],
    ['256-way', 'pixelcnn-256.json', {}],
    ['conditional, classes cycling', 'pixelcnn-cond.json', {}],
    ['conditional, one label', 'pixelcnn-cond.json', { label: 7 }],
  ];
  it.each(cases)(
    '%s: the same canvases as the naive sampler for the same seed',
    async (_what, file, extra) => {
      const plan = narrow(file, 6);
      expect(plan.modes.generate?.pixelCache).toBeDefined();
      const model = randomized(plan);
      const o = { n: 3, seed: 5, ...extra };
      const naive = await sample(model, 'pixelwise', o);
      const before = tf.memory().numTensors;
      const cached = await sample(model, 'cached', o);
      const fixed = await sample(model, 'fixedPoint', o);
      expect(tf.memory().numTensors).toBe(before);
      // A real draw: both values, or many grey levels.
      expect(new Set(naive.canvas).size).toBeGreaterThan(1);
      expect(cached.canvas).toEqual(naive.canvas);
      // The cache alone got every pixel right: its closing whole-image check changed nothing.
      expect(cached.passes).toBe(1);
      expect(fixed.canvas).toEqual(naive.canvas);
      expect(fixed.passes).toBeGreaterThan(1);
      const otherSeed = await sample(model, 'cached', { ...o, seed: 6 });
      expect(otherSeed.canvas).not.toEqual(naive.canvas);
      model.dispose();
    },
    120_000,
  );

  it('plans the layers by how far each reads, and the class biases and class map as values computed once', () => {
    const cache = narrow('pixelcnn-cond.json', 6).modes.generate!.pixelCache!;
    const reach = Object.fromEntries(cache.layers.map((l) => [l.id, l.reach]));
    expect(reach).toMatchObject({ a: 3, b0: 1, b4: 1, h0: 0, r4: 0, head: 0 });
    expect(cache.layers.map((l) => l.id)).not.toContain('c0');
    expect(cache.constants.map((r) => r.node).sort()).toEqual(['c0s', 'c1s', 'c2s', 'c3s', 'c4s', 'cmaps']);
    expect(reach.hc).toBe(0);
    // A plain convolution may read rows below: no cache, the naive sampler runs.
    const doc = structuredClone(preset('pixelcnn.json'));
    doc.nodes.find((n) => n.id === 'head')!.params.kernelSize = 3;
    expect(compile(doc, registry).plan!.modes.generate?.pixelCache).toBeUndefined();
  });

  it('samples a graph the plan has no cache for pixel by pixel by default', async () => {
    // A plain 3×3 head reads the row below, where whole-image passes would see pixels that pixel-by-pixel sampling has not drawn yet.
    const plan = narrow('pixelcnn.json', 4, (doc) => (doc.nodes.find((n) => n.id === 'head')!.params.kernelSize = 3));
    expect(plan.modes.generate?.pixelCache).toBeUndefined();
    const model = randomized(plan);
    const o = { n: 2, seed: 4 };
    const naive = await sample(model, 'pixelwise', o);
    const passes: number[] = [];
    const byDefault = await sampleAutoregressive(model, { ...o, onPasses: (p) => passes.push(p) });
    expect(Array.from(byDefault!)).toEqual(naive.canvas);
    // No whole-image pass ran: it was drawn pixel by pixel.
    expect(passes).toEqual([]);
    model.dispose();
  }, 60_000);

  it('draws the same canvases with a reader that returns promises (WebGPU)', async () => {
    const plan = narrow('pixelcnn-cond.json', 4);
    const o = { n: 2, seed: 3 };
    const sync = randomized(plan);
    const promised = randomized(plan, createReader('async'));
    const naive = await sample(sync, 'pixelwise', o);
    expect((await sample(promised, 'cached', o)).canvas).toEqual(naive.canvas);
    sync.dispose();
    promised.dispose();
  }, 60_000);

  it('checks more canvases than one whole-image pass holds in several passes, with the same result', async () => {
    const model = randomized(narrow('pixelcnn-cond.json', 4));
    const o = { n: PASS_CANVASES + 2, seed: 2 };
    const naive = await sample(model, 'pixelwise', o);
    expect(await sample(model, 'cached', o)).toEqual({ canvas: naive.canvas, passes: 1 });
    expect((await sample(model, 'fixedPoint', o)).canvas).toEqual(naive.canvas);
    model.dispose();
  }, 60_000);

  it('reports each pixel of the cached sampling in order, and stops when told to', async () => {
    const model = randomized(narrow('pixelcnn.json', 4));
    const seen: number[] = [];
    const full = await sampleAutoregressive(model, { n: 2, onPixel: (i) => (seen.push(i), true) });
    expect(seen).toEqual(Array.from({ length: 784 }, (_, i) => i));
    expect(full).not.toBeNull();
    const stopped = await sampleAutoregressive(model, { n: 2, onPixel: (i) => i < 100 });
    expect(stopped).toBeNull();
    model.dispose();
  }, 60_000);
});
