/**
 * `latent-lab families`: seed 002's lesson on one 2-D data set. A VAE, a
 * normalizing flow, a diffusion model and a GAN (the 2-D presets, their data
 * swapped for the one chosen) train on the same points and are judged by the
 * same figures: precision (how many samples lie on the data) and recall (how
 * much of the data the samples cover), grid KL and MMD, each beside the floor
 * of a second real draw. Likelihood models must cover every mode, so they
 * spread mass between modes (recall high, precision lower); a GAN is free to
 * sharpen and drop modes (precision high, recall lower).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registry } from '../../nodes/index';
import { createBatcher } from '../data/batcher';
import { gridDivergence, matrix, mmd2, prdc } from '../eval/index';
import type { GraphDocument } from '../graph/document';
import { loadDocumentText } from '../graph/load';
import { realReference } from '../runtime/playground';
import { FAMILIES_LESSON, lessonDocument } from '../runs/lesson';
import { sampleImages } from '../runtime/sampling';
import { scatterPng, type ScatterRange } from './png';
import { writeAtomic } from './runDir';
import { applyOverrides, backendOrExit, CliError, compileWithDataOrExit, EXIT } from './setup';
import { cliModel } from './train';

export const LESSON_SOURCES = ['ring', 'grid', 'spiral', 'moons'] as const;

export interface FamilyResult {
  family: string;
  preset: string;
  rounds: number;
  seconds: number;
  likelihood: string;
  precision: number;
  recall: number;
  gridKl: number;
  mmd2: number;
}

export interface LessonReport {
  data: string;
  n: number;
  /** The same figures for a second real draw against the first: what a perfect model would score. */
  floor: Pick<FamilyResult, 'precision' | 'recall' | 'gridKl' | 'mmd2'>;
  families: FamilyResult[];
}

export interface LessonOptions {
  /** a built-in mixture, or a CSV of points (--data) */
  source: (typeof LESSON_SOURCES)[number];
  data?: string;
  /** rounds per model instead of each preset's own count */
  steps?: number;
  n: number;
  out: string;
  backend: string;
  log: (line: string) => void;
}

const presetsDir = fileURLToPath(new URL('../../presets/', import.meta.url));

async function lessonDoc(file: string, o: LessonOptions): Promise<GraphDocument> {
  const r = loadDocumentText(await readFile(join(presetsDir, file), 'utf8'), `presets/${file}`);
  if (!r.ok) throw new CliError(EXIT.invalidDocument, r.error.message);
  const lesson = lessonDocument(r.doc, registry, { source: o.source });
  if (!lesson.ok) throw new CliError(EXIT.invalidDocument, `presets/${file}: ${lesson.why}`);
  // --data replaces the source with the points of a CSV file, as `train --data` does.
  return o.data ? applyOverrides(lesson.doc, { data: o.data }) : lesson.doc;
}

function judge(ref: Float32Array, fake: Float32Array, m: number) {
  const real = matrix(m, 2, ref);
  const gen = matrix(fake.length / 2, 2, fake);
  const pr = prdc(real, gen);
  return { precision: pr.precision, recall: pr.recall, gridKl: gridDivergence(real, gen).kl, mmd2: mmd2(real, gen).mmd2 };
}

export async function familiesLesson(o: LessonOptions): Promise<LessonReport> {
  await backendOrExit(o.backend);
  try {
    await mkdir(o.out, { recursive: true });
  } catch (e) {
    throw new CliError(
      EXIT.badArguments,
      `--out ${o.out}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const families: FamilyResult[] = [];
  let floor: LessonReport['floor'] | null = null;
  let ref: Float32Array | null = null;
  let range: ScatterRange | null = null;
  for (const entry of FAMILIES_LESSON) {
    const file = `${entry.preset}.json`;
    const doc = await lessonDoc(file, o);
    const { plan, data } = await compileWithDataOrExit(doc, o.log);
    if (plan.data.kind !== 'points' || plan.data.shape[0] !== 2)
      throw new CliError(EXIT.data, `the lesson needs 2-D points; ${o.data ?? o.source} gives ${plan.data.shape.join('×')}`);
    const real = realReference(data.train, data.test, o.n, plan.seed);
    if (!ref) {
      ref = real.ref;
      floor = judge(real.ref, real.floor, real.n);
      range = scatterRangeOf(real.ref);
      await writeAtomic(join(o.out, 'data.png'), scatterPng(real.ref, undefined, 256, range));
    }
    const steps = o.steps ?? entry.steps;
    const model = cliModel(plan, o.backend);
    try {
      const batcher = createBatcher(data.train, plan.data.batchSize, plan.seed);
      const started = performance.now();
      for (let i = 0; i < steps; i++) {
        await model.trainRound(() => ({ ...batcher.next(), size: plan.data.batchSize }));
        if ((i + 1) % 1000 === 0) o.log(`${entry.family}: ${i + 1}/${steps} rounds`);
      }
      const seconds = (performance.now() - started) / 1000;
      const fake = await sampleImages(model, real.n);
      families.push({
        family: entry.family,
        preset: file,
        rounds: steps,
        seconds,
        likelihood: entry.likelihood,
        ...judge(ref, fake, real.n),
      });
      await writeAtomic(join(o.out, `${entry.family.toLowerCase()}.png`), scatterPng(fake, undefined, 256, range!));
      o.log(`${entry.family}: trained ${steps} rounds in ${seconds.toFixed(0)} s`);
    } finally {
      model.dispose();
    }
  }
  return { data: o.data ?? o.source, n: ref!.length / 2, floor: floor!, families };
}

/** One frame for every panel: the data's extent with a margin, so the models' samples are drawn on the same axes. */
function scatterRangeOf(points: Float32Array): ScatterRange {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of points) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const pad = 0.25 * (hi - lo);
  return [lo - pad, hi + pad];
}

const f = (v: number, d = 3) => v.toFixed(d);

export function formatLesson(r: LessonReport): string[] {
  const lines = [
    `seed 002's lesson on ${r.data}: ${r.n} samples of each model against ${r.n} held-out points`,
    'family     likelihood                         precision  recall  grid KL  MMD²      rounds  time',
  ];
  for (const x of r.families)
    lines.push(
      `${x.family.padEnd(10)} ${x.likelihood.padEnd(34)} ${f(x.precision).padStart(9)}  ${f(x.recall).padStart(6)}  ${f(x.gridKl).padStart(7)}  ${f(x.mmd2, 5).padStart(8)}  ${String(x.rounds).padStart(6)}  ${x.seconds.toFixed(0)} s`,
    );
  lines.push(
    `${'floor'.padEnd(10)} ${'(a second real draw)'.padEnd(34)} ${f(r.floor.precision).padStart(9)}  ${f(r.floor.recall).padStart(6)}  ${f(r.floor.gridKl).padStart(7)}  ${f(r.floor.mmd2, 5).padStart(8)}`,
  );
  lines.push(
    'precision: the share of samples that fall on the data (k-NN manifold, k = 5); recall: the share of data points near some sample.',
    'Likelihood models pay for every data point they miss, so they cover all modes and spread some mass between them (mode covering);',
    'a GAN pays only for samples the discriminator can tell apart, so it may sharpen onto fewer modes (mode seeking).',
  );
  return lines;
}
