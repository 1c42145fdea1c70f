/**
 * A denoising autoencoder's reconstructions come with the corrupted input the
 * network saw (from the same forward pass), not only the clean data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { CompiledModel } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import * as tf from '../../src/runtime/tf';
import { graph } from '../nodes/harness';

const dae = graph(
  [
    { id: 'data', type: 'dataset', params: { source: 'mnist', batchSize: 8 } },
    { id: 'noise', type: 'addNoise', params: { kind: 'masking', amount: 0.5 } },
    { id: 'flat', type: 'flatten' },
    { id: 'enc', type: 'dense', params: { units: 16 } },
    { id: 'dec', type: 'dense', params: { units: 784, activation: 'linear' } },
    { id: 'recon', type: 'bce' },
    { id: 'opt', type: 'optimizer' },
  ],
  [
    'data.x -> noise.x',
    'noise.y -> flat.x',
    'flat.y -> enc.x',
    'enc.y -> dec.x',
    'dec.y -> recon.prediction',
    'data.x -> recon.target',
    'recon.loss -> opt.loss',
  ],
);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('denoising autoencoder views', () => {
  it('the plan names the corrupted input; reconstruct returns it beside the outputs', async () => {
    const plan = compile(dae, registry).plan!;
    expect(plan.modes.reconstruct?.seenInput).toEqual({ node: 'noise', port: 'y' });
    const data = await loadPlanData(plan, 'test');
    const model = new CompiledModel(plan);
    const batch = { x: data.x.slice(0, 4 * 784), size: 4 };
    const { outputs, seen } = model.reconstruct(batch);
    expect(outputs.length).toBe(4 * 784);
    expect(seen!.length).toBe(4 * 784);
    // Masking with probability ½ zeroes about half of the lit pixels: the view shows what the net saw, not the clean digit.
    let lit = 0;
    let masked = 0;
    for (let i = 0; i < batch.x.length; i++)
      if (batch.x[i] > 0) {
        lit++;
        if (seen![i] === 0) masked++;
      }
    expect(masked / lit).toBeGreaterThan(0.3);
    expect(masked / lit).toBeLessThan(0.7);
    model.dispose();
    // Without a corruption there is nothing else to show.
    const plain = compile(
      graph(
        [
          { id: 'data', type: 'dataset', params: { source: 'mnist', batchSize: 8 } },
          { id: 'flat', type: 'flatten' },
          { id: 'dec', type: 'dense', params: { units: 784, activation: 'linear' } },
          { id: 'recon', type: 'bce' },
          { id: 'opt', type: 'optimizer' },
        ],
        ['data.x -> flat.x', 'flat.y -> dec.x', 'dec.y -> recon.prediction', 'data.x -> recon.target', 'recon.loss -> opt.loss'],
      ),
      registry,
    ).plan!;
    expect(plain.modes.reconstruct?.seenInput).toBeNull();
  });
});
