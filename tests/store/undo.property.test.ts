/** Any sequence of editor operations, undone step by step, gives back the starting document. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import vae from '../../presets/vae.json';
import { loadDocumentValue } from '../../src/graph/load';
import { createEditorStore, undo, type EditorStore } from '../../src/store/editorStore';
import { registry } from '../../nodes/index';

const start = (() => {
  const r = loadDocumentValue(vae, 'preset');
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
})();
const types = Object.keys(registry);

type Op = (store: EditorStore) => void;
const pick = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
const ids = (store: EditorStore) => store.getState().doc.nodes.map((n) => n.id);

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.nat(), x: fc.integer({ min: -500, max: 500 }) }).map(({ t, x }) => (s: EditorStore) => {
    s.getState().addNode(types[t % types.length], { x, y: x });
  }),
  fc.record({ a: fc.nat(), b: fc.nat(), p: fc.nat(), q: fc.nat() }).map(({ a, b, p, q }) => (s: EditorStore) => {
    const doc = s.getState().doc;
    const src = pick(doc.nodes, a);
    const dst = pick(doc.nodes, b);
    if (!src || !dst) return;
    const out = pick(Object.keys(registry[src.type].outputs), p);
    const inp = pick(Object.keys(registry[dst.type].inputs), q);
    if (out && inp) s.getState().connect({ source: src.id, sourcePort: out, target: dst.id, targetPort: inp });
  }),
  fc.array(fc.nat(), { minLength: 1, maxLength: 3 }).map((picks) => (s: EditorStore) => {
    s.getState().select(picks.map((i) => pick(ids(s), i)).filter((x): x is string => !!x));
    s.getState().deleteSelection();
  }),
  fc.nat().map((e) => (s: EditorStore) => {
    const edge = pick(s.getState().doc.edges, e);
    if (edge) s.getState().removeElements([], [edge.id]);
  }),
  fc.array(fc.nat(), { minLength: 1, maxLength: 4 }).map((picks) => (s: EditorStore) => {
    s.getState().select(picks.map((i) => pick(ids(s), i)).filter((x): x is string => !!x));
    s.getState().copySelection();
    s.getState().paste();
  }),
  fc.record({ n: fc.nat(), dx: fc.integer({ min: -300, max: 300 }) }).map(({ n, dx }) => (s: EditorStore) => {
    const node = pick(s.getState().doc.nodes, n);
    if (node) s.getState().moveNodes({ [node.id]: { x: node.position.x + dx, y: node.position.y } });
  }),
  fc.record({ n: fc.nat(), k: fc.nat(), v: fc.integer({ min: 1, max: 1000 }) }).map(({ n, k, v }) => (s: EditorStore) => {
    const node = pick(s.getState().doc.nodes, n);
    const name = node && pick(Object.keys(registry[node.type].params), k);
    if (node && name) s.getState().setParam(node.id, name, v);
  }),
  fc.record({ n: fc.nat(), label: fc.string({ maxLength: 20 }) }).map(({ n, label }) => (s: EditorStore) => {
    const node = pick(s.getState().doc.nodes, n);
    if (node) s.getState().setNodeFields(node.id, { label, notes: label });
  }),
  // A block fed by the data, so that unpacking below has something it can unpack.
  fc.constantFrom('encoder', 'discriminator').map((type) => (s: EditorStore) => {
    const id = s.getState().addNode(type, { x: 0, y: 0 });
    if (s.getState().doc.nodes.some((n) => n.id === 'data'))
      s.getState().connect({ source: 'data', sourcePort: 'x', target: id, targetPort: 'x' });
  }),
  fc.nat().map((n) => (s: EditorStore) => {
    const block = pick(
      s.getState().doc.nodes.filter((x) => registry[x.type].kind === 'block'),
      n,
    );
    if (block) s.getState().unpackBlock(block.id);
  }),
);

describe('undo', () => {
  it('random edit sequences followed by undo-all return the original document', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (edits) => {
        const store = createEditorStore(registry, structuredClone(start));
        for (const edit of edits) {
          edit(store);
          const docIds = new Set(ids(store));
          for (const e of store.getState().doc.edges) expect(docIds.has(e.source) && docIds.has(e.target)).toBe(true);
        }
        while (store.temporal.getState().pastStates.length) undo(store);
        expect(store.getState().doc).toEqual(start);
      }),
      { numRuns: 150 },
    );
  });
});
