/**
 * The exported PyTorch project trains the same model: from our initial weights, on one
 * fixed batch and the very noise our runtime draws (replayed from files), its losses
 * equal ours within 1e-4 (relative) at the first step and within 1e-2 after 20 steps.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { exportProject } from '../../src/cli/export';
import { saveCheckpoint } from '../../src/cli/runDir';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import { upstreamOf } from '../../src/compiler/upstream';
import { createBatcher } from '../../src/data/batcher';
import type { GraphDocument } from '../../src/graph/document';
import { setupBackend } from '../../src/runtime/backend';
import { CompiledModel, type Batch } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';
import * as tf from '../../src/runtime/tf';
import { preset } from '../compiler/helpers';
import { metricsOf, python, requireTorch } from './python';

const STEPS = 20;
const work = mkdtempSync(join(tmpdir(), 'export-parity-'));

beforeAll(async () => {
  requireTorch();
  // wasm, as `latent-lab train` runs: TF.js's pure-JavaScript cpu backend needs minutes per DCGAN or PixelCNN round here.
  await setupBackend('wasm');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function withBatch(name: string, batch: number): GraphDocument {
  const doc = structuredClone(preset(`${name}.json`));
  doc.nodes.find((n) => n.type === 'dataset')!.params.batchSize = batch;
  return doc;
}

/** The random tensors one training round draws, in order: each optimizer's steps, each sampler or noise node upstream of its loss. */
function drawsPerRound(plan: Plan): { shape: number[]; uniform: boolean }[] {
  const draws: { shape: number[]; uniform: boolean }[] = [];
  for (const opt of plan.optimizers)
    for (let k = 0; k < opt.stepsPerRound; k++) {
      const upstream = upstreamOf(plan.byId, [opt.loss.node], 'train');
      for (const n of plan.nodes) {
        const port = n.def.sampler?.output ?? n.def.noise?.output;
        if (!upstream.has(n.id) || !port) continue;
        const shape = [plan.data.batchSize, ...n.outputShapes[port].slice(1)];
        draws.push({ shape, uniform: (n.params as Record<string, unknown>).distribution === 'uniform' });
      }
    }
  return draws;
}

/**
 * The values `model` will draw over `rounds` rounds from its random counter `counter`: every draw
 * is seeded (seed·7919 + counter++) mod 2³¹−1 (CompiledModel.nextSeed), so they can be made ahead.
 */
function recordNoise(plan: Plan, counter: number, rounds: number): Float32Array {
  const parts: Float32Array[] = [];
  const seedOf = (c: number) => ((plan.seed >>> 0) * 7919 + c) % 2147483647;
  for (let r = 0; r < rounds; r++)
    for (const d of drawsPerRound(plan)) {
      const t = d.uniform
        ? tf.randomUniform(d.shape, -1, 1, 'float32', seedOf(counter++))
        : tf.randomNormal(d.shape, 0, 1, 'float32', seedOf(counter++));
      parts.push(t.dataSync() as Float32Array);
      t.dispose();
    }
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return all;
}

const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

async function parity(name: string, batchSize: number) {
  const dir = join(work, name);
  const doc = withBatch(name, batchSize);
  const result = compile(doc, registry);
  if (!result.plan) throw new Error(JSON.stringify(result.errors));
  const plan = result.plan;
  const data = await loadPlanData(plan);
  const batcher = createBatcher(data, batchSize, plan.seed);
  const drawn = batcher.next();
  const batch: Batch = { x: drawn.x, oneHot: drawn.oneHot, size: batchSize };

  // Our initial weights, as a run folder the exporter reads them from.
  const model = new CompiledModel(plan);
  const state = await model.saveState();
  const runDir = join(dir, 'run');
  await saveCheckpoint(runDir, state, batcher.state(), 'wasm');
  writeFileSync(join(runDir, 'graph.json'), JSON.stringify(doc));
  await exportProject(runDir, { to: 'pytorch', out: join(dir, 'project'), weights: true });

  const replay = join(dir, 'replay');
  mkdirSync(replay, { recursive: true });
  writeFileSync(join(replay, 'replay.json'), JSON.stringify({ batches: 1, size: batchSize }));
  writeFileSync(join(replay, 'x.bin'), bytes(batch.x));
  if (batch.oneHot) writeFileSync(join(replay, 'y.bin'), bytes(batch.oneHot));
  writeFileSync(join(replay, 'noise.bin'), bytes(recordNoise(plan, state.randomCounter, STEPS)));

  const ours: Record<string, number>[] = [];
  for (let s = 0; s < STEPS; s++) ours.push((model.trainRound(() => batch) as { losses: Record<string, number> }).losses);
  model.dispose();

  const out = join(dir, 'torch-run');
  python([join(dir, 'project', 'train.py'), '--replay', replay, '--steps', String(STEPS), '--out', out]);
  const theirs = metricsOf(readFileSync(join(out, 'metrics.jsonl'), 'utf8'));
  expect(theirs.map((l) => l.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
  const relative = (step: number) =>
    Object.fromEntries(Object.entries(ours[step]).map(([term, v]) => [term, Math.abs(theirs[step][term] - v) / Math.abs(v)]));
  const first = relative(0);
  const last = relative(STEPS - 1);
  expect(Object.keys(theirs[0]).sort()).toEqual(['step', ...Object.keys(ours[0])].sort());
  for (const [term, r] of Object.entries(first))
    expect(r, `${name} step 1 ${term}: ours ${ours[0][term]}, torch ${theirs[0][term]}`).toBeLessThan(1e-4);
  for (const [term, r] of Object.entries(last))
    expect(r, `${name} step ${STEPS} ${term}: ours ${ours[STEPS - 1][term]}, torch ${theirs[STEPS - 1][term]}`).toBeLessThan(1e-2);
  return { first, last };
}

describe('exported PyTorch projects train like Latent Lab', () => {
  it.each([
    ['vae', 8],
    ['cvae', 8],
    ['gan', 8],
    ['pixelcnn', 2],
  ])('%s (batch %i): first-step losses within 1e-4, after 20 steps within 1e-2', async (name, batchSize) => {
    const r = await parity(name as string, batchSize as number);
    console.log(name, JSON.stringify(r));
  });
});
