import { describe, expect, it } from 'vitest';
import vae from '../../presets/vae.json';
import { loadDocumentValue } from '../../src/graph/load';
import type { GraphDocument } from '../../src/graph/document';
import { createEditorStore, redo, undo } from '../../src/store/editorStore';
import { compileDocument } from '../../src/store/compiled';
import { decodeShareHash, encodeShareHash } from '../../src/store/share';
import { layoutPositions } from '../../src/store/layout';
import { registry } from '../../nodes/index';

function vaeDoc(): GraphDocument {
  const r = loadDocumentValue(vae, 'preset');
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

/** No edge may point at a node that is not there. */
function expectNoDangling(doc: GraphDocument) {
  const ids = new Set(doc.nodes.map((n) => n.id));
  for (const e of doc.edges) expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
}

describe('editor store', () => {
  it('adds nodes with fresh readable ids and default params', () => {
    const store = createEditorStore();
    const a = store.getState().addNode('dense', { x: 0, y: 0 });
    const b = store.getState().addNode('dense', { x: 0, y: 100 });
    expect([a, b]).toEqual(['dense_1', 'dense_2']);
    expect(store.getState().doc.nodes[0].params).toMatchObject({ units: 64, activation: 'relu' });
    expect(store.getState().selectedNodeIds).toEqual([b]);
  });

  it('connects compatible ports and replaces an occupied input', () => {
    const store = createEditorStore();
    const s = store.getState();
    const data = s.addNode('dataset', { x: 0, y: 0 });
    const flat = s.addNode('flatten', { x: 200, y: 0 });
    const d1 = s.addNode('dense', { x: 400, y: 0 });
    const d2 = s.addNode('dense', { x: 400, y: 200 });
    expect(s.connect({ source: data, sourcePort: 'x', target: flat, targetPort: 'x' }).ok).toBe(true);
    expect(s.connect({ source: flat, sourcePort: 'y', target: d1, targetPort: 'x' }).ok).toBe(true);
    expect(s.connect({ source: d2, sourcePort: 'y', target: d1, targetPort: 'x' }).ok).toBe(true);
    const into = store.getState().doc.edges.filter((e) => e.target === d1);
    expect(into).toHaveLength(1);
    expect(into[0].source).toBe(d2);
    // It says so, and one undo puts the old edge back.
    expect(store.getState().notices.at(-1)?.text).toMatch(new RegExp(`^Replaced the edge from ${flat}\\.y into ${d1}\\.x`));
    undo(store);
    expect(store.getState().doc.edges.find((e) => e.target === d1)?.source).toBe(flat);
    redo(store);
    const shapes = compileDocument(store.getState().doc).shapes;
    expect(shapes[flat].outputs.y).toEqual([-1, 784]);
  });

  it('refuses type mismatches, cycles and shape errors with a reason', () => {
    const store = createEditorStore();
    const s = store.getState();
    const data = s.addNode('dataset', { x: 0, y: 0 });
    const d1 = s.addNode('dense', { x: 0, y: 0 });
    const d2 = s.addNode('dense', { x: 0, y: 0 });
    const kl = s.addNode('gaussianKl', { x: 0, y: 0 });
    const opt = s.addNode('optimizer', { x: 0, y: 0 });
    const shape = s.connect({ source: data, sourcePort: 'x', target: d1, targetPort: 'x' });
    expect(shape).toMatchObject({ ok: false });
    expect(!shape.ok && shape.reason).toMatch(/Flatten/);
    s.connect({ source: d1, sourcePort: 'y', target: d2, targetPort: 'x' });
    const cycle = s.connect({ source: d2, sourcePort: 'y', target: d1, targetPort: 'x' });
    expect(!cycle.ok && cycle.reason).toMatch(/loop/);
    const type = s.connect({ source: d2, sourcePort: 'y', target: opt, targetPort: 'loss' });
    expect(!type.ok && type.reason).toMatch(/takes a loss/);
    expect(s.connect({ source: kl, sourcePort: 'loss', target: opt, targetPort: 'loss' }).ok).toBe(true);
    expect(store.getState().doc.edges).toHaveLength(2);
  });

  it('deletes nodes with their edges and references, and undo brings them back', () => {
    const store = createEditorStore(registry, vaeDoc());
    const before = store.getState().doc;
    store.getState().setParam('adam', 'trains', ['enc', 'dec']);
    store.getState().select(['enc']);
    store.getState().deleteSelection();
    const doc = store.getState().doc;
    expect(doc.nodes.find((n) => n.id === 'enc')).toBeUndefined();
    expect(doc.edges.some((e) => e.source === 'enc' || e.target === 'enc')).toBe(false);
    expect(doc.nodes.find((n) => n.id === 'adam')!.params.trains).toEqual(['dec']);
    expectNoDangling(doc);
    undo(store);
    undo(store);
    expect(store.getState().doc).toEqual(before);
    redo(store);
    expect(store.getState().doc.nodes.find((n) => n.id === 'adam')!.params.trains).toEqual(['enc', 'dec']);
  });

  it('pastes copies with new ids, keeping only the edges between copied nodes', () => {
    const store = createEditorStore(registry, vaeDoc());
    const s = store.getState();
    s.select(['mu', 'logvar', 'z']);
    s.copySelection();
    s.paste();
    const doc = store.getState().doc;
    const copies = store.getState().selectedNodeIds;
    expect(copies).toHaveLength(3);
    expect(copies.every((id) => !['mu', 'logvar', 'z'].includes(id))).toBe(true);
    const inner = doc.edges.filter((e) => copies.includes(e.target));
    expect(inner).toHaveLength(2);
    expect(inner.every((e) => copies.includes(e.source))).toBe(true);
    const mu = doc.nodes.find((n) => n.id === 'mu')!;
    const muCopy = doc.nodes.find((n) => n.id === copies[0])!;
    // Beside the originals: right of their bounding box by its width and a gap, so no copy covers one.
    const originals = ['mu', 'logvar', 'z'].map((id) => doc.nodes.find((n) => n.id === id)!);
    const left = Math.min(...originals.map((n) => n.position.x));
    const right = Math.max(...originals.map((n) => n.position.x + 200));
    expect(muCopy.position).toEqual({ x: mu.position.x + (right - left) + 40, y: mu.position.y });
    for (const copy of copies.map((id) => doc.nodes.find((n) => n.id === id)!)) expect(copy.position.x).toBeGreaterThanOrEqual(right + 40);
    expectNoDangling(doc);
    undo(store);
    expect(store.getState().doc).toEqual(vaeDoc());
  });

  it('keeps selection and view changes out of the history', () => {
    const store = createEditorStore(registry, vaeDoc());
    store.getState().select(['enc']);
    store.getState().setTheme('dark');
    store.getState().setDragPositions({ enc: { x: 1, y: 1 } });
    expect(store.temporal.getState().pastStates).toHaveLength(0);
    store.getState().moveNodes({ enc: { x: 5, y: 5 } });
    expect(store.temporal.getState().pastStates).toHaveLength(1);
  });

  it('records auto-layout as one undo step', async () => {
    const store = createEditorStore(registry, vaeDoc());
    const positions = await layoutPositions(store.getState().doc, registry);
    expect(Object.keys(positions)).toHaveLength(12);
    // Left to right by data flow: the dataset sits left of the optimizer.
    expect(positions.data.x).toBeLessThan(positions.adam.x);
    store.getState().moveNodes(positions);
    expect(store.temporal.getState().pastStates).toHaveLength(1);
    undo(store);
    expect(store.getState().doc).toEqual(vaeDoc());
  });

  it('round-trips share links and refuses damaged ones', () => {
    const encoded = encodeShareHash(vaeDoc());
    expect(encoded.ok).toBe(true);
    const decoded = decodeShareHash(encoded.ok ? encoded.hash : '');
    expect(decoded.ok && decoded.doc).toEqual(vaeDoc());
    const broken = decodeShareHash('#graph=1.abc');
    expect(!broken.ok && broken.error.message).toMatch(/damaged/);
    const truncated = decodeShareHash(encoded.ok ? encoded.hash.slice(0, -20) : '');
    expect(!truncated.ok && truncated.error.message).toMatch(/damaged/);
    // An lz-string link from before the deflate format is named as such, not called damaged.
    const early = decodeShareHash('#graph=N4IgLgngDgpiBcIBOBLAXgQwEYBsQF8g');
    expect(!early.ok && early.error.message).toMatch(/early version/);
    const big = vaeDoc();
    big.meta.description = Array.from({ length: 19_000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');
    const refused = encodeShareHash(big);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toMatch(/capped/);
  });
});
