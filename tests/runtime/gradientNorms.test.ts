import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import { createBatcher } from '../../src/data/batcher';
import type { DataSet } from '../../src/data/types';
import { setupBackend } from '../../src/runtime/backend';
import { GradientNorms } from '../../src/runtime/gradientNorms';
import { CompiledModel, type Batch } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import * as tf from '../../src/runtime/tf';
import { preset } from '../compiler/helpers';
import { preset as sessionPreset, sessionHarness } from './sessionHarness';

function planOf(name: string, batch: number): Plan {
  const d = structuredClone(preset(name));
  d.nodes.find((n) => n.type === 'dataset')!.params.batchSize = batch;
  const r = compile(d, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

/** The L2 norm of each layer's gradient of `optimizer`'s loss, straight from tf.variableGrads (nothing is updated). */
function directNorms(model: CompiledModel, optimizer: string, batch: Batch): Map<string, number> {
  const opt = model.plan.optimizers.find((o) => o.id === optimizer)!;
  const ownerOf = (stable: string) => stable.slice(0, stable.lastIndexOf('/'));
  const trained = [...model.namedVariables].filter(([stable]) => opt.trains.includes(ownerOf(stable)));
  const vars = trained.map(([, v]) => v);
  const values = model.compute((run) => {
    const { grads } = tf.variableGrads(() => run([opt.loss], 'train', batch)(opt.loss) as tf.Scalar, vars);
    return vars.map((v) => grads[v.name]);
  });
  const squares = new Map<string, number>();
  trained.forEach(([stable], i) => {
    const owner = ownerOf(stable);
    squares.set(owner, (squares.get(owner) ?? 0) + values[i].reduce((s, g) => s + g * g, 0));
  });
  return new Map([...squares].map(([owner, sq]) => [owner, Math.sqrt(sq)]));
}

let data: DataSet;
beforeAll(async () => {
  await setupBackend('cpu');
  data = await loadPlanData(planOf('gan-2d.json', 32));
});

describe('gradient norms recorded in the training step', () => {
  it('equal a direct tf.variableGrads computation on the same batch, layer by layer', () => {
    const plan = planOf('gan-2d.json', 32);
    const batch = { ...createBatcher(data, 32, plan.seed).next(), size: 32 };
    // Same plan and seed: the same weights and the same noise draws in the same order.
    const stepped = new CompiledModel(plan);
    const direct = new CompiledModel(plan);
    const norms = new GradientNorms(plan, stepped.namedVariables);
    stepped.trainRound(() => batch, 'optG', norms);
    const reported = norms.sample(stepped.step);
    const expected = directNorms(direct, 'optG', batch);
    const layers = norms.layers;
    const generator = layers.filter((l) => l.optimizer === 'optG');
    expect(generator.map((l) => l.id).sort()).toEqual([...expected.keys()].sort());
    for (const [i, layer] of layers.entries()) {
      if (layer.optimizer !== 'optG') {
        // The discriminator has not stepped yet: no norm to report.
        expect(reported.norms[i]).toBeNaN();
        continue;
      }
      expect(reported.norms[i]).toBeGreaterThan(0);
      expect(Math.abs(reported.norms[i] - expected.get(layer.id)!)).toBeLessThan(1e-5 * expected.get(layer.id)! + 1e-7);
    }
    // Graph order: every generator layer comes before the discriminator it feeds.
    const players = layers.map((l) => l.optimizer);
    expect(players.indexOf('optD')).toBeGreaterThan(players.lastIndexOf('optG'));
    stepped.dispose();
    direct.dispose();
  });

  it('keeps the live tensor count flat while recording and sampling', () => {
    const plan = planOf('gan-2d.json', 32);
    const model = new CompiledModel(plan);
    const norms = new GradientNorms(plan, model.namedVariables);
    const batcher = createBatcher(data, 32, plan.seed);
    const round = () => model.trainRound(() => ({ ...batcher.next(), size: 32 }), undefined, norms);
    round();
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) round();
    expect(tf.memory().numTensors).toBe(after1);
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(after1);
  });

  it('are due at most every sampling interval unless a single step forces them', () => {
    const model = new CompiledModel(planOf('gan-2d.json', 32));
    const norms = new GradientNorms(model.plan, model.namedVariables);
    expect(norms.due()).toBe(true);
    expect(norms.due()).toBe(false);
    expect(norms.due(true)).toBe(true);
    model.dispose();
  });

  it('reach the page as a gradients message after a step, one norm per layer', async () => {
    const h = sessionHarness();
    await h.session.handle({ type: 'load', doc: sessionPreset('gan-2d') });
    await h.session.handle({ type: 'step', count: 2 });
    const msgs = h.of('gradients');
    expect(msgs.map((m) => m.step)).toEqual([1, 2]);
    const last = msgs[1];
    expect(last.layers.map((l) => l.docId)).toContain('gen');
    expect(last.layers.map((l) => l.docId)).toContain('dReal');
    expect(last.norms).toHaveLength(last.layers.length);
    for (const n of last.norms) expect(n).toBeGreaterThan(0);
    expect(h.errors()).toEqual([]);
  });
});
