/**
 * A node of a new kind in a fixture registry trains, encodes, generates and
 * decodes through the compiler and the runtime without any change to either:
 * the sampler capability is all they know of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { createBatcher } from '../../src/data/batcher';
import type { GraphDocument } from '../../src/graph/document';
import { CompiledModel } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import * as tf from '../../src/runtime/tf';
import uniformSampler from './uniformSampler';

const fixtureRegistry = { ...registry, [uniformSampler.type]: uniformSampler };

const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, position: { x: 0, y: 0 }, params });
const edge = (source: string, sourcePort: string, target: string, targetPort: string) => ({
  id: `${source}.${sourcePort}-${target}.${targetPort}`,
  source,
  sourcePort,
  target,
  targetPort,
});

/** A 2-D autoencoder whose code passes through the box sampler. */
const doc: GraphDocument = {
  schemaVersion: 1,
  meta: { title: 'box-posterior autoencoder', description: '', goals: [], seed: 3 },
  nodes: [
    node('data', 'dataset', { source: 'ring', batchSize: 64 }),
    node('enc', 'dense', { units: 32, activation: 'relu' }),
    node('c', 'dense', { units: 2, activation: 'linear' }),
    node('s', 'dense', { units: 2, activation: 'linear' }),
    node('box', 'uniformSampler'),
    node('dec', 'dense', { units: 32, activation: 'relu' }),
    node('out', 'dense', { units: 2, activation: 'linear' }),
    node('recon', 'mse'),
    node('opt', 'optimizer', { learningRate: 0.01 }),
  ],
  edges: [
    edge('data', 'x', 'enc', 'x'),
    edge('enc', 'y', 'c', 'x'),
    edge('enc', 'y', 's', 'x'),
    edge('c', 'y', 'box', 'centre'),
    edge('s', 'y', 'box', 'logHalfWidth'),
    edge('box', 'z', 'dec', 'x'),
    edge('dec', 'y', 'out', 'x'),
    edge('out', 'y', 'recon', 'prediction'),
    edge('data', 'x', 'recon', 'target'),
    edge('recon', 'loss', 'opt', 'loss'),
  ],
};

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
    expect(plan.modes.decode).toEqual({ latent: { node: 'box', port: 'z' }, latentSize: 2 });
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
    expect(model.decode(codes, 8)).toEqual(model.reconstruct(batch));
    model.dispose();
  });
});
