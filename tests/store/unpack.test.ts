/**
 * Unpacking a block into its layers: one undoable edit, no dangling edges,
 * the same shapes on every edge around the block and the same parameter count.
 */
import { describe, expect, it } from 'vitest';
import ae from '../../presets/ae.json';
import gan from '../../presets/gan.json';
import { loadDocumentValue } from '../../src/graph/load';
import { emptyDocument, type GraphDocument } from '../../src/graph/document';
import { createEditorStore, undo, redo } from '../../src/store/editorStore';
import { compileDocument } from '../../src/store/compiled';
import { connect } from '../../src/store/docOps';
import { checkUnpack, unpackBlock } from '../../src/store/unpack';
import { registry } from '../../nodes/index';

function preset(raw: unknown): GraphDocument {
  const r = loadDocumentValue(raw, 'preset');
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

/** The VAE a learner assembles from parts: encoder and decoder blocks around a sampler. */
function vaeFromBlocks(): GraphDocument {
  let doc = emptyDocument('VAE from blocks');
  const node = (id: string, type: string, x: number, params: Record<string, unknown> = {}) =>
    doc.nodes.push({ id, type, position: { x, y: 0 }, params });
  node('data', 'dataset', 0, { source: 'mnist', batchSize: 64 });
  node('enc', 'encoder', 240, { kind: 'mlp', hidden: [256, 128], latent: 16, output: 'gaussian' });
  node('z', 'sampler', 480);
  node('dec', 'decoder', 720, { kind: 'mlp', hidden: [128, 256], outputShape: 'image28', outputActivation: 'linear' });
  node('recon', 'bce', 960, { fromLogits: true, reduction: 'sum' });
  node('kl', 'gaussianKl', 960);
  node('elbo', 'weightedSum', 1200, { wa: 1, wb: 1 });
  node('adam', 'optimizer', 1440, { trains: ['enc', 'dec'] });
  const wires: [string, string, string, string][] = [
    ['data', 'x', 'enc', 'x'],
    ['enc', 'mean', 'z', 'mean'],
    ['enc', 'logVar', 'z', 'logVar'],
    ['z', 'z', 'dec', 'z'],
    ['dec', 'y', 'recon', 'prediction'],
    ['data', 'x', 'recon', 'target'],
    ['enc', 'mean', 'kl', 'mean'],
    ['enc', 'logVar', 'kl', 'logVar'],
    ['recon', 'loss', 'elbo', 'a'],
    ['kl', 'loss', 'elbo', 'b'],
    ['elbo', 'loss', 'adam', 'loss'],
  ];
  for (const [source, sourcePort, target, targetPort] of wires) doc = connect(doc, { source, sourcePort, target, targetPort });
  return doc;
}

function expectNoDangling(doc: GraphDocument) {
  const ids = new Set(doc.nodes.map((n) => n.id));
  expect(new Set(doc.nodes.map((n) => n.id)).size).toBe(doc.nodes.length);
  for (const e of doc.edges) {
    expect(ids.has(e.source), `edge ${e.id} source`).toBe(true);
    expect(ids.has(e.target), `edge ${e.id} target`).toBe(true);
  }
  expect(new Set(doc.edges.map((e) => e.id)).size).toBe(doc.edges.length);
}

/** Shapes on the edges that entered and left the block, before and after, keyed by the outer end. */
function surroundingShapes(doc: GraphDocument, blockIds: Set<string>) {
  const c = compileDocument(doc, registry);
  const byOuterEnd: Record<string, string> = {};
  for (const e of doc.edges) {
    const inside = (id: string) => blockIds.has(id);
    if (inside(e.source) && inside(e.target)) continue;
    const shape = JSON.stringify(c.shapes[e.source]?.outputs[e.sourcePort]);
    // Edges into the block may fan out to several layers; key them by their outer source.
    const key = inside(e.target) ? `in:${e.source}.${e.sourcePort}` : inside(e.source) ? `out:${e.target}.${e.targetPort}` : `edge:${e.id}`;
    byOuterEnd[key] = shape;
  }
  return byOuterEnd;
}

function expectSameNetwork(before: GraphDocument, blockId: string) {
  const store = createEditorStore(registry, before);
  const result = store.getState().unpackBlock(blockId);
  expect(result.ok, !result.ok ? result.reason : '').toBe(true);
  if (!result.ok) return;
  const after = store.getState().doc;
  expectNoDangling(after);
  expect(after.nodes.some((n) => n.id === blockId)).toBe(false);
  expect(store.getState().selectedNodeIds).toEqual(result.ids);

  const cBefore = compileDocument(before, registry);
  const cAfter = compileDocument(after, registry);
  expect(cAfter.errors.filter((e) => e.severity === 'error')).toEqual([]);
  expect(cBefore.plan).not.toBeNull();
  expect(cAfter.plan!.paramCount).toBe(cBefore.plan!.paramCount);
  // Every layer of the block is now a document node of its own with the same count.
  const blockCount = cBefore.paramCounts[blockId];
  expect(result.ids.reduce((s, id) => s + (cAfter.paramCounts[id] ?? 0), 0)).toBe(blockCount);
  expect(surroundingShapes(after, new Set(result.ids))).toEqual(surroundingShapes(before, new Set([blockId])));
  // The same losses reach the same optimizers.
  expect(cAfter.plan!.optimizers.map((o) => [o.id, o.trains.length, o.terms.length])).toEqual(
    cBefore.plan!.optimizers.map((o) => [o.id, o.trains.length, o.terms.length]),
  );

  // One undo step brings the block back exactly; redo unpacks again.
  expect(store.temporal.getState().pastStates).toHaveLength(1);
  undo(store);
  expect(store.getState().doc).toEqual(before);
  redo(store);
  expect(store.getState().doc).toEqual(after);
  return { after, ids: result.ids, cBefore, cAfter };
}

describe('unpacking a block into layers', () => {
  it('VAE from blocks: the encoder keeps shapes, parameter count and the optimizer list', () => {
    const doc = vaeFromBlocks();
    expect(compileDocument(doc, registry).errors.filter((e) => e.severity === 'error')).toEqual([]);
    expect(checkUnpack(doc, registry, 'enc')).toMatchObject({ ok: true, caveats: [] });
    const r = expectSameNetwork(doc, 'enc')!;
    expect(r.ids).toEqual(['enc_flat', 'enc_dense0', 'enc_dense1', 'enc_mean', 'enc_logVar']);
    const adam = r.after.nodes.find((n) => n.id === 'adam')!;
    expect(adam.params.trains).toEqual(['enc_dense0', 'enc_dense1', 'enc_mean', 'enc_logVar', 'dec']);
    // The heads feed the sampler and the KL term directly.
    expect(
      r.after.edges
        .filter((e) => e.target === 'z')
        .map((e) => `${e.source}.${e.sourcePort}>${e.targetPort}`)
        .sort(),
    ).toEqual(['enc_logVar.y>logVar', 'enc_mean.y>mean']);
    // The same modes are offered.
    expect(Object.keys(r.cAfter.plan!.modes).filter((m) => r.cAfter.plan!.modes[m as 'train'])).toEqual(
      Object.keys(r.cBefore.plan!.modes).filter((m) => r.cBefore.plan!.modes[m as 'train']),
    );
  });

  it('VAE from blocks: the decoder too, and then both', () => {
    const doc = vaeFromBlocks();
    expectSameNetwork(doc, 'dec');
    const store = createEditorStore(registry, doc);
    expect(store.getState().unpackBlock('enc').ok).toBe(true);
    expect(store.getState().unpackBlock('dec').ok).toBe(true);
    const after = store.getState().doc;
    expectNoDangling(after);
    expect(after.nodes.some((n) => registry[n.type].kind === 'block')).toBe(false);
    expect(compileDocument(after, registry).plan!.paramCount).toBe(compileDocument(doc, registry).plan!.paramCount);
    expect(after.nodes.find((n) => n.id === 'adam')!.params.trains).toEqual([
      'enc_dense0',
      'enc_dense1',
      'enc_mean',
      'enc_logVar',
      'dec_dense0',
      'dec_dense1',
      'dec_out',
    ]);
  });

  it('AE preset: encoder and decoder blocks unpack to the same network', () => {
    const doc = preset(ae);
    const check = checkUnpack(doc, registry, 'enc');
    // Said up front: a plain autoencoder's latent views read the block's z port.
    expect(check.ok && check.caveats.join()).toMatch(/latent code/);
    const r = expectSameNetwork(doc, 'enc')!;
    expect(r.cBefore.plan!.modes.encode).not.toBeNull();
    expect(r.cAfter.plan!.modes.encode).toBeNull();
    expectSameNetwork(doc, 'dec');
    // Unique ids even when the readable one is taken.
    const taken = structuredClone(doc);
    taken.nodes.push({ id: 'enc_z', type: 'dense', position: { x: 0, y: 900 }, params: {} });
    const again = unpackBlock(taken, registry, 'enc');
    expect('doc' in again && again.ids).toContain('enc_z_1');
  });

  it('lays the layers out near the block and makes room to its right', () => {
    const doc = vaeFromBlocks();
    const r = unpackBlock(doc, registry, 'enc');
    if (!('doc' in r)) throw new Error(r.error);
    const enc = doc.nodes.find((n) => n.id === 'enc')!.position;
    const layers = r.doc.nodes.filter((n) => r.ids.includes(n.id));
    for (const n of layers) {
      expect(n.position.x).toBeGreaterThanOrEqual(enc.x);
      expect(Math.abs(n.position.y - enc.y)).toBeLessThan(400);
      expect(n.label).toMatch(/^\w+ · enc$/);
    }
    const rightmost = Math.max(...layers.map((n) => n.position.x));
    const sampler = r.doc.nodes.find((n) => n.id === 'z')!.position;
    expect(sampler.x).toBeGreaterThan(rightmost);
    // No two layers on one spot.
    expect(new Set(layers.map((n) => `${n.position.x},${n.position.y}`)).size).toBe(layers.length);
  });

  it('GAN: the generator unpacks (optimizer list rewritten); shared discriminators are refused with a reason', () => {
    const doc = preset(gan);
    const r = expectSameNetwork(doc, 'gen')!;
    const optG = r.after.nodes.find((n) => n.id === 'optG')!;
    expect(optG.params.trains).toEqual(
      r.ids.filter((id) => ['dense', 'batchNorm', 'convTranspose2d'].includes(r.after.nodes.find((n) => n.id === id)!.type)),
    );
    expect(r.after.nodes.find((n) => n.id === 'optD')!.params.trains).toEqual(['dReal']);

    const fake = checkUnpack(doc, registry, 'dFake');
    expect(fake.ok).toBe(false);
    expect(!fake.ok && fake.reason).toMatch(/applies the weights of “Discriminator \(real\)”.*would silently stop being one network/);
    const real = checkUnpack(doc, registry, 'dReal');
    expect(!real.ok && real.reason).toMatch(/“Discriminator \(fake, shared weights\)” applies this block’s weights/);
    const store = createEditorStore(registry, doc);
    expect(store.getState().unpackBlock('dFake').ok).toBe(false);
    expect(store.getState().doc).toBe(doc);
    expect(store.temporal.getState().pastStates).toHaveLength(0);
  });

  it('refuses blocks whose inputs are not known, layers, and outputs the block does not produce', () => {
    const doc = vaeFromBlocks();
    const cut = { ...doc, edges: doc.edges.filter((e) => e.target !== 'enc') };
    expect(checkUnpack(cut, registry, 'enc')).toMatchObject({ ok: false, reason: expect.stringMatching(/connect its input “x”/) });
    expect(checkUnpack(doc, registry, 'z')).toMatchObject({ ok: false, reason: expect.stringMatching(/only blocks/) });
    // A deterministic encoder has no mean head, but an edge still leaves from it.
    const det = structuredClone(doc);
    det.nodes.find((n) => n.id === 'enc')!.params.output = 'deterministic';
    expect(checkUnpack(det, registry, 'enc')).toMatchObject({ ok: false, reason: expect.stringMatching(/output “mean”/) });
  });
});
