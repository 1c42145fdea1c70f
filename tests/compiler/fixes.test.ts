/** Shape errors placed on their edge, with the shape wanted and a one-click repair checked by shape inference. */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import { BATCH } from '../../src/graph/shape';
import { applyFix, setParam } from '../../src/store/docOps';
import { createEditorStore, undo } from '../../src/store/editorStore';
import { preset } from './helpers';

const vae = () => preset('vae.json');
const errorsOf = (doc: GraphDocument) => compile(doc, registry).errors.filter((e) => e.severity === 'error');
/** The VAE with its encoder wired straight to the images, Flatten left out. */
function unflattened(): GraphDocument {
  const doc = vae();
  const edges = doc.edges.filter((e) => e.id !== 'flat.y-enc.x');
  return { ...doc, edges: [...edges, { id: 'data.x-enc.x', source: 'data', sourcePort: 'x', target: 'enc', targetPort: 'x' }] };
}

describe('shape errors on the canvas', () => {
  it('puts a μ/log σ² mismatch on the log σ² edges of the Sampler and the KL, with "set units to 20"', () => {
    const broken = setParam(vae(), 'logvar', 'units', 16);
    const errors = errorsOf(broken);
    expect(errors.map((e) => [e.nodeId, e.edgeId])).toEqual([
      ['z', 'logvar.y-z.logVar'],
      ['kl', 'logvar.y-kl.logVar'],
    ]);
    for (const e of errors) {
      expect(e.expected).toEqual([BATCH, 20]);
      expect(e.fix).toEqual({ kind: 'setParam', nodeId: 'logvar', param: 'units', value: 20, label: "set log σ² head's units to 20" });
    }
    const fixed = applyFix(broken, registry, errors[0].fix!);
    expect(fixed && errorsOf(fixed.doc)).toEqual([]);
  });

  it('offers "insert Flatten" for images wired into a Dense layer, and the inserted node joins the edge', () => {
    const errors = errorsOf(unflattened());
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ nodeId: 'enc', edgeId: 'data.x-enc.x', expected: [BATCH, 784] });
    expect(errors[0].fix).toEqual({ kind: 'insertNode', type: 'flatten', edgeId: 'data.x-enc.x', label: 'insert Flatten' });
    const fixed = applyFix(unflattened(), registry, errors[0].fix!)!;
    expect(fixed.id).toBe('flatten_1');
    expect(fixed.doc.edges.filter((e) => e.source === fixed.id || e.target === fixed.id).map((e) => e.id)).toEqual([
      'data.x-flatten_1.x',
      'flatten_1.y-enc.x',
    ]);
    expect(errorsOf(fixed.doc)).toEqual([]);
  });

  it('gives the documented shape when no repair is known, and no fix', () => {
    // The pixel layer made a convolution: a B×512 vector is no image, and no one change makes it one.
    const doc = vae();
    const conv = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'logits' ? { ...n, type: 'conv2d', params: {} } : n)) };
    const wrong = errorsOf(conv).find((e) => e.nodeId === 'logits')!;
    expect(wrong).toMatchObject({ code: 'shape', edgeId: 'dec.y-logits.x', expected: 'B×H×W×C image' });
    expect(wrong.fix).toBeUndefined();
  });

  it('is a stale fix when its edge is gone', () => {
    const fix = errorsOf(unflattened())[0].fix!;
    expect(applyFix(vae(), registry, fix)).toBeNull();
  });
});

describe('the editor store applies a fix as one undo step', () => {
  it('repairs, and one undo brings the break back', () => {
    const store = createEditorStore(registry, unflattened());
    const fix = errorsOf(store.getState().doc)[0].fix!;
    expect(store.getState().applyFix(fix)).toBe(true);
    expect(errorsOf(store.getState().doc)).toEqual([]);
    expect(store.getState().selectedNodeIds).toEqual(['flatten_1']);
    undo(store);
    expect(store.getState().doc).toEqual(unflattened());
  });

  it('says so when the fix no longer fits, and changes nothing', () => {
    const store = createEditorStore(registry, vae());
    const before = store.getState().doc;
    expect(store.getState().applyFix(errorsOf(unflattened())[0].fix!)).toBe(false);
    expect(store.getState().doc).toBe(before);
    expect(store.getState().notices.at(-1)?.text).toMatch(/“insert Flatten” no longer fits the graph/);
  });
});
