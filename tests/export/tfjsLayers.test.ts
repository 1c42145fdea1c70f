/**
 * Keras mappings beyond the presets' own layers: a generator holding them exports as a LayersModel
 * that tf.loadLayersModel opens and that gives our runtime's decode of the same latents within 1e-5.
 * Dropout, which only training applies, is the identity there; a layer norm of an image keeps its
 * per-channel gain at every position of Keras's; pooling pads "same" windows as ours do.
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

type Spliced = { id: string; type: string; params: Record<string, unknown> };

/** The VAE with `nodes`, in a chain, spliced in between its decoder's hidden layer (512 wide) and its output layer. */
function vaeWith(...nodes: Spliced[]): GraphDocument {
  const doc = structuredClone(preset('vae.json'));
  const edge = doc.edges.find((e) => e.source === 'dec')!;
  let from = 'dec';
  for (const node of nodes) {
    doc.nodes.push({ ...node, position: { x: 0, y: 0 } });
    doc.edges.push({ ...edge, id: `${from}-${node.id}`, source: from, sourcePort: 'y', target: node.id, targetPort: 'x' });
    from = node.id;
  }
  Object.assign(edge, { source: from, sourcePort: 'y' });
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

  it('a layer norm of features gives our decode within 1e-5', async () => {
    const { ours, theirs, classes } = await bothDecodes(vaeWith({ id: 'norm', type: 'layerNorm', params: { epsilon: 1e-3 } }));
    expect(classes).toContain('LayerNormalization');
    expect(maxDifference(ours, theirs)).toBeLessThan(1e-5);
  });

  it('an image path (upsampling, layer norm over the whole image, max and average pooling, "same" padding too) gives our decode within 1e-5', async () => {
    const { ours, theirs, classes } = await bothDecodes(
      vaeWith(
        { id: 'map', type: 'reshape', params: { shape: [8, 8, 8] } },
        { id: 'up', type: 'upSample2d', params: { scale: 2, method: 'nearest' } },
        { id: 'norm', type: 'layerNorm', params: { epsilon: 1e-3 } },
        { id: 'max', type: 'maxPool2d', params: { poolSize: 2, padding: 'valid' } },
        { id: 'avg', type: 'avgPool2d', params: { poolSize: 3, padding: 'same' } },
        { id: 'maxSame', type: 'maxPool2d', params: { poolSize: 2, padding: 'same' } },
        { id: 'flat2', type: 'flatten', params: {} },
      ),
    );
    expect(classes).toEqual(expect.arrayContaining(['UpSampling2D', 'LayerNormalization', 'MaxPooling2D', 'AveragePooling2D']));
    expect(maxDifference(ours, theirs)).toBeLessThan(1e-5);
    expect(Math.max(...theirs) - Math.min(...theirs)).toBeGreaterThan(0.1);
  });
});
