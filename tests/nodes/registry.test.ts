import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { CATEGORIES, isComputedInput, type AnyNodeDef, type Tensor } from '../../src/graph/nodeApi';
import type { Shape } from '../../src/graph/shape';
import { B, buildLayer, callContext, concrete, inferOrThrow, paramsFor, tf, underTape } from './harness';

const nodesDir = fileURLToPath(new URL('../../nodes/', import.meta.url));
const nodeFiles = readdirSync(nodesDir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3));

/** A node's first example as plain shapes (an input computed from another keeps its own shape). */
function exampleShapes(def: AnyNodeDef): Record<string, Shape> {
  const example = def.examples?.[0] ?? {};
  return Object.fromEntries(Object.entries(example).map(([port, e]) => [port, isComputedInput(e) ? e.shape : e]));
}

/** Random inputs for the first example; `{ from }` inputs are computed from their source so a gradient between them exists. */
function exampleInputs(def: AnyNodeDef): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  const example = def.examples?.[0] ?? {};
  for (const [port, e] of Object.entries(example)) if (!isComputedInput(e)) inputs[port] = tf.randomUniform(concrete(e), 0, 1);
  for (const [port, e] of Object.entries(example)) {
    if (!isComputedInput(e)) continue;
    const perExample = inputs[e.from].reshape([B, -1]).square().sum(1);
    inputs[port] = perExample.reshape([B, ...e.shape.slice(1).map(() => 1)]).mul(tf.ones(concrete(e.shape)));
  }
  return inputs;
}

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
    const required = Object.entries(def.inputs).filter(([, port]) => !port.optional);
    if (required.length > 0) expect(def.examples?.length, `${type} needs examples (plausible input shapes)`).toBeGreaterThan(0);
    for (const example of def.examples ?? []) {
      for (const [port] of required) expect(example, `${type}'s example lacks input ${port}`).toHaveProperty(port);
      for (const [port, e] of Object.entries(example)) {
        expect(def.inputs, `${type}'s example names an unknown input ${port}`).toHaveProperty(port);
        if (isComputedInput(e)) expect(example, `${type}.${port} is computed from a missing input`).toHaveProperty(e.from);
      }
    }
    if (def.kind === 'layer') {
      // Weights and the trainable flag go together; a layer with weights must count them.
      expect(def.trainable).toBe(def.countParams !== undefined);
    }
  });

  it.each(Object.keys(registry).filter((t) => registry[t].kind === 'layer'))('%s: build + forward gives the inferred shapes', (type) => {
    const def = registry[type];
    if (def.kind !== 'layer') return;
    const params = paramsFor(def);
    const inputShapes = exampleShapes(def);
    const inferred = inferOrThrow(def, inputShapes, params);
    const { built, variables } = buildLayer(def, params, inputShapes);
    if (def.countParams) {
      const counted = def.countParams(inputShapes, params);
      expect(counted).toBe([...variables.values()].reduce((n, v) => n + v.size, 0));
      expect(counted).toBeGreaterThan(0);
    } else expect(variables.size).toBe(0);
    for (const mode of ['train', 'generate', 'reconstruct'] as const) {
      tf.tidy(() => {
        const call = callContext({ mode });
        // Training steps run under the gradient tape, as in CompiledModel.
        const out = (mode === 'train' ? underTape : (f: () => Record<string, Tensor>) => f())(() => {
          return built.forward(exampleInputs(def), call);
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
      const e = def.expand(paramsFor(def), exampleShapes(def));
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
