/**
 * `latent-lab eval`: every figure that applies to the graph's family, each
 * named for what it is and printed beside its reference floor — likelihoods
 * (negative ELBO, importance-sampled NLL, exact NLL, bits/dim) and the quality
 * of samples (Fréchet distance in the embedded classifier's features,
 * precision/recall, NDB, the MNIST score, the class histogram; grid KL/JS and
 * MMD for 2-D points).
 */
import { NoLikelihood } from '../runtime/likelihood';
import { likelihoodReport, type LikelihoodOptions, type LikelihoodReport } from '../runtime/likelihoodReport';
import type { CompiledModel } from '../runtime/model';
import type { GraphData } from '../runtime/planData';
import type { ReadMode } from '../runtime/reads';
import { measureSamples, type SampleMetrics } from '../runtime/sampleQuality';
import type { Measurement } from '../runtime/protocol';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRun } from './inspect';
import { imageGridPng } from './png';
import { writeAtomic } from './runDir';
import { CliError, EXIT } from './setup';

export type EvalResult = LikelihoodReport;

/** The likelihood figures of a run (refuses a graph without any, such as a GAN). */
export async function evaluate(runDir: string, o: LikelihoodOptions & { data?: string; backend: string }): Promise<EvalResult> {
  const { model, data } = await openRun(runDir, o.backend, o.data);
  try {
    return await likelihood(model, data, o);
  } finally {
    model.dispose();
  }
}

async function likelihood(model: CompiledModel<ReadMode>, data: GraphData, o: LikelihoodOptions): Promise<EvalResult> {
  try {
    return await likelihoodReport(model, data, o);
  } catch (e) {
    if (e instanceof NoLikelihood) throw new CliError(EXIT.invalidDocument, e.message);
    throw e;
  }
}

/** A latent dimension whose mean KL to the prior is below this (nats) carries no information about x. */
const COLLAPSED = 0.01;

/** The lines `eval` prints: each figure named for what it is, with its reference floor where it has one. */
export function formatEval(r: EvalResult): string[] {
  const where = r.heldOut
    ? `over ${r.examples} held-out examples`
    : `over ${r.examples} TRAINING examples (the data has no separate test split; pass --data for held-out ones)`;
  const lines: string[] = [];
  if (r.kind === 'objective') {
    lines.push(`training objective: ${r.nats.toFixed(2)} per example ${where}`);
    lines.push(`no likelihood or bits/dim: ${r.why}`);
  } else {
    const name =
      r.kind === 'elbo' ? 'negative ELBO (reconstruction NLL + KL; an upper bound on the NLL)' : r.nll?.exact ? 'NLL (exact)' : 'NLL';
    lines.push(`${name}: ${r.nats.toFixed(2)} nats/example, ${r.bitsPerDim!.toFixed(4)} bits/dim ${where}`);
    if (r.nll && !r.nll.exact) lines.push(`  that is ${r.nll.meaning}`);
    if (Math.abs(r.objective - r.nats) > 1e-3 * Math.max(1, Math.abs(r.nats)))
      lines.push(`training objective (with its loss weights): ${r.objective.toFixed(2)} — not a likelihood when the weights are not 1`);
  }
  if (r.independentPixels)
    lines.push(
      `  reference: independent pixels (each a Bernoulli with its training mean) ${r.independentPixels.nats.toFixed(2)} nats/example, ${r.independentPixels.bitsPerDim.toFixed(4)} bits/dim — a model must beat this`,
    );
  if (r.importanceSampled) {
    const s = r.importanceSampled;
    lines.push(`importance-sampled NLL (K = ${s.samples}): ${s.nats.toFixed(2)} nats/example, ${s.bitsPerDim.toFixed(4)} bits/dim`);
  } else if (r.importanceUnavailable) lines.push(`importance-sampled NLL: not available — ${r.importanceUnavailable}`);
  if (r.klPerDim) {
    const collapsed = r.klPerDim.flatMap((kl, j) => (kl < COLLAPSED ? [j] : []));
    lines.push(
      collapsed.length
        ? `latent dims collapsed (unused, KL < ${COLLAPSED} nats): ${collapsed.join(', ')} — ${collapsed.length} of ${r.klPerDim.length}`
        : `no latent dim collapsed (every KL ≥ ${COLLAPSED} nats)`,
    );
    lines.push(`  KL per latent dim (nats): ${r.klPerDim.map((kl, j) => `${j}:${kl.toFixed(3)}`).join(' ')}`);
  }
  for (const [k, v] of Object.entries(r.terms)) lines.push(`  ${k}: ${v.toFixed(3)}`);
  return lines;
}

export type MetricSet = 'all' | 'likelihood' | 'samples';

export interface EvalReport {
  likelihood?: EvalResult;
  /** why no likelihood figure applies (a GAN), when one was asked for */
  likelihoodUnavailable?: string;
  samples?: SampleMetrics;
  samplesUnavailable?: string;
}

export interface EvalOptions extends LikelihoodOptions {
  data?: string;
  backend: string;
  metrics: MetricSet;
  /** samples to judge (and real examples per compared set) */
  n: number;
  /** progress lines go to stderr; --json keeps stdout for the object */
  log?: (line: string) => void;
}

/** Every metric of `o.metrics` that applies to the run's graph; one that does not apply says why. */
export async function evalReport(runDir: string, o: EvalOptions): Promise<EvalReport> {
  const { model, data } = await openRun(runDir, o.backend, o.data);
  const report: EvalReport = {};
  let drawn: Float32Array | null = null;
  const step = model.step;
  let samplesMeasured: SampleMetrics | undefined;
  try {
    if (o.metrics !== 'samples') {
      if (model.plan.modes.evaluate) report.likelihood = await likelihood(model, data, o);
      else report.likelihoodUnavailable = 'this graph defines no likelihood (a GAN is judged by its samples only)';
    }
    if (o.metrics !== 'likelihood') {
      if (!model.plan.modes.generate)
        report.samplesUnavailable = 'this graph cannot generate (no Sampler or Noise feeds a data-shaped output)';
      else {
        const samples = await measureSamples({
          model,
          train: data.train,
          test: data.test,
          n: o.n,
          onSamples: (x) => (drawn = x),
          onProgress: (done, of, what) => o.log?.(`samples: ${what} (${done}/${of})`),
        });
        samplesMeasured = samples;
        if (samples.unavailable) report.samplesUnavailable = samples.unavailable;
        else report.samples = samples;
        if (samples.birthday && drawn) await writeAtomic(join(runDir, 'birthday.png'), birthdayPng(drawn, samples.birthday.pairs));
      }
    }
  } finally {
    model.dispose();
  }
  if (!report.likelihood && !report.samples)
    throw new CliError(EXIT.invalidDocument, [report.likelihoodUnavailable, report.samplesUnavailable].filter(Boolean).join('; '));
  await saveMeasurement(runDir, { step, metrics: measurementOf(report, samplesMeasured) }, o.log);
  return report;
}

/** The report in the browser's Measurement form: the sample metrics, with the likelihood figures inside. */
function measurementOf(r: EvalReport, samples: SampleMetrics | undefined): SampleMetrics {
  const l = r.likelihood;
  const base: SampleMetrics = samples ?? {
    n: l?.examples ?? 0,
    reference: l?.heldOut ? 'held-out examples' : 'training examples',
    floorFrom: 'no sample metrics were measured',
    unavailable: r.samplesUnavailable ?? 'eval ran with --metrics likelihood',
  };
  return l ? { ...base, likelihood: l } : base;
}

const MEASUREMENTS = 'measurements.json';

/** Adds `m` to the run's measurements.json (replacing one at the same step), so `compare` can show it. */
async function saveMeasurement(runDir: string, m: Measurement, log?: (line: string) => void): Promise<void> {
  const path = join(runDir, MEASUREMENTS);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // No measurements yet.
  }
  let kept: Measurement[] = [];
  if (text !== undefined) {
    let old: unknown;
    try {
      old = JSON.parse(text);
    } catch {
      old = undefined;
    }
    if (Array.isArray(old)) kept = old.filter((e: Measurement) => e && typeof e.step === 'number' && e.step !== m.step);
    // It only keeps what eval measured before, so a damaged one is replaced rather than refused.
    else log?.(`warning: ${path} was not a list of measurements; it now holds only this one`);
  }
  const all = [...kept, m].sort((a, b) => a.step - b.step);
  await writeAtomic(path, JSON.stringify(all, null, 1));
}

/** The closest pairs side by side, one pair per row, nearest first. */
function birthdayPng(samples: Float32Array, pairs: { i: number; j: number }[]): Uint8Array {
  const size = 28 * 28;
  const grid = new Float32Array(pairs.length * 2 * size);
  pairs.forEach(({ i, j }, row) => {
    grid.set(samples.subarray(i * size, (i + 1) * size), 2 * row * size);
    grid.set(samples.subarray(j * size, (j + 1) * size), (2 * row + 1) * size);
  });
  return imageGridPng(grid, pairs.length * 2, 28, 28, 1, 2);
}

const f = (v: number | undefined, digits = 3) => (v === undefined ? '–' : v.toFixed(digits));

/** The sample metrics as lines, each with its floor (real data against real data, the same way). */
export function formatSamples(m: SampleMetrics): string[] {
  const lines = [`samples: ${m.n} drawn, compared with ${m.reference}; each floor is ${m.floorFrom}`];
  const row = (name: string, v: number | undefined, floor: number | undefined, note: string, digits = 3) =>
    v !== undefined && lines.push(`  ${name}: ${f(v, digits)}  (floor ${f(floor, digits)}) — ${note}`);
  row('Fréchet LeNet distance', m.fld, m.fld_floor, 'lower is better; Gaussian fits of the classifier’s features');
  row('precision', m.precision, m.precision_floor, 'share of samples inside the real data’s k-NN balls (k = 3)');
  row('recall', m.recall, m.recall_floor, 'share of real examples inside the samples’ k-NN balls');
  row('density', m.density, m.density_floor, 'like precision, counting how many real balls hold each sample');
  row('coverage', m.coverage, m.coverage_floor, 'share of real examples with a sample inside their ball');
  if (m.ndb !== undefined)
    lines.push(
      `  NDB: ${m.ndb} of 100 bins differ (floor ${m.ndb_floor}); JS of the bin histograms ${f(m.ndb_js, 4)} nats (floor ${f(m.ndb_js_floor, 4)})`,
    );
  row('MNIST score', m.mnist_score, m.mnist_score_floor, 'exp E[KL(p(y|x) ‖ p(y))]; 10 at most');
  row('confidence', m.confidence, m.confidence_floor, 'the classifier’s mean max-probability: how sure it is which digit each sample is');
  row('class entropy', m.class_entropy, m.class_entropy_floor, 'of the classifier’s labels for the samples, as a fraction of ln 10');
  if (m.class_counts) lines.push(`  classes seen in the samples: ${m.class_counts.map((c, i) => `${i}:${c}`).join(' ')}`);
  if (m.birthday)
    lines.push(
      `  birthday check: the ${m.birthday.pairs.length} closest pairs among ${m.birthday.s} samples (feature distance ${m.birthday.pairs.map((p) => p.distance.toFixed(2)).join(', ')}) are in birthday.png; if a pair shows the same image, the model draws from only about ${m.birthday.supportIfDuplicate.toLocaleString('en-US')} distinct images (s²)`,
    );
  if (m.missing_classes)
    lines.push(
      m.missing_classes.length
        ? `  MISSING CLASSES (under 1 % of samples): ${m.missing_classes.join(', ')} — mode collapse`
        : '  no class is missing from the samples',
    );
  row('conditioning accuracy', m.cond_accuracy, m.cond_accuracy_floor, 'the classifier agrees with the class asked for');
  row('grid KL', m.grid_kl, m.grid_kl_floor, 'KL(real ‖ generated) on a 20×20 grid, nats', 4);
  row('grid JS', m.grid_js, m.grid_js_floor, 'Jensen–Shannon on the same grid, nats', 4);
  row('MMD²', m.mmd, m.mmd_floor, 'RBF kernel, median-heuristic bandwidth, unbiased', 5);
  return lines;
}

export function formatReport(r: EvalReport): string[] {
  const lines: string[] = [];
  if (r.likelihood) lines.push(...formatEval(r.likelihood));
  else if (r.likelihoodUnavailable) lines.push(`likelihood: not available — ${r.likelihoodUnavailable}`);
  if (r.samples) lines.push(...formatSamples(r.samples));
  else if (r.samplesUnavailable) lines.push(`sample quality: not available — ${r.samplesUnavailable}`);
  return lines;
}

/** `--json`: one flat object with the issue's keys, only where they apply. */
export function reportJson(r: EvalReport): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  const put = (key: string, v: number | number[] | null | undefined) => {
    if (v !== undefined && v !== null) out[key] = v;
  };
  const l = r.likelihood;
  if (l) {
    if (l.kind === 'elbo') put('neg_elbo', l.nats);
    if (l.kind === 'nll') put('nll', l.nats);
    put('is_nll', l.importanceSampled?.nats);
    put('bits_per_dim', l.importanceSampled?.bitsPerDim ?? l.bitsPerDim);
  }
  const m = r.samples;
  if (m) {
    put('fld', m.fld);
    put('fld_floor', m.fld_floor);
    put('precision', m.precision);
    put('recall', m.recall);
    put('density', m.density);
    put('coverage', m.coverage);
    put('ndb', m.ndb);
    put('ndb_js', m.ndb_js);
    put('mnist_score', m.mnist_score);
    put('confidence', m.confidence);
    put('class_entropy', m.class_entropy);
    put('missing_classes', m.missing_classes);
    put('grid_kl', m.grid_kl);
    put('grid_js', m.grid_js);
    put('mmd', m.mmd);
    put('cond_accuracy', m.cond_accuracy);
  }
  put('n', m?.n ?? l?.examples);
  return out;
}
