/** What each loss term is counted in: the compiler derives it from the loss nodes for the chart's axis. */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { MIXED_OBJECTIVE, NATS_PER_EXAMPLE } from '../../src/compiler/modes';
import type { GraphDocument } from '../../src/graph/document';
import { preset } from './helpers';

const edit = (doc: GraphDocument, f: (d: GraphDocument) => void) => {
  const copy = structuredClone(doc);
  f(copy);
  return copy;
};
const node = (d: GraphDocument, id: string) => d.nodes.find((n) => n.id === id)!;
const planOf = (doc: GraphDocument) => {
  const r = compile(doc, registry);
  expect(r.errors.filter((e) => e.severity === 'error')).toEqual([]);
  return r.plan!;
};

describe('loss units', () => {
  it('VAE: the Bernoulli NLL, the KL and their sum are all nats per example', () => {
    expect(planOf(preset('vae.json')).lossUnits).toEqual({ recon: NATS_PER_EXAMPLE, kl: NATS_PER_EXAMPLE, elbo: NATS_PER_EXAMPLE });
  });

  it('β-VAE: a KL weight of 4 keeps the units and the ELBO terms (the weighted sum is not the ELBO)', () => {
    const plan = planOf(edit(preset('vae.json'), (d) => (node(d, 'elbo').params.wb = 4)));
    expect(plan.lossUnits.elbo).toBe(NATS_PER_EXAMPLE);
    expect(plan.modes.evaluate).toMatchObject({ kind: 'elbo', nllTerm: 'recon', klTerm: 'kl' });
  });

  it('a mean-reduced BCE is nats per value, so the sum with the KL (nats per example) mixes units and is just an objective', () => {
    const plan = planOf(edit(preset('vae.json'), (d) => (node(d, 'recon').params.reduction = 'mean')));
    expect(plan.lossUnits).toEqual({ recon: 'nats per value', kl: NATS_PER_EXAMPLE, elbo: MIXED_OBJECTIVE });
  });

  it('MSE is squared error, never nats (it is no Gaussian NLL without the ½ and the constant)', () => {
    const mse = (reduction: string) =>
      planOf(
        edit(preset('ae.json'), (d) => {
          node(d, 'recon').type = 'mse';
          node(d, 'recon').params = { reduction };
        }),
      ).lossUnits.recon;
    expect(mse('mean')).toBe('squared error per value');
    expect(mse('sum')).toBe('squared error per example');
  });

  it("GAN: the non-saturating players' cross-entropies are nats; a Wasserstein critic counts in its own scores", () => {
    expect(planOf(preset('gan.json')).lossUnits).toEqual({ dLoss: NATS_PER_EXAMPLE, gLoss: NATS_PER_EXAMPLE });
    const wgan = planOf(
      edit(preset('gan.json'), (d) => {
        for (const id of ['dLoss', 'gLoss']) node(d, id).params.kind = 'wasserstein';
      }),
    );
    expect(wgan.lossUnits).toEqual({ dLoss: 'critic score', gLoss: 'critic score' });
  });

  it('sparse AE: reconstruction plus an L1 penalty is a weighted sum of mixed units', () => {
    const plan = planOf(
      edit(preset('ae.json'), (d) => {
        d.nodes.push(
          { id: 'l1', type: 'l1Activity', position: { x: 0, y: 0 }, params: { weight: 0.1 } },
          { id: 'sum', type: 'weightedSum', position: { x: 0, y: 0 }, params: {} },
        );
        d.edges = d.edges.filter((e) => e.target !== 'adam');
        const edge = (source: string, sourcePort: string, target: string, targetPort: string) =>
          d.edges.push({ id: `${source}-${target}.${targetPort}`, source, sourcePort, target, targetPort });
        edge('enc', 'z', 'l1', 'x');
        edge('recon', 'loss', 'sum', 'a');
        edge('l1', 'loss', 'sum', 'b');
        edge('sum', 'loss', 'adam', 'loss');
      }),
    );
    expect(plan.lossUnits).toEqual({ recon: NATS_PER_EXAMPLE, l1: 'weighted mean |activation|', sum: MIXED_OBJECTIVE });
  });
});
