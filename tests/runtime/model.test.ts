import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import { createBatcher } from '../../src/data/batcher';
import type { DataSet } from '../../src/data/types';
import { setupBackend } from '../../src/runtime/backend';
import { CompiledModel, TrainingDiverged } from '../../src/runtime/model';
import { importanceSampledNll } from '../../src/runtime/likelihood';
import { loadPlanData } from '../../src/runtime/planData';
import { createReader } from '../../src/runtime/reads';
import * as tf from '../../src/runtime/tf';
import { fixtureDoc, preset } from '../compiler/helpers';

function planOf(doc = preset('vae.json'), batch = 16): Plan {
  const d = structuredClone(doc);
  d.nodes.find((n) => n.type === 'dataset')!.params.batchSize = batch;
  const r = compile(d, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

const asyncReader = createReader('async');

let data: DataSet;
beforeAll(async () => {
  await setupBackend('wasm');
  data = await loadPlanData(planOf());
});

function run(plan: Plan, steps: number, model = new CompiledModel(plan), batcher = createBatcher(data, plan.data.batchSize, plan.seed)) {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++)
    losses.push(model.trainRound(() => ({ ...batcher.next(), size: plan.data.batchSize })).losses[plan.optimizers[0].id]);
  return { model, batcher, losses };
}

describe('CompiledModel', () => {
  it('repeats the same first 10 losses for the same seed', () => {
    const plan = planOf();
    const a = run(plan, 10);
    const b = run(plan, 10);
    expect(b.losses).toEqual(a.losses);
    a.model.dispose();
    b.model.dispose();
    const other = run(planOf(fixtureDocWithSeed(preset('vae.json'), 99)), 10);
    expect(other.losses).not.toEqual(a.losses);
    other.model.dispose();
  });

  it('keeps the live tensor count flat from step 2 to step 200', () => {
    const plan = planOf(fixtureDoc('v1-tiny-ae.json'), 8);
    const { model, batcher } = run(plan, 2);
    const after2 = tf.memory().numTensors;
    run(plan, 198, model, batcher);
    expect(tf.memory().numTensors).toBe(after2);
    model.dispose();
  });

  it('learns: the VAE loss falls by at least 25% in 60 steps', () => {
    const { model, losses } = run(planOf(preset('vae.json'), 32), 60);
    const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(last).toBeLessThan(0.75 * first);
    model.dispose();
  });

  it('resumes from a checkpoint with exactly the losses of an uninterrupted run', async () => {
    const plan = planOf();
    const straight = run(plan, 8);
    const first = run(plan, 4);
    const state = await first.model.saveState();
    const batcherState = first.batcher.state();
    first.model.dispose();
    const resumed = new CompiledModel(plan);
    await resumed.loadState(state);
    const batcher = createBatcher(data, plan.data.batchSize, plan.seed);
    batcher.restore(batcherState);
    const rest = run(plan, 4, resumed, batcher);
    expect([...first.losses, ...rest.losses]).toEqual(straight.losses);
    straight.model.dispose();
    resumed.dispose();
  });

  it('PixelCNN pixel outputs from the band of rows above equal those from the whole image', () => {
    const plan = planOf(preset('pixelcnn.json'), 3);
    expect(plan.modes.generate?.rowsAbove).toBe(8);
    const model = new CompiledModel(plan);
    const x = new Float32Array(3 * 784).map((_, i) => ((i * 7919) % 13 < 5 ? 1 : 0));
    const batch = { x, size: 3 };
    const [whole] = model.probe(batch, [plan.modes.generate!.output], 'generate');
    for (const index of [0, 27, 28, 200, 251, 252, 400, 783]) {
      const band = model.pixelOutputs(batch, index);
      for (let b = 0; b < 3; b++) expect(band[b]).toBeCloseTo(whole.data[b * 784 + index], 5);
    }
    model.dispose();
  });

  it('stops with TrainingDiverged at the first non-finite loss', () => {
    const plan = planOf(fixtureDoc('v1-tiny-ae.json'));
    const model = new CompiledModel(plan);
    const bad = new Float32Array(plan.data.batchSize * 784).fill(Number.NaN);
    expect(() => model.trainRound(() => ({ x: bad, size: plan.data.batchSize }))).toThrow(TrainingDiverged);
    model.dispose();
  });

  it('importance-sampled NLL is at most the negative ELBO, and equals it in expectation for K = 1', () => {
    const { model } = run(planOf(preset('vae.json'), 32), 30);
    const batch = { ...createBatcher(data, 200, 5).next(), size: 200 };
    const elbo = model.evaluateLosses(batch).adam;
    const single = importanceSampledNll(model, batch, 1);
    const many = importanceSampledNll(model, batch, 30);
    // K = 1 is one draw of the ELBO itself: equal up to Monte-Carlo noise over 200 examples.
    expect(Math.abs(single - elbo)).toBeLessThan(0.02 * elbo);
    expect(many).toBeLessThan(elbo);
    model.dispose();
  });

  it('generates, reconstructs and encodes with the planned shapes', () => {
    const plan = planOf();
    const model = new CompiledModel(plan);
    const batch = { ...createBatcher(data, 16, 1).next(), size: 16 };
    expect(model.generate(5).length).toBe(5 * 784);
    const { outputs: recon, seen } = model.reconstruct(batch);
    expect(seen).toBeNull();
    expect(recon.length).toBe(16 * 784);
    expect(Math.min(...recon)).toBeGreaterThanOrEqual(0);
    expect(model.encode(batch).length).toBe(16 * 20);
    model.dispose();
  });

  it("an async reader gives exactly the sync reader's losses, with the tensor count flat and the same divergence check", async () => {
    const plan = planOf();
    const sync = run(plan, 6);
    const model = new CompiledModel(plan, { reader: asyncReader });
    const batcher = createBatcher(data, plan.data.batchSize, plan.seed);
    const next = () => ({ ...batcher.next(), size: plan.data.batchSize });
    const losses: number[] = [];
    let after2 = 0;
    for (let i = 0; i < 6; i++) {
      const r = await model.trainRound(next);
      expect(r.step).toBe(i + 1);
      losses.push(r.losses[plan.optimizers[0].id]);
      if (i === 1) after2 = tf.memory().numTensors;
    }
    expect(losses).toEqual(sync.losses);
    expect(tf.memory().numTensors).toBe(after2);
    sync.model.dispose();
    model.dispose();

    const tiny = new CompiledModel(planOf(fixtureDoc('v1-tiny-ae.json')), { reader: asyncReader });
    const bad = new Float32Array(tiny.plan.data.batchSize * 784).fill(Number.NaN);
    // A good round first: Adam makes its slots on the first update.
    await tiny.trainRound(() => ({ x: new Float32Array(bad.length), size: tiny.plan.data.batchSize }));
    const before = tf.memory().numTensors;
    await expect(tiny.trainRound(() => ({ x: bad, size: tiny.plan.data.batchSize }))).rejects.toBeInstanceOf(TrainingDiverged);
    expect(tf.memory().numTensors).toBe(before);
    tiny.dispose();
  });

  it("an async reader gives the sync reader's views under a fixed random stream, and leaks nothing", async () => {
    const plan = planOf();
    const { model } = run(plan, 3);
    const reading = new CompiledModel(plan, { reader: asyncReader });
    await reading.loadState(await model.saveState());
    const batch = { ...createBatcher(data, 16, 1).next(), size: 16 };
    const refs = { mean: plan.posterior!.mean, logVar: plan.posterior!.logVar! };
    const latents = new Float32Array(4 * 20).map((_, i) => Math.sin(i));
    const fixedSync = <T>(fn: () => T) => model.withFixedRandom(1234, fn);
    const fixedAsync = <T>(fn: () => T) => reading.withFixedRandom(1234, fn);
    const before = tf.memory().numTensors;
    expect(await fixedAsync(() => reading.generate(5))).toEqual(fixedSync(() => model.generate(5)));
    expect(await fixedAsync(() => reading.reconstruct(batch))).toEqual(fixedSync(() => model.reconstruct(batch)));
    expect(await fixedAsync(() => reading.encode(batch))).toEqual(fixedSync(() => model.encode(batch)));
    expect(await fixedAsync(() => reading.decode(latents, 4))).toEqual(fixedSync(() => model.decode(latents, 4)));
    const probeRefs = [refs.mean, refs.logVar];
    expect(await fixedAsync(() => reading.probe(batch, probeRefs, 'encode'))).toEqual(
      fixedSync(() => model.probe(batch, probeRefs, 'encode')),
    );
    expect(await fixedAsync(() => reading.evaluateLosses(batch))).toEqual(fixedSync(() => model.evaluateLosses(batch)));
    expect(await fixedAsync(() => importanceSampledNll(reading, batch, 3))).toEqual(fixedSync(() => importanceSampledNll(model, batch, 3)));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    reading.dispose();
  });
});

function fixtureDocWithSeed(doc: ReturnType<typeof preset>, seed: number) {
  return { ...doc, meta: { ...doc.meta, seed } };
}

describe('decoding a plain autoencoder’s codes', () => {
  it('decode(encode(x)) is reconstruct(x): the code stands in on the reconstruct path', () => {
    const plan = planOf(preset('ae.json'), 8);
    const { model } = run(plan, 5);
    const batch = { x: data.x.subarray(0, 8 * 784), size: 8 };
    const codes = model.encode(batch);
    const decoded = model.decode(codes, 8);
    const { outputs } = model.reconstruct(batch);
    expect(decoded.length).toBe(8 * 784);
    for (let i = 0; i < decoded.length; i++) expect(decoded[i]).toBeCloseTo(outputs[i], 5);
    model.dispose();
  });
});
