/** ∂loss/∂input for "look inside": the DCGAN discriminator's map of example 0 agrees with central differences of its loss. */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import { createBatcher } from '../../src/data/batcher';
import type { DataSet } from '../../src/data/types';
import { setupBackend } from '../../src/runtime/backend';
import { imageInput, inputGradient } from '../../src/runtime/inputGradient';
import { CompiledModel } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import * as tf from '../../src/runtime/tf';
import { preset } from '../compiler/helpers';

const BATCH = 4;
const COUNTER = 777;

function planOf(name: string): Plan {
  const d = structuredClone(preset(name));
  d.nodes.find((n) => n.type === 'dataset')!.params.batchSize = BATCH;
  const r = compile(d, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

let plan: Plan;
let data: DataSet;
beforeAll(async () => {
  await setupBackend('cpu');
  plan = planOf('gan.json');
  data = await loadPlanData(plan);
});

describe('∂loss/∂input', () => {
  it('the discriminator: the largest pixel of |∂L_D/∂x| matches a central difference of L_D, and the map is scaled to [0, 1]', async () => {
    const model = new CompiledModel(plan);
    const batch = { ...createBatcher(data, BATCH, plan.seed).next(), size: BATCH };
    // The discriminator's block on the real images: its first layer takes the data's 28×28×1.
    const disc = plan.nodes.find((n) => n.inputs.x?.node === 'data' && n.docId !== n.id)!.docId;
    const target = imageInput(plan, disc)!;
    expect(target.ref.node).toBe(plan.nodes.find((n) => registry[n.type]?.dataset)!.id);
    const g = (await model.withFixedRandom(COUNTER, () => inputGradient(model, plan, disc, batch)))!;
    expect(g).toMatchObject({ port: target.port, height: 28, width: 28, channels: 1 });
    const dOpt = plan.optimizers.find((o) => o.trains.includes(target.node.weightOwner))!;
    expect(g.optimizer).toBe(dOpt.id);
    expect(Math.max(...g.image)).toBe(1);
    expect(Math.min(...g.image)).toBeGreaterThanOrEqual(0);

    const peak = g.image.indexOf(1);
    const loss = (delta: number) => {
      const x = batch.x.slice();
      x[peak] += delta;
      const [v] = model.withFixedRandom(COUNTER, () =>
        model.compute((run) => [run([dOpt.loss], 'train', batch, { ref: target.ref, value: tf.tensor(x, [BATCH, 28, 28, 1]) })(dOpt.loss)]),
      );
      return v[0];
    };
    const h = 1e-2;
    const central = (loss(h) - loss(-h)) / (2 * h);
    expect(Math.abs(central)).toBeGreaterThan(0);
    expect(Math.abs(Math.abs(central) - g.max) / g.max).toBeLessThan(0.05);
    model.dispose();
  });

  it('a node fed no image from outside itself has none: the generator (its images are its own layers’), a dense layer', () => {
    expect(imageInput(plan, 'gen')).toBeNull();
    const dense = planOf('vae.json');
    const flat = dense.nodes.find(
      (n) => Object.values(n.inputShapes).length > 0 && Object.values(n.inputShapes).every((s) => s.length === 2),
    )!;
    expect(imageInput(dense, flat.docId)).toBeNull();
  });
});
