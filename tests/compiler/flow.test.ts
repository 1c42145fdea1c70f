import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { modelFamily } from '../../src/compiler/family';
import type { GraphDocument } from '../../src/graph/document';
import { preset } from './helpers';

const errorsOf = (doc: GraphDocument) => compile(doc, registry).errors;

/** flow-2d with `edit` applied to a copy. */
function edited(edit: (doc: GraphDocument) => void): GraphDocument {
  const doc = structuredClone(preset('flow-2d.json'));
  edit(doc);
  return doc;
}

/** Re-routes the edge into `target`.`port` to come from `source`.`sourcePort`. */
function rewire(doc: GraphDocument, target: string, port: string, source: string, sourcePort: string) {
  const e = doc.edges.find((x) => x.target === target && x.targetPort === port)!;
  Object.assign(e, { source, sourcePort, id: `${source}.${sourcePort}-${target}.${port}` });
}

describe('flows in the compiler', () => {
  it('flow-2d: the chain runs from the data through every flow layer to the prior, and the loss gets each log-determinant', () => {
    const { plan, errors } = compile(preset('flow-2d.json'), registry);
    expect(errors).toEqual([]);
    expect(plan!.flow!.chain).toEqual(['norm', 'c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(plan!.flow!.input).toEqual({ node: 'data', port: 'x' });
    expect(plan!.flow!.z).toEqual({ node: 'c5', port: 'y' });
    const nll = plan!.byId.nll;
    expect(Object.keys(nll.inputs).sort()).toEqual([
      'logDet0',
      'logDet1',
      'logDet2',
      'logDet3',
      'logDet4',
      'logDet5',
      'logDet6',
      'logProb',
    ]);
    expect(nll.inputs.logDet3).toEqual({ node: 'c2', port: 'logDet' });
    const m = plan!.modes;
    expect(m.generate).toMatchObject({ inverse: true, autoregressive: false, output: { node: 'data', port: 'x' } });
    expect(m.encode).toEqual({ latent: { node: 'c5', port: 'y' }, latentSize: 2 });
    expect(m.decode).toMatchObject({ mode: 'inverse', latentSize: 2 });
    expect(m.evaluate).toMatchObject({ kind: 'nll', nllTerm: 'nll' });
    expect(modelFamily(m)).toBe('explicit-tractable');
    // The prior's log p(z) is one number per example, but it is no critic.
    expect(plan!.critic).toBeNull();
  });

  it('flow-mnist: two scales of Glow steps between dequantization and the prior', () => {
    const { plan, errors } = compile(preset('flow-mnist.json'), registry);
    expect(errors).toEqual([]);
    expect(plan!.flow!.chain.slice(0, 3)).toEqual(['deq', 'logit', 'sq1']);
    expect(plan!.flow!.chain).toHaveLength(3 + 12 + 1 + 12);
    expect(plan!.byId[plan!.flow!.z.node].outputShapes.y).toEqual([plan!.byId.sq2.outputShapes.y[0], 7, 7, 16]);
    expect(plan!.modes.encode?.latentSize).toBe(784);
  });

  it('a layer that is not invertible inside the chain is an error on that layer, with the fix', () => {
    const doc = edited((d) => {
      d.nodes.push({ id: 'mix', type: 'dense', position: { x: 0, y: 0 }, params: { units: 2 } });
      d.edges.push({ id: 'c1.y-mix.x', source: 'c1', sourcePort: 'y', target: 'mix', targetPort: 'x' });
      rewire(d, 'c2', 'x', 'mix', 'y');
    });
    const e = errorsOf(doc).find((x) => x.code === 'flow');
    expect(e).toMatchObject({ nodeId: 'mix', severity: 'error' });
    expect(e!.message).toMatch(/not invertible/);
    expect(e!.hint).toMatch(/flow layers/);
  });

  it("a chain that goes on from a layer's log-determinant is refused on the input it reaches", () => {
    // One number per example is not a batch of examples: the next layer says so on its input.
    for (const [target, port] of [
      ['c3', 'x'],
      ['prior', 'z'],
    ])
      expect(errorsOf(edited((d) => rewire(d, target, port, 'c2', 'logDet'))).find((x) => x.severity === 'error')).toMatchObject({
        code: 'shape',
        nodeId: target,
        port,
      });
  });

  it('a flow layer off the path to the prior is a warning (its log-determinant would not count)', () => {
    const doc = edited((d) => {
      d.nodes.push({ id: 'stray', type: 'actNorm', position: { x: 0, y: 0 }, params: {} });
      d.edges.push({ id: 'data.x-stray.x', source: 'data', sourcePort: 'x', target: 'stray', targetPort: 'x' });
    });
    const e = errorsOf(doc).find((x) => x.code === 'flow');
    expect(e).toMatchObject({ nodeId: 'stray', severity: 'warning' });
  });

  it('a second flow prior is an error on it', () => {
    const doc = edited((d) => {
      d.nodes.push({ id: 'prior2', type: 'flowPrior', position: { x: 0, y: 0 }, params: {} });
      d.edges.push({ id: 'c5.y-prior2.z', source: 'c5', sourcePort: 'y', target: 'prior2', targetPort: 'z' });
    });
    expect(errorsOf(doc).find((x) => x.code === 'flow')).toMatchObject({ nodeId: 'prior2', severity: 'error' });
  });

  it('a flow prior straight on the data is an identity flow: no flow error, only nothing to train', () => {
    const doc = edited((d) => {
      d.nodes = d.nodes.filter((n) => !['norm', 'c0', 'c1', 'c2', 'c3', 'c4', 'c5'].includes(n.id));
      d.edges = d.edges.filter((e) => !['norm', 'c0', 'c1', 'c2', 'c3', 'c4', 'c5'].some((id) => e.source === id || e.target === id));
      d.edges.push({ id: 'data.x-prior.z', source: 'data', sourcePort: 'x', target: 'prior', targetPort: 'z' });
    });
    expect(errorsOf(doc).map((e) => e.code)).toEqual(['nothing-to-train']);
  });
});
