/**
 * Weight clipping as an optimizer option (WGAN): after each of its steps an
 * optimizer with clipWeights c > 0 clamps every variable it trains to [−c, c],
 * and nothing else. Checked on the WGAN preset (batch 8) on wasm.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/graph/document';
import { createBatcher } from '../../src/data/batcher';
import type { DataSet } from '../../src/data/types';
import { setupBackend } from '../../src/runtime/backend';
import { CompiledModel } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import * as tf from '../../src/runtime/tf';
import { planOf, variant } from '../presets/presetHarness';

const C = 0.01;

function wgan(clip: number): GraphDocument {
  const doc = variant('wgan.json', { batch: 8 });
  doc.nodes.find((n) => n.id === 'optD')!.params.clipWeights = clip;
  return doc;
}

let data: DataSet;
beforeAll(async () => {
  await setupBackend('wasm');
  data = await loadPlanData(planOf(wgan(C)));
});

function setup(doc: GraphDocument) {
  const plan = planOf(doc);
  const model = new CompiledModel(plan);
  const batcher = createBatcher(data, plan.data.batchSize, plan.seed);
  const round = (only?: string) => model.trainRound(() => ({ ...batcher.next(), size: plan.data.batchSize }), only);
  // The preset's critic is dReal (dFake shares its weights); the generator is gen.
  const group = (owner: string) => [...model.namedVariables].filter(([name]) => name.startsWith(`${owner}/`)).map(([, v]) => v);
  return { plan, model, round, critic: group('dReal'), generator: group('gen') };
}

const maxAbs = (vs: tf.Variable[]) => Math.max(...vs.map((v) => tf.tidy(() => v.abs().max().dataSync()[0])));
const values = (vs: tf.Variable[]) => vs.map((v) => Array.from(v.dataSync()));

describe('Optimizer clipWeights', () => {
  it('the plan carries c for the critic optimizer only', () => {
    const { plan, model } = setup(wgan(C));
    expect(Object.fromEntries(plan.optimizers.map((o) => [o.id, o.weightClip]))).toEqual({ optD: C, optG: 0 });
    model.dispose();
  });

  it('after a critic round every critic weight lies in [−c, c], many exactly at ±c; the generator it does not train is unchanged', () => {
    const { model, round, critic, generator } = setup(wgan(C));
    expect(critic.length).toBeGreaterThan(0);
    expect(maxAbs(critic)).toBeGreaterThan(C); // freshly initialised: clipping has work to do
    const genBefore = values(generator);
    round('optD');
    expect(maxAbs(critic)).toBeLessThanOrEqual(C);
    const atBound = critic.reduce(
      (n, v) =>
        n +
        tf.tidy(
          () =>
            v
              .abs()
              .greaterEqual(C * 0.999)
              .sum()
              .dataSync()[0],
        ),
      0,
    );
    expect(atBound).toBeGreaterThan(100);
    expect(values(generator)).toEqual(genBefore);
    model.dispose();
  });

  it('a full round clips the critic but not the generator, whose optimizer has no clipping', () => {
    const { model, round, critic, generator } = setup(wgan(C));
    round();
    expect(maxAbs(critic)).toBeLessThanOrEqual(C);
    expect(maxAbs(generator)).toBeGreaterThan(10 * C);
    model.dispose();
  });

  it('with clipWeights 0 the critic keeps weights beyond c (the checks above can fail)', () => {
    const { model, round, critic } = setup(wgan(0));
    round('optD');
    expect(maxAbs(critic)).toBeGreaterThan(10 * C);
    model.dispose();
  });

  it('keeps the live tensor count flat from round 2 to round 12 with clipping on', () => {
    const { model, round } = setup(wgan(C));
    round();
    round();
    const after2 = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) round();
    expect(tf.memory().numTensors).toBe(after2);
    model.dispose();
  });
});
