/** Port kinds: what a port's tensor means, checked when an edge is drawn and when a document compiles. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import { PORT_KINDS, portKind, portMismatch } from '../../src/graph/ports';
import { addNode, checkConnection, connect, type PortConnection } from '../../src/store/docOps';
import { emptyDocument } from '../../src/graph/document';
import { preset } from '../compiler/helpers';

/** A document with one node of each type named, each with that type as its id. */
function docOf(...types: string[]): GraphDocument {
  let doc = emptyDocument();
  for (const type of types) {
    const added = addNode(doc, registry, type, { x: 0, y: 0 });
    doc = { ...added.doc, nodes: added.doc.nodes.map((n) => (n.id === added.id ? { ...n, id: type } : n)) };
  }
  return doc;
}
const edge = (from: string, to: string): PortConnection => {
  const [source, sourcePort] = from.split('.');
  const [target, targetPort] = to.split('.');
  return { source, sourcePort, target, targetPort };
};

describe('port kinds on connect', () => {
  const doc = docOf('label', 'decoder', 'sampler', 'gaussianKl', 'encoder', 'forwardNoising', 'conv2d', 'dense', 'noise', 'generator');
  const refused: [string, string, RegExp][] = [
    ['label.y', 'decoder.z', /^z takes a latent code z, but label\.y gives a one-hot label/],
    ['sampler.z', 'gaussianKl.mean', /^mean takes a mean μ, but sampler\.z gives a latent code z/],
    ['encoder.mean', 'gaussianKl.logVar', /^logVar takes a log-variance log σ², but encoder\.mean gives a mean μ/],
    ['encoder.logVar', 'sampler.mean', /^mean takes a mean μ, but encoder\.logVar gives a log-variance/],
    ['forwardNoising.t', 'conv2d.x', /^x takes an image \(B×H×W×C\), but forwardNoising\.t gives a timestep t/],
    ['label.y', 'conv2d.x', /^x takes an image/],
    ['gaussianKl.loss', 'dense.x', /^x takes a tensor, but gaussianKl\.loss gives a loss/],
    ['conv2d.y', 'generator.condition', /^condition takes a one-hot label, but conv2d\.y gives an image/],
  ];
  it.each(refused)('refuses %s → %s with the reason and what to connect instead', (from, to, reason) => {
    const verdict = checkConnection(doc, registry, edge(from, to));
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(reason);
    expect(!verdict.ok && verdict.reason).toMatch(/ — connect an output that gives /);
  });

  it('accepts a plain tensor anywhere a tensor kind is asked, and the kinds that stand in for each other', () => {
    for (const [from, to] of [
      ['dense.y', 'gaussianKl.mean'],
      ['dense.y', 'decoder.z'],
      ['encoder.mean', 'gaussianKl.mean'],
      ['encoder.mean', 'decoder.z'],
      ['sampler.z', 'decoder.z'],
      ['noise.z', 'generator.z'],
      ['label.y', 'decoder.condition'],
      ['conv2d.y', 'dense.x'],
    ])
      expect(checkConnection(doc, registry, edge(from, to)), `${from} → ${to}`).toEqual({ ok: true });
  });

  it('refuses one output as both μ and log σ² of the KL node: the pair needs two heads', () => {
    const withMean = connect(doc, edge('dense.y', 'gaussianKl.mean'));
    const verdict = checkConnection(withMean, registry, edge('dense.y', 'gaussianKl.logVar'));
    expect(!verdict.ok && verdict.reason).toBe(
      'dense.y already feeds mean (a mean μ); logVar needs a log-variance log σ² of its own, from a second head',
    );
    // Replacing the edge on mean itself is not a second use.
    expect(checkConnection(withMean, registry, edge('dense.y', 'gaussianKl.mean')).ok).toBe(true);
  });

  it('refuses a μ and log σ² pair of two latent sizes by shape', () => {
    let d = docOf('dataset', 'flatten', 'dense', 'gaussianKl');
    d = addNode(d, registry, 'dense', { x: 0, y: 0 }).doc;
    d = { ...d, nodes: d.nodes.map((n) => (n.id === 'dense_1' ? { ...n, params: { ...n.params, units: 16 } } : n)) };
    for (const c of ['dataset.x>flatten.x', 'flatten.y>dense.x', 'flatten.y>dense_1.x', 'dense.y>gaussianKl.mean'])
      d = connect(d, edge(...(c.split('>') as [string, string])));
    const verdict = checkConnection(d, registry, edge('dense_1.y', 'gaussianKl.logVar'));
    expect(!verdict.ok && verdict.reason).toMatch(/μ is B×64 but log σ² is B×16/);
  });
});

describe('port kinds in a loaded document', () => {
  it('puts a refused edge of a document on the edge, with the reason and the hint', () => {
    const doc = connect(docOf('label', 'decoder'), edge('label.y', 'decoder.z'));
    const found = compile(doc, registry).errors.find((e) => e.code === 'port-type');
    expect(found).toMatchObject({ edgeId: 'label.y-decoder.z', nodeId: 'decoder', port: 'z' });
    expect(found?.message).toMatch(/^z takes a latent code z, but label\.y gives a one-hot label/);
    expect(found?.hint).toMatch(/^connect an output that gives a latent code z or /);
  });

  it('keeps every preset free of port-kind errors, so documents made before kinds load as they did', () => {
    const names = readdirSync(new URL('../../presets/', import.meta.url)).filter((f) => f.endsWith('.json'));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const errors = compile(preset(name), registry).errors.filter((e) => e.code === 'port-type');
      expect(errors, name).toEqual([]);
    }
  });

  it('declares only known kinds, and a loss port is always a loss', () => {
    for (const def of Object.values(registry))
      for (const decl of [...Object.values(def.inputs), ...Object.values(def.outputs)]) {
        expect(PORT_KINDS).toContain(portKind(decl));
        expect(portKind(decl) === 'loss', `${def.type}: ${decl.doc}`).toBe(decl.type === 'loss');
      }
  });

  it('names both ports in a mismatch', () => {
    expect(portMismatch({ type: 'tensor', kind: 'logDet', doc: '' }, 'flow.logDet', { type: 'tensor', kind: 'image', doc: '' }, 'x')).toBe(
      'x takes an image (B×H×W×C), but flow.logDet gives a log-determinant',
    );
  });
});
