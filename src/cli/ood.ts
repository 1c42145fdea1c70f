/**
 * `latent-lab ood`: the likelihood out-of-distribution check. Each image's
 * log-likelihood is placed among the test set's (its percentile, and a
 * verdict); `--auroc` shows where the check fails — how well −log p(x) tells
 * test digits from built-in strange inputs, which can score *higher* than
 * digits (Nalisnick et al. 2019).
 */
import { readFile } from 'node:fs/promises';
import { sniff } from '../data/decode';
import { DataError } from '../data/errors';
import { toGray } from '../data/images';
import { nodeImageDecoder } from '../data/node-files';
import { strangeInputs } from '../data/strangeInputs';
import { auroc } from '../eval/auroc';
import { exampleSize } from '../graph/shape';
import { logLikelihoods, NoLikelihood, type LikelihoodKind, type LogLikelihoods } from '../runtime/likelihood';
import { openRun } from './inspect';
import { CliError, EXIT } from './setup';

const SIDE = 28;
/** Fixed, so every run is judged against the same strange images. */
const STRANGE_SEED = 2019;
/** Below the LOW-th percentile of the test set an image is unlikely, above the HIGH-th unusually likely. */
export const LOW = 1;
export const HIGH = 99;

export interface OodOptions {
  backend: string;
  /** Test examples to compare with (and images per strange set). */
  n: number;
  importanceSamples: number;
  log?: (line: string) => void;
}

export interface ImageVerdict {
  file: string;
  log_likelihood: number;
  percentile: number;
  verdict: string;
}

export interface OodReport {
  kind: LikelihoodKind;
  note: string;
  /** The test set's log-likelihoods, sorted ascending. */
  test: Float32Array;
  images: ImageVerdict[];
}

export interface AurocRow {
  name: string;
  description: string;
  n: number;
  mean_log_likelihood: number;
  auroc: number;
}

export interface AurocReport {
  kind: LikelihoodKind;
  note: string;
  test: { n: number; mean_log_likelihood: number };
  sets: AurocRow[];
}

export function verdict(percentile: number): string {
  if (percentile < LOW) return 'unlikely — out of distribution?';
  if (percentile > HIGH) return 'unusually likely';
  return 'typical';
}

/** Percent of `sorted` below v, ties counting half. */
function percentileOf(sorted: Float32Array, v: number): number {
  let below = 0;
  let equal = 0;
  for (const t of sorted) {
    if (t < v) below++;
    else if (t === v) equal++;
  }
  return (100 * (below + equal / 2)) / sorted.length;
}

/** A PNG file → 28×28 grey values in [0, 1], resized and converted as image data is. */
async function readPng(file: string): Promise<Float32Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      EXIT.badArguments,
      `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, expected a .png image' : (e as Error).message}`,
    );
  }
  if (sniff(bytes) !== 'png') throw new CliError(EXIT.data, `${file}: not a PNG image (ood scores PNG files)`);
  try {
    const out = new Float32Array(SIDE * SIDE);
    toGray(await nodeImageDecoder(bytes, file), SIDE, out, 0);
    return out;
  } catch (e) {
    if (e instanceof DataError) throw new CliError(EXIT.data, e.hint ? `${e.message} (${e.hint})` : e.message);
    throw e;
  }
}

/** Opens the run, refusing graphs that are not 28×28 grey image models with a likelihood. */
async function openExplicit(runDir: string, o: OodOptions) {
  const run = await openRun(runDir, o.backend);
  const { shape } = run.model.plan.data;
  if (shape.join('×') !== `${SIDE}×${SIDE}×1`) {
    run.model.dispose();
    throw new CliError(EXIT.invalidDocument, `ood scores 28×28 grey images, but this graph models data of shape ${shape.join('×')}`);
  }
  return run;
}

async function score(model: Parameters<typeof logLikelihoods>[0], x: Float32Array, n: number, o: OodOptions): Promise<LogLikelihoods> {
  try {
    return await logLikelihoods(model, x, n, { importanceSamples: o.importanceSamples });
  } catch (e) {
    if (e instanceof NoLikelihood)
      throw new CliError(EXIT.invalidDocument, `${e.message}; ood needs an explicit model (a VAE or PixelCNN)`);
    throw e;
  }
}

/** Each image's log-likelihood, percentile among the test set's and verdict. */
export async function oodImages(runDir: string, files: string[], o: OodOptions): Promise<OodReport> {
  // Files first: a bad one is reported before any model work.
  const pixels = await Promise.all(files.map(readPng));
  const { model, data } = await openExplicit(runDir, o);
  try {
    const n = Math.min(o.n, data.test.count);
    const size = exampleSize(data.test.shape);
    o.log?.(`scoring ${n} test examples…`);
    const test = await score(model, data.test.x.subarray(0, n * size), n, o);
    const sorted = test.nats.slice().sort();
    const images: ImageVerdict[] = [];
    // One pass per image: its posterior draws are then the same wherever it comes in the list.
    for (const [i, file] of files.entries()) {
      const ll = (await score(model, pixels[i], 1, o)).nats[0];
      const percentile = percentileOf(sorted, ll);
      images.push({ file, log_likelihood: ll, percentile, verdict: verdict(percentile) });
    }
    return { kind: test.kind, note: test.note, test: sorted, images };
  } finally {
    model.dispose();
  }
}

/** AUROC of "is out of distribution", scored by −log p(x), for test digits against every strange set. */
export async function oodAuroc(runDir: string, o: OodOptions): Promise<AurocReport> {
  const { model, data } = await openExplicit(runDir, o);
  try {
    const n = Math.min(o.n, data.test.count);
    o.log?.(`scoring ${n} test examples…`);
    const test = await score(model, data.test.x.subarray(0, n * exampleSize(data.test.shape)), n, o);
    const sets: AurocRow[] = [];
    for (const s of strangeInputs(data.test, n, STRANGE_SEED)) {
      o.log?.(`scoring ${s.count} ${s.name} images…`);
      const { nats } = await score(model, s.x, s.count, o);
      // auroc ranks its first argument above the second: digits' log p(x) above the strange set's is −log p(x) flagging the strange set.
      sets.push({ name: s.name, description: s.description, n: s.count, mean_log_likelihood: mean(nats), auroc: auroc(test.nats, nats) });
    }
    return { kind: test.kind, note: test.note, test: { n, mean_log_likelihood: mean(test.nats) }, sets };
  } finally {
    model.dispose();
  }
}

const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;

/** The value at fraction q of an ascending array (nearest rank). */
const at = (sorted: Float32Array, q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

export function formatImages(r: OodReport): string[] {
  const t = r.test;
  return [
    `log-likelihood: ${r.note}`,
    `test set (${t.length} examples): median ${at(t, 0.5).toFixed(2)} nats; ${LOW}st percentile ${at(t, LOW / 100).toFixed(2)}, ${HIGH}th ${at(t, HIGH / 100).toFixed(2)}`,
    `verdict: below the ${LOW}st percentile "${verdict(0)}", above the ${HIGH}th "${verdict(100)}", else "${verdict(50)}"`,
    ...r.images.map((i) => `${i.file}: ${i.log_likelihood.toFixed(2)} nats, percentile ${i.percentile.toFixed(1)} — ${i.verdict}`),
  ];
}

export function formatAuroc(r: AurocReport): string[] {
  const name = (s: string) => s.padEnd(12);
  const num = (v: number, w: number, d: number) => v.toFixed(d).padStart(w);
  return [
    `log-likelihood: ${r.note}`,
    'AUROC of "out of distribution" scored by −log p(x): 1 = every strange image flagged, 0.5 = chance,',
    'below 0.5 = the strange images score HIGHER than digits (the trap of Nalisnick et al. 2019)',
    `${name('set')}${'images'.padStart(7)}${'mean log p(x)'.padStart(15)}${'AUROC'.padStart(8)}  what`,
    `${name('test digits')}${String(r.test.n).padStart(7)}${num(r.test.mean_log_likelihood, 15, 2)}${'–'.padStart(8)}  held-out examples`,
    ...r.sets.map(
      (s) => `${name(s.name)}${String(s.n).padStart(7)}${num(s.mean_log_likelihood, 15, 2)}${num(s.auroc, 8, 3)}  ${s.description}`,
    ),
  ];
}

/** `--auroc --json`: one object. */
export function aurocJson(r: AurocReport) {
  return {
    kind: r.kind,
    note: r.note,
    test: r.test,
    sets: Object.fromEntries(r.sets.map((s) => [s.name, { n: s.n, mean_log_likelihood: s.mean_log_likelihood, auroc: s.auroc }])),
  };
}
