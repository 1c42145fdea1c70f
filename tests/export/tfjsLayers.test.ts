/**
 * Keras mappings beyond the presets' own layers: a generator holding them exports as a LayersModel
 * that tf.loadLayersModel opens and that gives our runtime's decode of the same latents within 1e-5.
 * Dropout, which only training applies, is the identity there.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import { setupBackend } from '../../src/runtime/backend';
import { exportLayersModel } from '../../src/runtime/layersExport';
import { CompiledModel } from '../../src/runtime/model';
import * as tf from '../../src/runtime/tf';
import { preset } from '../compiler/helpers';

// wasm, which the CLI's export runs on too.
beforeAll(async () => {
  await setupBackend('wasm');
});

/** The VAE with `node` spliced in between its decoder's hidden layer and its output layer. */
function vaeWith(node: { id: string; type: string; params: Record<string, unknown> }): GraphDocument {
  const doc = structuredClone(preset('vae.json'));
  doc.nodes.push({ ...node, position: { x: 0, y: 0 } });
  const edge = doc.edges.find((e) => e.source === 'dec')!;
  doc.edges.push({ ...edge, id: `dec-${node.id}`, target: node.id, targetPort: 'x' });
  Object.assign(edge, { source: node.id, sourcePort: 'y' });
  return doc;
}

/** Our decode and the loaded LayersModel's on the same latents, from a model whose every weight is random. */
async function bothDecodes(doc: GraphDocument, n = 5) {
  const r = compile(doc, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  const model = new CompiledModel(r.plan);
  const state = await model.saveState();
  let seed = 3;
  for (const [key, t] of Object.entries(state.tensors)) {
    if (key.startsWith('opt:')) continue;
    const v = tf.randomNormal(t.shape, 0, 0.3, 'float32', seed++);
    t.data = v.dataSync() as Float32Array;
    v.dispose();
  }
  await model.loadState(state);
  const exported = await exportLayersModel(r.plan, state);
  const json = JSON.parse(exported.modelJson);
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: exported.weights }),
  );
  const size = exported.info.latentShape[0];
  const zt = tf.randomNormal([n, size], 0, 1, 'float32', 11);
  const z = zt.dataSync() as Float32Array;
  const out = loaded.predict(zt) as tf.Tensor;
  const theirs = out.dataSync() as Float32Array;
  const ours = model.decode(z, n) as Float32Array;
  const classes = loaded.layers.map((l) => l.getClassName());
  [zt, out].forEach((t) => t.dispose());
  loaded.dispose();
  model.dispose();
  return { ours, theirs, classes };
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('TF.js export of more layers', () => {
  it('a dropout in the decoder is the identity in the LayersModel, as in our decode', async () => {
    const { ours, theirs, classes } = await bothDecodes(vaeWith({ id: 'drop', type: 'dropout', params: { rate: 0.5 } }));
    expect(maxDifference(ours, theirs)).toBeLessThan(1e-5);
    expect(Math.max(...theirs) - Math.min(...theirs)).toBeGreaterThan(0.1);
    expect(classes).not.toContain('Dropout');
  });
});
