/**
 * The exported TF.js LayersModel is our generator: tf.loadLayersModel opens the files the CLI
 * writes, and on the same latents it gives what our runtime's decode gives, within 1e-5 (a VAE
 * decoder; a conditional VAE; a DCGAN generator whose batch norms use running statistics that are
 * not the initial ones). A node with no Keras layer stops the export with its name, in the CLI too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { exportProject } from '../../src/cli/export';
import { CliError } from '../../src/cli/setup';
import { saveCheckpoint } from '../../src/cli/runDir';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import { setupBackend } from '../../src/runtime/backend';
import { exportLayersModel, LayersExportError } from '../../src/runtime/layersExport';
import { CompiledModel } from '../../src/runtime/model';
import * as tf from '../../src/runtime/tf';
import { preset } from '../compiler/helpers';

const work = mkdtempSync(join(tmpdir(), 'export-tfjs-'));
// wasm, which the CLI's export runs on too.
beforeAll(async () => {
  await setupBackend('wasm');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function planOf(doc: GraphDocument) {
  const r = compile(doc, registry);
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

/** A model whose every weight and running statistic is random (variances positive), so each one counts. */
async function randomModel(doc: GraphDocument) {
  const model = new CompiledModel(planOf(doc));
  const state = await model.saveState();
  let seed = 7;
  for (const [key, t] of Object.entries(state.tensors)) {
    if (key.startsWith('opt:')) continue;
    const r = key.endsWith('Var')
      ? tf.randomUniform(t.shape, 0.5, 2, 'float32', seed++)
      : tf.randomNormal(t.shape, 0, 0.3, 'float32', seed++);
    t.data = r.dataSync() as Float32Array;
    r.dispose();
  }
  await model.loadState(state);
  return { model, state };
}

/** Exports `doc` through the CLI from a run folder, and opens what it wrote with tf.loadLayersModel. */
async function exportAndLoad(name: string, doc: GraphDocument) {
  const { model, state } = await randomModel(doc);
  const run = join(work, name);
  await saveCheckpoint(run, state, { seed: 1, batchSize: 8, count: 60000, epoch: 0, cursor: 0, step: 0 }, 'cpu');
  writeFileSync(join(run, 'graph.json'), JSON.stringify(doc));
  const out = join(work, `${name}-tfjs`);
  const said = await exportProject(run, { to: 'tfjs', out });
  expect(said).toContain('model.json');
  const modelJson = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  expect(modelJson.format).toBe('layers-model');
  expect(modelJson.modelTopology).not.toBeNull();
  const bin = readFileSync(join(out, modelJson.weightsManifest[0].paths[0]));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData }),
  );
  return { model, loaded, info: modelJson.userDefinedMetadata.latentLab };
}

function latents(n: number, size: number) {
  const z = tf.randomNormal([n, size], 0, 1, 'float32', 99);
  const values = z.dataSync() as Float32Array;
  z.dispose();
  return values;
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('TF.js LayersModel export', () => {
  it('the VAE decoder loads with tf.loadLayersModel and gives our decode of the same z within 1e-5', async () => {
    const { model, loaded, info } = await exportAndLoad('vae', preset('vae.json'));
    expect(info).toMatchObject({ latentShape: [20], prior: { distribution: 'normal' }, classes: 0, dataShape: [28, 28, 1] });
    const n = 6;
    const z = latents(n, 20);
    const ours = model.decode(z, n) as Float32Array;
    const out = loaded.predict(tf.tensor(z, [n, 20])) as tf.Tensor;
    expect(out.shape).toEqual([n, 28, 28, 1]);
    const theirs = out.dataSync();
    expect(maxDifference(ours, theirs)).toBeLessThan(1e-5);
    // Not a constant picture: the latents matter.
    expect(Math.max(...theirs) - Math.min(...theirs)).toBeGreaterThan(0.1);
    out.dispose();
    loaded.dispose();
    // Exporting leaves no tensor behind in the model's engine.
    const before = tf.memory().numTensors;
    await exportLayersModel(model.plan, await model.saveState());
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a conditional VAE takes the one-hot class as its second input', async () => {
    const { model, loaded, info } = await exportAndLoad('cvae', preset('cvae.json'));
    expect(info.classes).toBe(10);
    const n = 4;
    const z = latents(n, info.latentShape[0]);
    const ours = model.decode(z, n, 3) as Float32Array;
    const oneHot = tf.oneHot(tf.tensor1d([3, 3, 3, 3], 'int32'), 10).toFloat();
    const out = loaded.predict([tf.tensor(z, [n, info.latentShape[0]]), oneHot]) as tf.Tensor;
    expect(maxDifference(ours, out.dataSync())).toBeLessThan(1e-5);
    loaded.dispose();
    model.dispose();
  });

  it('the DCGAN generator, its batch norms on running statistics on both sides, gives our samples within 1e-5', async () => {
    const { model, loaded, info } = await exportAndLoad('gan', preset('gan.json'));
    expect(info).toMatchObject({ latentShape: [64], prior: { distribution: 'normal' }, classes: 0 });
    const classNames = loaded.layers.map((l) => l.getClassName());
    expect(classNames).toEqual(expect.arrayContaining(['Dense', 'BatchNormalization', 'Conv2DTranspose', 'Reshape']));
    const n = 4;
    const z = latents(n, 64);
    const ours = model.decode(z, n) as Float32Array;
    const out = loaded.predict(tf.tensor(z, [n, 64])) as tf.Tensor;
    expect(out.shape).toEqual([n, 28, 28, 1]);
    expect(maxDifference(ours, out.dataSync())).toBeLessThan(1e-5);
    loaded.dispose();
    model.dispose();
  });

  it('a node with no Keras layer gets a typed error naming it, and a graph with no decoder path one saying so', async () => {
    const refusal = async (doc: GraphDocument) => {
      const { model, state } = await randomModel(doc);
      model.dispose();
      return exportLayersModel(planOf(doc), state).then(
        () => null,
        (e: unknown) => e,
      );
    };
    // A flow's ActNorm between the decoder's hidden layer and its output.
    const withNorm = structuredClone(preset('vae.json'));
    withNorm.nodes.push({ id: 'norm', type: 'actNorm', position: { x: 0, y: 0 }, params: {} });
    const edge = withNorm.edges.find((e) => e.source === 'dec')!;
    withNorm.edges.push({ ...edge, id: 'dec-norm', target: 'norm', targetPort: 'x' });
    Object.assign(edge, { source: 'norm', sourcePort: 'y' });
    const e = await refusal(withNorm);
    expect(e).toBeInstanceOf(LayersExportError);
    expect((e as LayersExportError).nodeId).toBe('norm');
    expect((e as LayersExportError).nodeType).toBe('actNorm');
    expect((e as Error).message).toContain('node "norm" (ActNorm (Glow)) has no Keras layer');

    const pixelcnn = await refusal(preset('pixelcnn.json'));
    expect(pixelcnn).toBeInstanceOf(LayersExportError);
    expect((pixelcnn as Error).message).toContain('autoregressive');
  });

  it('the CLI says which node stops the export, and where a page or a model goes', async () => {
    const graph = join(work, 'vae.json');
    const pixelcnn = exportProject(new URL('../../presets/pixelcnn.json', import.meta.url).pathname, { to: 'tfjs', out: join(work, 'p') });
    await expect(pixelcnn).rejects.toBeInstanceOf(CliError);
    await expect(pixelcnn).rejects.toThrow(/cannot export .*pixelcnn\.json to TF\.js: this graph has no decoder path/);
    writeFileSync(graph, JSON.stringify(preset('vae.json')));
    await expect(exportProject(graph, { to: 'sampler-page', out: work })).rejects.toThrow(`--out ${work} is a folder`);
    await expect(exportProject(graph, { to: 'tfjs', out: graph })).rejects.toThrow(`--out ${graph} is a file`);
    await expect(exportProject(graph, { to: 'tfjs', out: join(work, 'w'), weights: true })).rejects.toThrow(
      '--weights is for --to pytorch',
    );
  });
});
