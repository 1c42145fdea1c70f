import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { CATEGORIES, type Tensor } from '../../src/graph/nodeApi';
import { BATCH, type Shape } from '../../src/graph/shape';
import { B, buildLayer, callContext, concrete, inferOrThrow, paramsFor, tf, underTape } from './harness';

const nodesDir = fileURLToPath(new URL('../../nodes/', import.meta.url));
const nodeFiles = readdirSync(nodesDir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3));

const img: Shape = [BATCH, 28, 28, 1];
const flat: Shape = [BATCH, 784];
/** Plausible inputs for every node type; a new node type must add its entry here. */
const PLAUSIBLE: Record<string, Record<string, Shape>> = {
  dataset: {},
  label: {},
  noise: {},
  optimizer: { loss: [] },
  dense: { x: flat },
  conv2d: { x: img },
  convTranspose2d: { x: [BATCH, 7, 7, 8] },
  maskedConv2d: { x: img },
  activation: { x: flat },
  batchNorm: { x: [BATCH, 14, 14, 4] },
  dropout: { x: flat },
  flatten: { x: img },
  reshape: { x: flat },
  concat: { a: [BATCH, 20], b: [BATCH, 10] },
  add: { a: img, b: img },
  sampler: { mean: [BATCH, 20], logVar: [BATCH, 20] },
  addNoise: { x: img },
  interpolate: { real: img, fake: img },
  bce: { prediction: flat, target: img },
  mse: { prediction: flat, target: img },
  categorical256: { prediction: [BATCH, 28, 28, 256], target: img },
  gaussianKl: { mean: [BATCH, 20], logVar: [BATCH, 20] },
  ganLoss: { realLogits: [BATCH, 1], fakeLogits: [BATCH, 1] },
  gradientPenalty: { interpolates: img, criticOutput: [BATCH, 1] },
  l1Activity: { x: [BATCH, 64] },
  weightedSum: { a: [], b: [] },
  encoder: { x: img },
  decoder: { z: [BATCH, 20] },
  generator: { z: [BATCH, 64] },
  discriminator: { x: img },
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('node registry', () => {
  it('registers every node file under its file name', () => {
    expect(nodeFiles.length).toBeGreaterThan(20);
    for (const file of nodeFiles) {
      expect(registry[file], `nodes/${file}.ts is not in nodes/index.ts`).toBeDefined();
      expect(registry[file].type).toBe(file);
    }
    expect(Object.keys(registry).sort()).toEqual([...nodeFiles].sort());
  });

  it.each(Object.keys(registry))('%s: declaration is complete and defaults validate', (type) => {
    const def = registry[type];
    expect(CATEGORIES).toContain(def.category);
    expect(def.doc.length).toBeGreaterThan(30);
    expect(def.title.length).toBeGreaterThan(0);
    for (const port of Object.values({ ...def.inputs, ...def.outputs })) expect(port.doc.length).toBeGreaterThan(0);
    for (const k of def.keyParams ?? []) expect(def.params).toHaveProperty(k);
    paramsFor(def); // throws on problems
    expect(PLAUSIBLE[type], `add plausible inputs for ${type} to this test`).toBeDefined();
    if (def.kind === 'layer') {
      // Weights and the trainable flag go together; a layer with weights must count them.
      expect(def.trainable).toBe(def.countParams !== undefined);
    }
  });

  it.each(Object.keys(registry).filter((t) => registry[t].kind === 'layer'))('%s: build + forward gives the inferred shapes', (type) => {
    const def = registry[type];
    if (def.kind !== 'layer') return;
    const params = paramsFor(def);
    const inputShapes = PLAUSIBLE[type];
    const inferred = inferOrThrow(def, inputShapes, params);
    const { built, variables } = buildLayer(def, params, inputShapes);
    if (def.countParams) {
      const counted = def.countParams(inputShapes, params as never);
      expect(counted).toBe([...variables.values()].reduce((n, v) => n + v.size, 0));
      expect(counted).toBeGreaterThan(0);
    } else expect(variables.size).toBe(0);
    for (const mode of ['train', 'generate', 'reconstruct'] as const) {
      tf.tidy(() => {
        const call = callContext({ mode });
        // Training steps run under the gradient tape, as in CompiledModel.
        const out = (mode === 'train' ? underTape : (f: () => Record<string, Tensor>) => f())(() => {
          const inputs: Record<string, Tensor> = {};
          for (const [port, s] of Object.entries(inputShapes)) inputs[port] = tf.randomUniform(concrete(s), 0, 1);
          // A gradient penalty's critic output must be computed from its interpolates.
          if (type === 'gradientPenalty') inputs.criticOutput = inputs.interpolates.square().reshape([B, -1]).sum(1, true);
          return built.forward(inputs, call);
        });
        for (const [port, shape] of Object.entries(inferred)) {
          if (def.outputs[port] === undefined) continue;
          expect(out[port], `${type}.${port} in ${mode}`).toBeDefined();
          expect(out[port].shape).toEqual(concrete(shape, B));
          expect(Array.from(out[port].dataSync()).every(Number.isFinite), `${type}.${port} is finite`).toBe(true);
        }
      });
    }
    if (built.optimizer) built.optimizer.dispose();
    for (const v of variables.values()) v.dispose();
  });

  it.each(Object.keys(registry).filter((t) => registry[t].kind === 'block'))(
    '%s: expands to registered layers in data-flow order',
    (type) => {
      const def = registry[type];
      if (def.kind !== 'block') return;
      const e = def.expand(paramsFor(def) as never, PLAUSIBLE[type]);
      const seen = new Set<string>();
      for (const n of e.nodes) {
        expect(registry[n.type]?.kind, `${type} uses ${n.type}`).toBe('layer');
        paramsFor(registry[n.type], n.params);
        for (const edge of e.edges.filter((x) => x.target === n.id))
          expect(seen.has(edge.source), `${edge.source} comes before ${n.id}`).toBe(true);
        seen.add(n.id);
      }
      for (const port of Object.keys(e.inputs)) expect(def.inputs).toHaveProperty(port);
      for (const port of Object.keys(e.outputs)) expect(def.outputs).toHaveProperty(port);
      expect(Object.keys(e.outputs).length).toBeGreaterThan(0);
    },
  );
});
