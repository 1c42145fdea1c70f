/**
 * A node of a new kind in a fixture registry trains, encodes, generates and
 * decodes through the compiler and the runtime without any change to either:
 * the sampler capability is all they know of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { createBatcher } from '../../src/data/batcher';
import { CompiledModel } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import * as tf from '../../src/runtime/tf';
import { graph } from '../nodes/harness';
import uniformSampler from './uniformSampler';

const fixtureRegistry = { ...registry, [uniformSampler.type]: uniformSampler };

/** A 2-D autoencoder whose code passes through the box sampler. */
const doc = graph(
  [
    { id: 'data', type: 'dataset', params: { source: 'ring', batchSize: 64 } },
    { id: 'enc', type: 'dense', params: { units: 32, activation: 'relu' } },
    { id: 'c', type: 'dense', params: { units: 2, activation: 'linear' } },
    { id: 's', type: 'dense', params: { units: 2, activation: 'linear' } },
    { id: 'box', type: 'uniformSampler' },
    { id: 'dec', type: 'dense', params: { units: 32, activation: 'relu' } },
    { id: 'out', type: 'dense', params: { units: 2, activation: 'linear' } },
    { id: 'recon', type: 'mse' },
    { id: 'opt', type: 'optimizer', params: { learningRate: 0.01 } },
  ],
  [
    'data.x -> enc.x',
    'enc.y -> c.x',
    'enc.y -> s.x',
    'c.y -> box.centre',
    's.y -> box.logHalfWidth',
    'box.z -> dec.x',
    'dec.y -> out.x',
    'out.y -> recon.prediction',
    'data.x -> recon.target',
    'recon.loss -> opt.loss',
  ],
  3,
);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('a node of a new kind', () => {
  it('compiles into the plan through its capability alone', () => {
    const result = compile(doc, fixtureRegistry);
    expect(result.errors).toEqual([]);
    const plan = result.plan!;
    expect(plan.posterior).toEqual({ z: { node: 'box', port: 'z' }, mean: { node: 'c', port: 'y' }, logVar: null });
    expect(plan.modes.encode).toEqual({ latent: { node: 'c', port: 'y' }, latentSize: 2 });
    expect(plan.modes.decode).toMatchObject({ latent: { node: 'box', port: 'z' }, latentSize: 2, mode: 'generate' });
    expect(plan.modes.generate?.output).toEqual({ node: 'out', port: 'y' });
    // The stock registry does not know it.
    expect(compile(doc, registry).errors.map((e) => e.code)).toContain('unknown-type');
  });

  it('trains (the reconstruction error falls by half in 150 steps), encodes, generates and decodes', async () => {
    const plan = compile(doc, fixtureRegistry).plan!;
    const data = await loadPlanData(plan);
    const batcher = createBatcher(data, plan.data.batchSize, plan.seed);
    const model = new CompiledModel(plan);
    const next = () => {
      const b = batcher.next();
      return { x: b.x, oneHot: b.oneHot, size: plan.data.batchSize };
    };
    const losses: number[] = [];
    // Optimizer slots appear on the first steps; after that live tensors stay flat.
    for (let i = 0; i < 2; i++) losses.push(model.trainRound(next).losses.recon);
    const live = tf.memory().numTensors;
    for (let i = 2; i < 150; i++) losses.push(model.trainRound(next).losses.recon);
    expect(tf.memory().numTensors).toBe(live);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(0.5 * mean(losses.slice(0, 10)));

    const batch = { x: data.x.slice(0, 16), size: 8 };
    const codes = model.encode(batch);
    expect(codes.length).toBe(16);
    const samples = model.generate(8);
    expect(samples.length).toBe(16);
    expect([...samples].every(Number.isFinite)).toBe(true);
    // Decoding the codes of eight points stands them in for the sampler's draw: the same as reconstructing them.
    expect(model.decode(codes, 8)).toEqual(model.reconstruct(batch).outputs);
    model.dispose();
  });
});
