/**
 * What the preset learning tests share: loading a preset, a cheaper copy of it,
 * a short seeded training run on whatever backend the test set up, a printed
 * summary so a run of the suite doubles as a measurement, and the checks every
 * VAE test makes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { Plan } from '../../src/compiler/plan';
import { createBatcher, type Batch as DataBatch } from '../../src/data/batcher';
import type { DataSet } from '../../src/data/types';
import type { GraphDocument } from '../../src/graph/document';
import { loadDocumentText } from '../../src/graph/load';
import { revealBlanks } from '../../src/store/exercise';
import { CompiledModel, type Batch } from '../../src/runtime/model';
import { loadPlanData } from '../../src/runtime/planData';

const presetsDir = fileURLToPath(new URL('../../presets/', import.meta.url));
export const presetFiles = readdirSync(presetsDir).filter((f) => f.endsWith('.json')).sort();

export function load(file: string): GraphDocument {
  const r = loadDocumentText(readFileSync(presetsDir + file, 'utf8'), `presets/${file}`);
  if (!r.ok) throw new Error(`presets/${file}: ${r.error.message}`);
  // An exercise preset is trained as its author solved it: its blanks filled in.
  return revealBlanks(r.doc);
}

export function planOf(doc: GraphDocument): Plan {
  const r = compile(doc, registry);
  const errors = r.errors.filter((e) => e.severity !== 'warning');
  if (errors.length || !r.plan) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

/** A copy of a preset with the overrides the cost note above describes. */
export function variant(file: string, o: { batch?: number; maskedFilters?: number }): GraphDocument {
  const doc = structuredClone(load(file));
  for (const n of doc.nodes) {
    if (o.batch !== undefined && n.type === 'dataset') n.params.batchSize = o.batch;
    if (o.maskedFilters !== undefined && n.type === 'maskedConv2d') n.params.filters = o.maskedFilters;
  }
  return doc;
}

/** A model batch built the way the CLI and the worker build it: the batcher's batch plus its size. */
const modelBatch = (b: DataBatch, size: number): Batch => ({ ...b, size });

export const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

export interface Run { plan: Plan; model: CompiledModel; data: DataSet; losses: Record<string, number>[]; seconds: number }

/** Trains `steps` rounds; every round's losses are kept. The caller disposes the model. */
export async function train(doc: GraphDocument, steps: number, opts: { only?: string } = {}): Promise<Run> {
  const plan = planOf(doc);
  const data = await loadPlanData(plan);
  const model = new CompiledModel(plan);
  const batcher = createBatcher(data, plan.data.batchSize, plan.seed);
  const losses: Record<string, number>[] = [];
  const started = performance.now();
  for (let i = 0; i < steps; i++) losses.push(model.trainRound(() => modelBatch(batcher.next(), plan.data.batchSize), opts.only).losses);
  return { plan, model, data, losses, seconds: (performance.now() - started) / 1000 };
}

export function summary(name: string, run: Run, key: string, extra = '') {
  const series = run.losses.map((l) => l[key]);
  // Printed so a run of the suite doubles as a measurement (see the closing note of issue 2).
  console.log(`[learn] ${name}: ${series.length} steps in ${run.seconds.toFixed(1)} s; ${key} first ${series[0].toFixed(2)}, last ${series[series.length - 1].toFixed(2)}${extra}`);
  return series;
}

/** Mean of the first k and of the last k values of a series. */
export const ends = (s: number[], k: number) => ({ first: mean(s.slice(0, k)), last: mean(s.slice(-k)) });

/**
 * What every VAE learning test checks, on a batch-32 copy trained for `steps`: the negative ELBO falls by
 * ≥ 40 %, and the latent is used (KL to the prior above 1 nat over the last 5 steps). Returns the run.
 */
export async function expectVaeLearns(file: string, name: string, steps: number): Promise<Run> {
  const run = await train(variant(file, { batch: 32 }), steps);
  const s = summary(name, run, 'adam', `; KL last ${run.losses.at(-1)!['KL to prior'].toFixed(2)}`);
  const { first, last } = ends(s, 3);
  expect(last).toBeLessThanOrEqual(0.6 * first);
  expect(mean(run.losses.slice(-5).map((l) => l['KL to prior']))).toBeGreaterThan(1);
  return run;
}
