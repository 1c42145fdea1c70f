import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { CompiledModel } from '../../src/runtime/model';
import { compileOrThrow, graph, mulberry, squaresBatch, tf } from './harness';
import { BATCH } from '../../src/graph/shape';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = (batchSize = 8) => ({ id: 'data', type: 'dataset', params: { source: 'mnist', batchSize } });

/** A GAN whose discriminator is applied to real and fake data by two nodes sharing one set of weights. */
function ganDoc(
  discriminator: Record<string, unknown>,
  extraNodes: Parameters<typeof graph>[0] = [],
  extraEdges: string[] = [],
  dLoss = 'dLoss',
) {
  return graph(
    [
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
    ],
    [
      'z.z -> gen.z',
      'data.x -> dReal.x',
      'gen.y -> dFake.x',
      'dReal.logits -> dLoss.realLogits',
      'dFake.logits -> dLoss.fakeLogits',
      'dFake.logits -> gLoss.fakeLogits',
      `${dLoss}.loss -> optD.loss`,
      'gLoss.loss -> optG.loss',
      ...extraEdges,
    ],
  );
}

describe('weight sharing', () => {
  it('a discriminator applied to real and fake data has exactly one set of variables', () => {
    const result = compileOrThrow(ganDoc({ kind: 'conv', hidden: [4, 8] }));
    const model = new CompiledModel(result.plan!);
    const names = [...model.namedVariables.keys()];
    const disc = names.filter((n) => n.startsWith('dReal/'));
    expect(names.some((n) => n.startsWith('dFake/'))).toBe(false);
    // conv0, conv1, score: kernel + bias each.
    expect(disc.sort()).toEqual([
      'dReal/conv0/bias',
      'dReal/conv0/kernel',
      'dReal/conv1/bias',
      'dReal/conv1/kernel',
      'dReal/score/bias',
      'dReal/score/kernel',
    ]);
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
    const doc = ganDoc(
      critic,
      [
        { id: 'mix', type: 'interpolate' },
        { id: 'dMix', type: 'discriminator', params: critic, sharesWeightsWith: 'dReal' },
        { id: 'gp', type: 'gradientPenalty', params: { weight: 10 } },
        { id: 'dTotal', type: 'weightedSum' },
      ],
      [
        'data.x -> mix.real',
        'gen.y -> mix.fake',
        'mix.x -> dMix.x',
        'mix.x -> gp.interpolates',
        'dMix.logits -> gp.criticOutput',
        'dLoss.loss -> dTotal.a',
        'gp.loss -> dTotal.b',
      ],
      'dTotal',
    );
    const model = new CompiledModel(compileOrThrow(doc).plan!);
    const rng = mulberry(2);
    const first = model.trainRound(() => squaresBatch(8, rng));
    expect(first.losses.gp).toBeGreaterThan(0);
    expect(first.losses.optD).toBeCloseTo(first.losses.dLoss + first.losses.gp, 3);
    // Only the penalty pushes the critic's slope towards 1; training on it alone must lower it.
    const gpOnlyDoc = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'dTotal' ? { ...n, params: { wa: 0 } } : n)) };
    const gpOnly = new CompiledModel(compileOrThrow(gpOnlyDoc).plan!);
    const gps: number[] = [];
    for (let i = 0; i < 8; i++) gps.push(gpOnly.trainRound(() => squaresBatch(8, rng), 'optD').losses.gp);
    expect(gps[gps.length - 1]).toBeLessThan(gps[0]);
    model.dispose();
    gpOnly.dispose();
  });
});

describe('blocks', () => {
  const cases: [string, Parameters<typeof graph>[0], string[]][] = [
    [
      'mlp encoder (gaussian) → sampler → conv decoder with a condition',
      [
        { id: 'enc', type: 'encoder', params: { kind: 'mlp', hidden: [16], latent: 3 } },
        { id: 's', type: 'sampler' },
        { id: 'y', type: 'label' },
        { id: 'dec', type: 'decoder', params: { kind: 'conv', hidden: [4] } },
        { id: 'loss', type: 'bce' },
      ],
      [
        'data.x -> enc.x',
        'enc.mean -> s.mean',
        'enc.logVar -> s.logVar',
        's.z -> dec.z',
        'y.y -> dec.condition',
        'dec.y -> loss.prediction',
        'data.x -> loss.target',
      ],
    ],
    [
      'conv encoder (deterministic) → mlp decoder (flat) with MSE',
      [
        { id: 'enc', type: 'encoder', params: { kind: 'conv', hidden: [4, 8], latent: 5, output: 'deterministic' } },
        { id: 'dec', type: 'decoder', params: { kind: 'mlp', hidden: [16], outputShape: 'flat784', outputActivation: 'sigmoid' } },
        { id: 'loss', type: 'mse' },
      ],
      ['data.x -> enc.x', 'enc.z -> dec.z', 'dec.y -> loss.prediction', 'data.x -> loss.target'],
    ],
    [
      'conditional DCGAN generator with batch norm and conv discriminator',
      [
        { id: 'z', type: 'noise', params: { size: 8 } },
        { id: 'y', type: 'label' },
        { id: 'gen', type: 'generator', params: { kind: 'conv', hidden: [8, 4], batchNorm: true } },
        { id: 'd', type: 'discriminator', params: { kind: 'conv', hidden: [4] } },
        { id: 'loss', type: 'ganLoss', params: { player: 'generator' } },
      ],
      ['z.z -> gen.z', 'y.y -> gen.condition', 'gen.y -> d.x', 'y.y -> d.condition', 'd.logits -> loss.fakeLogits'],
    ],
  ];

  it.each(cases)('%s: compiles, runs a training step and has the expected modes', (_name, nodes, edges) => {
    const doc = graph([data(), ...nodes, { id: 'opt', type: 'optimizer' }], [...edges, 'loss.loss -> opt.loss']);
    const result = compileOrThrow(doc);
    expect(result.errors.filter((e) => e.severity === 'error')).toEqual([]);
    const plan = result.plan!;
    for (const n of nodes)
      if (['encoder', 'decoder', 'generator', 'discriminator'].includes(n.type)) expect(result.paramCounts[n.id]).toBeGreaterThan(0);
    // Only graphs that draw from a prior (a Sampler or Noise node) can generate.
    const generates = nodes.some((n) => n.type === 'sampler' || n.type === 'noise');
    expect(plan.modes.generate !== null).toBe(generates);
    const model = new CompiledModel(plan);
    const rng = mulberry(3);
    const step = model.trainRound(() => squaresBatch(8, rng));
    expect(Number.isFinite(step.losses.opt)).toBe(true);
    if (generates) expect(model.generate(2).length).toBe(2 * 784);
    if (plan.modes.encode) expect(model.encode(squaresBatch(4, rng)).length).toBe(4 * plan.modes.encode.latentSize);
    model.dispose();
  });

  it('a conv discriminator sees its condition as a plane beside the image, before the first convolution', () => {
    const doc = graph(
      [
        data(),
        { id: 'z', type: 'noise', params: { size: 8 } },
        { id: 'y', type: 'label' },
        { id: 'gen', type: 'generator', params: { kind: 'conv', hidden: [8, 4] } },
        { id: 'd', type: 'discriminator', params: { kind: 'conv', hidden: [4] } },
        { id: 'loss', type: 'ganLoss', params: { player: 'generator' } },
        { id: 'opt', type: 'optimizer' },
      ],
      [
        'z.z -> gen.z',
        'y.y -> gen.condition',
        'gen.y -> d.x',
        'y.y -> d.condition',
        'd.logits -> loss.fakeLogits',
        'loss.loss -> opt.loss',
      ],
    );
    const plan = compileOrThrow(doc).plan!;
    const joined = plan.nodes.find((n) => n.id === 'd/cond')!;
    expect(joined.outputShapes.y).toEqual([BATCH, 28, 28, 2]);
    expect(plan.nodes.find((n) => n.id === 'd/conv0')!.inputs.x).toEqual({ node: 'd/cond', port: 'y' });
  });

  it('a deterministic encoder code is the latent for encoding; a gaussian one leaves z without a shape', () => {
    const det = compileOrThrow(
      graph([data(), ...cases[1][1], { id: 'opt', type: 'optimizer' }], [...cases[1][2], 'loss.loss -> opt.loss']),
    );
    expect(det.plan!.modes.encode).toEqual({ latent: { node: 'enc/z', port: 'y' }, latentSize: 5 });
    expect(Object.keys(det.shapes.enc.outputs)).toEqual(['z']);
    const vae = compileOrThrow(
      graph([data(), ...cases[0][1], { id: 'opt', type: 'optimizer' }], [...cases[0][2], 'loss.loss -> opt.loss']),
    );
    expect(Object.keys(vae.shapes.enc.outputs).sort()).toEqual(['logVar', 'mean']);
    expect(vae.shapes.dec.outputs.y).toEqual([-1, 28, 28, 1]);
  });

  it('explains a conv block on flat input', () => {
    const doc = graph(
      [data(), { id: 'f', type: 'flatten' }, { id: 'enc', type: 'encoder', params: { kind: 'conv', hidden: [4] } }],
      ['data.x -> f.x', 'f.y -> enc.x'],
    );
    const e = compileErrors(doc).find((x) => x.nodeId === 'enc');
    expect(e?.message).toMatch(/B×784.*Reshape/);
  });

  it('a VAE built from encoder, sampler and decoder blocks learns: the negative ELBO falls', () => {
    const doc = graph(
      [
        data(32),
        { id: 'enc', type: 'encoder', params: { kind: 'mlp', hidden: [64], latent: 4 } },
        { id: 's', type: 'sampler' },
        { id: 'dec', type: 'decoder', params: { kind: 'mlp', hidden: [64] } },
        { id: 'recon', type: 'bce' },
        { id: 'kl', type: 'gaussianKl' },
        { id: 'elbo', type: 'weightedSum' },
        { id: 'adam', type: 'optimizer', params: { learningRate: 3e-3 } },
      ],
      [
        'data.x -> enc.x',
        'enc.mean -> s.mean',
        'enc.logVar -> s.logVar',
        's.z -> dec.z',
        'dec.y -> recon.prediction',
        'data.x -> recon.target',
        'enc.mean -> kl.mean',
        'enc.logVar -> kl.logVar',
        'recon.loss -> elbo.a',
        'kl.loss -> elbo.b',
        'elbo.loss -> adam.loss',
      ],
    );
    const plan = compileOrThrow(doc).plan!;
    expect(plan.modes.evaluate?.kind).toBe('elbo');
    const model = new CompiledModel(plan);
    const rng = mulberry(4);
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) losses.push(model.trainRound(() => squaresBatch(32, rng)).losses.adam);
    const avg = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(avg(losses.slice(-5))).toBeLessThan(0.6 * avg(losses.slice(0, 5)));
    expect(model.reconstruct(squaresBatch(2, rng)).outputs.length).toBe(2 * 784);
    model.dispose();
  });
});

function compileErrors(doc: ReturnType<typeof graph>) {
  return compile(doc, registry).errors;
}
