import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { describeDiff, diffGraphs, isEmptyDiff } from '../../src/graph/diff';
import type { GraphDocument, GraphEdge, GraphNode } from '../../src/graph/document';
import { loadDocumentText } from '../../src/graph/load';

function preset(name: string): GraphDocument {
  const r = loadDocumentText(readFileSync(new URL(`../../presets/${name}.json`, import.meta.url), 'utf8'), `${name}.json`);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

const copy = (d: GraphDocument): GraphDocument => structuredClone(d);
const registryDefault = (type: string, param: string): unknown => registry[type]?.params[param]?.default;

describe('diffGraphs on the GAN preset', () => {
  const gan = preset('gan');

  it('finds nothing between a document and its copy', () => {
    const d = diffGraphs(gan, copy(gan));
    expect(isEmptyDiff(d)).toBe(true);
    expect(describeDiff(d)).toEqual([]);
  });

  it('names exactly the one changed GAN loss kind', () => {
    const hinge = copy(gan);
    const gLoss = hinge.nodes.find((n) => n.id === 'gLoss');
    if (!gLoss) throw new Error('the GAN preset has no gLoss node');
    gLoss.params.kind = 'hinge';
    const d = diffGraphs(gan, hinge);
    expect(d.changedParams).toEqual([
      { nodeId: 'gLoss', type: 'ganLoss', label: 'Generator loss', param: 'kind', from: 'nonSaturating', to: 'hinge' },
    ]);
    expect(describeDiff(d)).toEqual(['Generator loss “gLoss” (ganLoss): kind nonSaturating → hinge']);
    expect(isEmptyDiff(d)).toBe(false);
  });

  it('ignores positions, notes, title and edge ids, but not the seed', () => {
    const moved = copy(gan);
    moved.meta.title = 'Another title';
    moved.meta.description = 'changed';
    moved.nodes[0]!.position = { x: 999, y: -5 };
    moved.nodes[1]!.notes = 'a note';
    moved.edges = moved.edges.map((e, i) => ({ ...e, id: `renumbered-${i}` })).reverse();
    expect(isEmptyDiff(diffGraphs(gan, moved))).toBe(true);

    moved.meta.seed = gan.meta.seed + 1;
    const d = diffGraphs(gan, moved);
    expect(d.seed).toEqual({ from: gan.meta.seed, to: gan.meta.seed + 1 });
    expect(describeDiff(d)).toEqual([`seed ${gan.meta.seed} → ${gan.meta.seed + 1}`]);
  });

  it('lists added and removed nodes and edges', () => {
    const b = copy(gan);
    b.nodes = b.nodes.filter((n) => n.id !== 'noise');
    b.edges = b.edges.filter((e) => e.source !== 'noise');
    b.nodes.push({ id: 'noise2', type: 'noise', position: { x: 0, y: 0 }, params: { size: 32 } });
    b.edges.push({ id: 'x', source: 'noise2', sourcePort: 'z', target: 'gen', targetPort: 'z' });
    const d = diffGraphs(gan, b);
    expect(d.removedNodes).toEqual([{ id: 'noise', type: 'noise', label: 'Noise z ~ N(0, I)' }]);
    expect(d.addedNodes).toEqual([{ id: 'noise2', type: 'noise' }]);
    expect(d.removedEdges.map((e) => `${e.source}.${e.sourcePort}>${e.target}.${e.targetPort}`)).toEqual(['noise.z>gen.z']);
    expect(d.addedEdges.map((e) => e.id)).toEqual(['x']);
    expect(d.changedParams).toEqual([]);
    expect(describeDiff(d)).toEqual([
      'added node “noise2” (noise)',
      'removed node Noise z ~ N(0, I) “noise” (noise)',
      'added edge noise2.z → gen.z',
      'removed edge noise.z → gen.z',
    ]);
  });

  it('counts a node whose type changed as removed and added, not as changed parameters', () => {
    const b = copy(gan);
    const gLoss = b.nodes.find((n) => n.id === 'gLoss')!;
    gLoss.type = 'mse';
    const d = diffGraphs(gan, b);
    expect(d.removedNodes.map((n) => n.type)).toEqual(['ganLoss']);
    expect(d.addedNodes.map((n) => n.type)).toEqual(['mse']);
    expect(d.changedParams).toEqual([]);
  });

  it('treats a parameter written out at its default as unchanged when defaults are given', () => {
    const b = copy(gan);
    // A copy that leaves out every parameter the preset writes at its default value.
    const omitted: string[] = [];
    for (const n of b.nodes) {
      for (const [param, value] of Object.entries(n.params)) {
        if (JSON.stringify(value) !== JSON.stringify(registryDefault(n.type, param))) continue;
        delete n.params[param];
        omitted.push(`${n.id}/${param}`);
      }
    }
    expect(omitted.length).toBeGreaterThan(0);
    expect(isEmptyDiff(diffGraphs(gan, b, registryDefault))).toBe(true);
    // Without defaults a left-out parameter is a change to "not set".
    expect(
      diffGraphs(gan, b)
        .changedParams.map((c) => `${c.nodeId}/${c.param}`)
        .sort(),
    ).toEqual(omitted.sort());
  });

  it('compares arrays and objects by value, not by reference', () => {
    const b = copy(gan);
    const gen = b.nodes.find((n) => n.id === 'gen')!;
    gen.params.hidden = [...(gen.params.hidden as number[])];
    expect(isEmptyDiff(diffGraphs(gan, b))).toBe(true);
    gen.params.hidden = [128, 32];
    const d = diffGraphs(gan, b);
    expect(describeDiff(d)).toEqual(['Generator “gen” (generator): hidden [128,64] → [128,32]']);
  });

  it('reports a change of weight sharing', () => {
    const b = copy(gan);
    delete b.nodes.find((n) => n.id === 'dFake')!.sharesWeightsWith;
    const d = diffGraphs(gan, b);
    expect(d.changedParams).toEqual([
      expect.objectContaining({ nodeId: 'dFake', param: 'sharesWeightsWith', from: 'dReal', to: undefined }),
    ]);
  });
});

const ids = ['a', 'b', 'c', 'd', 'e'];
const nodeArb: fc.Arbitrary<GraphNode> = fc.record({
  id: fc.constantFrom(...ids),
  type: fc.constantFrom('dense', 'noise'),
  position: fc.record({ x: fc.integer(), y: fc.integer() }),
  params: fc.dictionary(fc.constantFrom('units', 'kind', 'hidden'), fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer()))),
});
const edgeArb: fc.Arbitrary<GraphEdge> = fc.record({
  id: fc.string({ minLength: 1 }),
  source: fc.constantFrom(...ids),
  sourcePort: fc.constantFrom('y', 'z'),
  target: fc.constantFrom(...ids),
  targetPort: fc.constantFrom('x', 'z'),
});
const docArb: fc.Arbitrary<GraphDocument> = fc
  .record({
    nodes: fc.uniqueArray(nodeArb, { selector: (n) => n.id, maxLength: 5 }),
    edges: fc.array(edgeArb, { maxLength: 8 }),
    seed: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ nodes, edges, seed }) => ({
    schemaVersion: 2 as const,
    meta: { title: 't', description: '', goals: [], seed },
    nodes,
    edges,
  }));

describe('diffGraphs properties', () => {
  it('is empty between a document and a deep copy of itself', () => {
    fc.assert(fc.property(docArb, (a) => isEmptyDiff(diffGraphs(a, copy(a)))));
  });

  it('is symmetric: what a→b adds, b→a removes, and changed parameters swap from and to', () => {
    fc.assert(
      fc.property(docArb, docArb, (a, b) => {
        const ab = diffGraphs(a, b);
        const ba = diffGraphs(b, a);
        expect(ab.addedNodes).toEqual(ba.removedNodes);
        expect(ab.removedNodes).toEqual(ba.addedNodes);
        expect(ab.addedEdges).toEqual(ba.removedEdges);
        expect(ab.removedEdges).toEqual(ba.addedEdges);
        // Nodes are visited in each side's own order, so compare the changes as sets.
        const key = (c: { nodeId: string; param: string }) => `${c.nodeId}/${c.param}`;
        const forward = ab.changedParams.map((c) => [key(c), c.from, c.to]).sort();
        const backward = ba.changedParams.map((c) => [key(c), c.to, c.from]).sort();
        expect(forward).toEqual(backward);
        expect(isEmptyDiff(ab)).toBe(isEmptyDiff(ba));
      }),
    );
  });
});
