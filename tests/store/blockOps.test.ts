/**
 * Blocks both ways: a block's layers edited as a block definition (the
 * expansion the compiler inlines, so the editor's list and the compiled
 * network are one structure), shared blocks edited in one place, layers
 * collapsed into a block; each change one undo step, documents round-trip.
 */
import { describe, expect, it } from 'vitest';
import ae from '../../presets/ae.json';
import gan from '../../presets/gan.json';
import moons from '../../presets/vae-2d-moons.json';
import { loadDocumentText, loadDocumentValue } from '../../src/graph/load';
import type { GraphDocument } from '../../src/graph/document';
import { compile } from '../../src/compiler/compile';
import { createEditorStore, undo } from '../../src/store/editorStore';
import { collapseLayers, editDefinition, insertLayer, materialize, moveLayer, removeLayer } from '../../src/store/blockOps';
import { blockLayers } from '../../src/ui/overlays/blockLayers';
import { registry } from '../../nodes/index';

function preset(raw: unknown): GraphDocument {
  const r = loadDocumentValue(raw, 'preset');
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

const flat = (doc: GraphDocument) => {
  const r = compile(doc, registry);
  return { errors: r.errors.filter((e) => e.severity === 'error'), r };
};
const layerIds = (doc: GraphDocument, nodeId: string) =>
  doc.blocks!.find((b) => b.id === doc.nodes.find((n) => n.id === nodeId)!.block)!.nodes.map((n) => n.id);

describe('editing a block as layers', () => {
  it('writing the expansion down changes nothing the compiler sees', () => {
    const doc = preset(moons);
    const m = materialize(doc, registry, 'dec');
    if ('reason' in m) throw new Error(m.reason);
    const before = compile(doc, registry);
    const after = compile(m.doc, registry);
    expect(after.errors).toEqual(before.errors);
    expect(after.paramCounts).toEqual(before.paramCounts);
    expect(after.shapes).toEqual(before.shapes);
    expect(m.definition.nodes.map((n) => n.id)).toEqual(['dense0', 'dense1', 'out']);
  });

  it('tanh and a Dropout in the Decoder reach the compiled network, one undo step each, and survive export and import', () => {
    const store = createEditorStore(registry, preset(moons));
    const s = store.getState();
    expect(s.setBlockLayerParam('dec', 'dense0', 'activation', 'tanh')).toEqual({ ok: true });
    expect(s.insertBlockLayer('dec', { node: 'dense0', port: 'y' }, 'dropout')).toEqual({ ok: true });
    const doc = store.getState().doc;
    expect(layerIds(doc, 'dec')).toEqual(['dense0', 'dropout_1', 'dense1', 'out']);
    const { errors, r } = flat(doc);
    expect(errors).toEqual([]);
    const plan = r.plan!;
    const byId = Object.fromEntries(plan.nodes.map((n) => [n.id, n]));
    expect(byId['dec/dense0'].params.activation).toBe('tanh');
    expect(byId['dec/dropout_1'].inputs.x).toEqual({ node: 'dec/dense0', port: 'y' });
    expect(byId['dec/dense1'].inputs.x).toEqual({ node: 'dec/dropout_1', port: 'y' });
    // The editor's table is the same list, with the compiler's shapes.
    const rows = blockLayers(
      registry.decoder,
      doc.nodes.find((n) => n.id === 'dec')!,
      doc,
      r.shapes.dec.inputs,
      registry,
      r.data,
    );
    expect(rows.rows.map((x) => [x.id, x.outputs.y])).toEqual([
      ['dense0', [-1, 64]],
      ['dropout_1', [-1, 64]],
      ['dense1', [-1, 64]],
      ['out', [-1, 2]],
    ]);
    const back = loadDocumentText(JSON.stringify(doc), 'export');
    if (!back.ok) throw new Error(back.error.message);
    expect(back.doc).toEqual(doc);
    undo(store);
    expect(layerIds(store.getState().doc, 'dec')).toEqual(['dense0', 'dense1', 'out']);
    undo(store);
    expect(store.getState().doc).toEqual(preset(moons));
  });

  it('reorders and deletes layers in a chain, refusing what would break it', () => {
    const doc = preset(moons);
    const r = editDefinition(doc, registry, 'dec', (d) => {
      const a = insertLayer(registry, d, { node: 'dense1', port: 'y' }, 'dropout');
      if (typeof a === 'string') return a;
      const b = moveLayer(registry, a, 'dropout_1', -1);
      if (typeof b === 'string') return b;
      return moveLayer(registry, b, 'dense0', 1);
    });
    if (!r.ok) throw new Error(r.reason);
    expect(layerIds(r.doc, 'dec')).toEqual(['dropout_1', 'dense0', 'dense1', 'out']);
    expect(flat(r.doc).errors).toEqual([]);
    const d = r.doc.blocks![0];
    expect(d.inputs.z).toEqual([{ node: 'dropout_1', port: 'x' }]);
    expect(moveLayer(registry, structuredClone(d), 'dropout_1', -1)).toMatch(/first layer/);
    const removed = removeLayer(registry, structuredClone(d), 'out');
    expect(typeof removed).not.toBe('string');
    if (typeof removed === 'string') return;
    expect(removed.outputs.y).toEqual({ node: 'dense1', port: 'y' });
    // Without its 2-unit output the decoder gives 64 values where the MSE wants 2: the compiler says so on the block.
    const broken = { ...r.doc, blocks: [removed] };
    expect(flat(broken).errors.map((e) => e.nodeId)).toContain('recon');
  });

  it('deleting the last block that uses a definition drops the definition; undo brings both back', () => {
    const store = createEditorStore(registry, preset(moons));
    expect(store.getState().setBlockLayerParam('dec', 'dense0', 'activation', 'tanh')).toEqual({ ok: true });
    const edited = store.getState().doc;
    expect(edited.blocks).toHaveLength(1);
    store.getState().select(['dec']);
    store.getState().deleteSelection();
    expect(store.getState().doc.blocks).toBeUndefined();
    undo(store);
    expect(store.getState().doc.blocks).toEqual(edited.blocks);
  });

  it('a shared block is one definition: editing the copy edits the owner, and the copy applies its weights', () => {
    const store = createEditorStore(registry, preset(gan));
    expect(store.getState().setBlockLayerParam('dFake', 'conv0', 'activation', 'tanh')).toEqual({ ok: true });
    const doc = store.getState().doc;
    expect(doc.blocks).toHaveLength(1);
    const ref = doc.blocks![0].id;
    expect(doc.nodes.filter((n) => n.block === ref).map((n) => n.id)).toEqual(['dReal', 'dFake']);
    const { errors, r } = flat(doc);
    expect(errors).toEqual([]);
    const fake = r.plan!.nodes.find((n) => n.id === 'dFake/conv0')!;
    expect(fake.params.activation).toBe('tanh');
    expect(fake.weightOwner).toBe('dReal/conv0');
    store.getState().resetBlockLayers('dFake');
    expect(store.getState().doc.blocks).toBeUndefined();
    expect(store.getState().doc.nodes.some((n) => n.block)).toBe(false);
  });

  it('a copied block uses the same layer list with weights of its own', () => {
    const store = createEditorStore(registry, preset(moons));
    store.getState().setBlockLayerParam('dec', 'dense0', 'activation', 'tanh');
    store.getState().select(['dec']);
    store.getState().duplicateSelection();
    const [copy] = store.getState().selectedNodeIds;
    const doc = store.getState().doc;
    expect(doc.nodes.find((n) => n.id === copy)!.block).toBe(doc.nodes.find((n) => n.id === 'dec')!.block);
    const { r } = flat(doc);
    expect(r.shapes[copy].inputs).toEqual({});
    store.getState().connect({ source: 'z', sourcePort: 'z', target: copy, targetPort: 'z' });
    const wired = flat(store.getState().doc).r;
    expect(wired.shapes[copy].outputs.y).toEqual([-1, 2]);
    expect(wired.plan!.nodes.find((n) => n.id === `${copy}/dense0`)!.weightOwner).toBe(`${copy}/dense0`);
  });

  it('reports a missing or disordered definition on the block, never throws', () => {
    const doc = preset(moons);
    const m = materialize(doc, registry, 'dec');
    if ('reason' in m) throw new Error(m.reason);
    const missing = { ...m.doc, blocks: [] };
    expect(flat(missing).errors.find((e) => e.nodeId === 'dec')?.message).toMatch(
      /definition "dec_layers_1", which the document does not have/,
    );
    const d = structuredClone(m.definition);
    d.nodes.reverse();
    expect(flat({ ...m.doc, blocks: [d] }).errors.find((e) => e.nodeId === 'dec')?.message).toMatch(/comes after it/);
  });
});

describe('collapsing layers into a block', () => {
  /** The AE with its encoder unpacked into layers: flat, dense0, dense1, z. */
  function unpackedAe() {
    const store = createEditorStore(registry, preset(ae));
    const r = store.getState().unpackBlock('enc');
    if (!r.ok) throw new Error(r.reason);
    return { store, ids: r.ids };
  }

  it('three layers become one block that compiles to the same network, trained by the same optimizer, one undo step', () => {
    const { store, ids: all } = unpackedAe();
    const ids = all.slice(1);
    expect(ids).toEqual(['enc_dense0', 'enc_dense1', 'enc_z']);
    const before = flat(store.getState().doc).r;
    store.getState().select(ids);
    const r = store.getState().collapseSelection('My encoder');
    if (!r.ok) throw new Error(r.reason);
    const doc = store.getState().doc;
    const { errors, r: after } = flat(doc);
    expect(errors).toEqual([]);
    const total = (c: typeof before) => Object.values(c.paramCounts).reduce((a, b) => a + b, 0);
    expect(total(after)).toBe(total(before));
    expect(after.paramCounts[r.id]).toBe(before.paramCounts.enc_dense0 + before.paramCounts.enc_dense1 + before.paramCounts.enc_z);
    expect(after.shapes.dec.inputs).toEqual(before.shapes.dec.inputs);
    const def = doc.blocks!.find((b) => b.id === doc.nodes.find((n) => n.id === r.id)!.block)!;
    expect(def.portNames).toEqual({ x: 'from enc_flat', y: 'enc_z' });
    expect(after.trainedBy.adam).toContain(r.id);
    expect(store.getState().selectedNodeIds).toEqual([r.id]);
    undo(store);
    expect(store.getState().doc.nodes.map((n) => n.id)).toContain('enc_dense1');
  });

  it('refuses a selection that is not a stretch of layers, with the reason', () => {
    const { store } = unpackedAe();
    const doc = store.getState().doc;
    expect(collapseLayers(doc, registry, ['enc_dense0', 'recon'])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a layer/),
    });
    expect(collapseLayers(doc, registry, ['enc_dense0', 'enc_z'])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/enc_dense1.*lies between/),
    });
    expect(collapseLayers(doc, registry, [])).toMatchObject({ ok: false });
  });
});
