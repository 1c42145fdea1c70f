import { beforeAll, describe, expect, it } from 'vitest';
import { CompiledModel } from '../../src/runtime/model';
import { compileOrThrow, graph, mulberry, squaresBatch, tf } from './harness';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = (batchSize = 8) => ({ id: 'data', type: 'dataset', params: { source: 'mnist', batchSize } });

/** A GAN whose discriminator is applied to real and fake data by two nodes sharing one set of weights. */
function ganDoc(discriminator: Record<string, unknown>, extraNodes: Parameters<typeof graph>[0] = [], extraEdges: string[] = [], dLoss = 'dLoss') {
  return graph([
    data(),
    { id: 'z', type: 'noise', params: { size: 8 } },
    { id: 'gen', type: 'generator', params: { kind: 'mlp', hidden: [32] } },
    { id: 'dReal', type: 'discriminator', params: discriminator },
    { id: 'dFake', type: 'discriminator', params: discriminator, sharesWeightsWith: 'dReal' },
    { id: 'dLoss', type: 'ganLoss', params: { player: 'discriminator', kind: extraNodes.length ? 'wasserstein' : 'nonSaturating' } },
    { id: 'gLoss', type: 'ganLoss', params: { player: 'generator', kind: extraNodes.length ? 'wasserstein' : 'nonSaturating' } },
    { id: 'optD', type: 'optimizer', params: { trains: ['dReal'], learningRate: 1e-3 } },
    { id: 'optG', type: 'optimizer', params: { trains: ['gen'], learningRate: 1e-3 } },
    ...extraNodes,
  ], [
    'z.z -> gen.z', 'data.x -> dReal.x', 'gen.y -> dFake.x',
    'dReal.logits -> dLoss.realLogits', 'dFake.logits -> dLoss.fakeLogits', 'dFake.logits -> gLoss.fakeLogits',
    `${dLoss}.loss -> optD.loss`, 'gLoss.loss -> optG.loss',
    ...extraEdges,
  ]);
}

describe('weight sharing', () => {
  it('a discriminator applied to real and fake data has exactly one set of variables', () => {
    const result = compileOrThrow(ganDoc({ kind: 'conv', hidden: [4, 8] }));
    const model = new CompiledModel(result.plan!);
    const names = [...model.namedVariables.keys()];
    const disc = names.filter((n) => n.startsWith('dReal/'));
    expect(names.some((n) => n.startsWith('dFake/'))).toBe(false);
    // conv0, conv1, score: kernel + bias each.
    expect(disc.sort()).toEqual(['dReal/conv0/bias', 'dReal/conv0/kernel', 'dReal/conv1/bias', 'dReal/conv1/kernel', 'dReal/score/bias', 'dReal/score/kernel']);
    const discCount = disc.reduce((n, name) => n + model.namedVariables.get(name)!.size, 0);
    expect(result.paramCounts.dReal).toBe(discCount);
    expect(result.trainedBy.optD).toEqual(['dReal']);
    // Both applications read the same variable objects: a step on the discriminator moves what dFake computes with.
    const before = model.namedVariables.get('dReal/score/kernel')!.dataSync().slice();
    const rng = mulberry(1);
    const step = model.trainRound(() => squaresBatch(8, rng));
    expect(Number.isFinite(step.losses.optD) && Number.isFinite(step.losses.optG)).toBe(true);
    expect(model.namedVariables.get('dReal/score/kernel')!.dataSync()).not.toEqual(before);
    model.dispose();
  });

  it('WGAN-GP: the penalty on interpolates trains a shared conv critic (second-order gradients)', () => {
    const critic = { kind: 'conv', hidden: [4, 8] };
    const doc = ganDoc(critic, [
      { id: 'mix', type: 'interpolate' },
      { id: 'dMix', type: 'discriminator', params: critic, sharesWeightsWith: 'dReal' },
      { id: 'gp', type: 'gradientPenalty', params: { weight: 10 } },
      { id: 'dTotal', type: 'weightedSum' },
    ], [
      'data.x -> mix.real', 'gen.y -> mix.fake', 'mix.x -> dMix.x',
      'mix.x -> gp.interpolates', 'dMix.logits -> gp.criticOutput',
      'dLoss.loss -> dTotal.a', 'gp.loss -> dTotal.b',
    ], 'dTotal');
    const model = new CompiledModel(compileOrThrow(doc).plan!);
    const rng = mulberry(2);
    const first = model.trainRound(() => squaresBatch(8, rng));
    expect(first.losses.gp).toBeGreaterThan(0);
    expect(first.losses.optD).toBeCloseTo(first.losses.dLoss + first.losses.gp, 3);
    // Only the penalty pushes the critic's slope towards 1; training on it alone must lower it.
    const gpOnlyDoc = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'dTotal' ? { ...n, params: { wa: 0 } } : n)) };
    const gpOnly = new CompiledModel(compileOrThrow(gpOnlyDoc).plan!);
    const gps: number[] = [];
    for (let i = 0; i < 15; i++) gps.push(gpOnly.trainRound(() => squaresBatch(8, rng), 'optD').losses.gp);
    expect(gps[gps.length - 1]).toBeLessThan(gps[0]);
    model.dispose();
    gpOnly.dispose();
  });
});
