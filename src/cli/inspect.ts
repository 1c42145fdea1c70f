/** `latent-lab sample` and `latent-lab eval`: load a run directory and use its trained model. */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createBatcher } from '../data/batcher';
import type { DataSet } from '../data/types';
import { exampleSize } from '../graph/shape';
import { checkSampleCount, SampleLimit, samplesPng } from './pictures';
import { writeAtomic } from './runDir';
import { applyOverrides, backendOrExit, CliError, compileWithDataOrExit, EXIT, readGraph } from './setup';
import { cliModel, readCheckpoint } from './train';

const log = (s: string) => process.stderr.write(s + '\n');

async function openRun(runDir: string, backend: string, dataPath?: string) {
  const isDir = await stat(runDir).then(
    (st) => st.isDirectory(),
    () => {
      throw new CliError(EXIT.badArguments, `${runDir}: no such run folder; pass a folder written by train (its --out)`);
    },
  );
  if (!isDir) throw new CliError(EXIT.badArguments, `${runDir} is a file; pass the run folder train wrote (its --out)`);
  const doc = await applyOverrides(await readGraph(join(runDir, 'graph.json')), { data: dataPath });
  const { plan, data } = await compileWithDataOrExit(doc, log);
  const checkpoint = await readCheckpoint(runDir, 'run folder');
  await backendOrExit(backend);
  const model = cliModel(plan, backend);
  try {
    await model.loadState(checkpoint.state);
  } catch (e) {
    model.dispose();
    throw new CliError(
      EXIT.invalidDocument,
      `${join(runDir, 'checkpoint')} does not fit ${join(runDir, 'graph.json')}: ${(e as Error).message} (was graph.json edited? train again)`,
    );
  }
  return { model, data };
}

export async function sample(runDir: string, o: { n: number; label?: number; out?: string; backend: string }): Promise<number> {
  const out = o.out ?? join(runDir, 'samples.png');
  if (o.out !== undefined) await checkPngOut(o.out);
  const { model, data } = await openRun(runDir, o.backend);
  const g = model.plan.modes.generate;
  if (!g)
    throw new CliError(EXIT.invalidDocument, 'this graph cannot generate: it has no Sampler or Noise node feeding a data-shaped output');
  if (o.label !== undefined && (!g.conditional || o.label < 0 || o.label >= model.plan.data.numClasses))
    throw new CliError(
      EXIT.badArguments,
      g.conditional ? `--label must be 0–${model.plan.data.numClasses - 1}` : '--label needs a conditional graph (one with a Label node)',
    );
  try {
    checkSampleCount(model, o.n, o.label);
  } catch (e) {
    if (e instanceof SampleLimit) throw new CliError(EXIT.badArguments, e.message);
    throw e;
  }
  const png = await samplesPng(model, data.test, o.n, o.label);
  try {
    await writeAtomic(out, png);
  } catch (e) {
    throw new CliError(EXIT.badArguments, `--out ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  log(`wrote ${o.n} samples to ${out}`);
  return EXIT.ok;
}

/** `sample --out FILE`: not a folder; its folder is created when missing. */
async function checkPngOut(out: string): Promise<void> {
  const existing = await stat(out).catch(() => null);
  if (existing?.isDirectory())
    throw new CliError(EXIT.badArguments, `--out ${out} is a folder; name a .png file (e.g. --out ${join(out, 'samples.png')})`);
  try {
    await mkdir(dirname(out), { recursive: true });
  } catch (e) {
    throw new CliError(
      EXIT.badArguments,
      `--out ${out}: cannot create its folder ${dirname(out)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

export interface EvalResult {
  kind: 'elbo' | 'nll' | 'objective';
  /** The negative ELBO (NLL term + KL term), the exact NLL, or the training objective, per example. */
  nats: number;
  /** Only for a likelihood (an ELBO bound or an NLL): a plain objective has no bits/dim. */
  bitsPerDim: number | null;
  examples: number;
  /** False when the "test" examples are the training examples (one IDX file or a PNG folder). */
  heldOut: boolean;
  /** What the optimizer minimised, with its weights; it differs from the ELBO when the KL weight is not 1. */
  objective: number;
  /** Why no likelihood is reported (kind 'objective'). */
  why: string | null;
  terms: Record<string, number>;
  /** Importance-sampled NLL (VAEs), when asked for and available. */
  importanceSampled?: { samples: number; nats: number; bitsPerDim: number };
  /** Why the importance-sampled NLL was not computed though it was asked for. */
  importanceUnavailable?: string;
}

/** Whether two data sets hold the same examples (a single file serves both splits). */
function sameExamples(a: DataSet, b: DataSet): boolean {
  if (a.count !== b.count || a.x.length !== b.x.length) return false;
  const n = Math.min(a.x.length, 100_000);
  for (let i = 0; i < n; i++) if (a.x[i] !== b.x[i]) return false;
  return true;
}

export async function evaluate(
  runDir: string,
  o: { data?: string; backend: string; maxExamples: number; importanceSamples?: number },
): Promise<EvalResult> {
  const { model, data: graphData } = await openRun(runDir, o.backend, o.data);
  const { plan } = model;
  const ev = plan.modes.evaluate;
  if (!ev) throw new CliError(EXIT.invalidDocument, 'this graph has no single likelihood to evaluate (GANs have none)');
  const data = graphData.test;
  const heldOut = !sameExamples(data, graphData.train);
  const batchSize = Math.min(100, data.count);
  const batches = Math.max(1, Math.floor(Math.min(data.count, o.maxExamples) / batchSize));
  const batcher = createBatcher(data, batchSize, 0);
  const sums: Record<string, number> = {};
  const gaussianPosterior = !!plan.posterior?.logVar;
  const iwAvailable = ev.kind === 'elbo' && gaussianPosterior && !!ev.bernoulli;
  const iw = iwAvailable && o.importanceSamples ? o.importanceSamples : 0;
  let iwNats = 0;
  for (let i = 0; i < batches; i++) {
    const batch = { ...batcher.next(), size: batchSize };
    const losses = await model.evaluateLosses(batch);
    for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v / batches;
    if (iw) iwNats += (await model.importanceSampledNll(batch, iw)) / batches;
  }
  const perDim = (nats: number) => nats / (exampleSize(plan.data.shape) * Math.LN2);
  const term = (id: string | null) => (id ? sums[plan.lossNames[id]] : 0);
  const objective = sums[ev.optimizer];
  const nats = ev.kind === 'objective' ? objective : term(ev.nllTerm) + (ev.kind === 'elbo' ? term(ev.klTerm) : 0);
  const importanceUnavailable =
    o.importanceSamples && !iwAvailable
      ? ev.kind !== 'elbo'
        ? 'it needs an ELBO'
        : 'it needs a Gaussian sampler (μ, log σ²) and a Bernoulli decoder given as logits'
      : undefined;
  return {
    kind: ev.kind,
    nats,
    bitsPerDim: ev.kind === 'objective' ? null : perDim(nats),
    examples: batches * batchSize,
    heldOut,
    objective,
    why: ev.why,
    terms: sums,
    ...(iw ? { importanceSampled: { samples: iw, nats: iwNats, bitsPerDim: perDim(iwNats) } } : {}),
    ...(importanceUnavailable ? { importanceUnavailable } : {}),
  };
}

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
    const name = r.kind === 'elbo' ? 'negative ELBO (reconstruction NLL + KL; an upper bound on the NLL)' : 'NLL (exact)';
    lines.push(`${name}: ${r.nats.toFixed(2)} nats/example, ${r.bitsPerDim!.toFixed(4)} bits/dim ${where}`);
    if (Math.abs(r.objective - r.nats) > 1e-3 * Math.max(1, Math.abs(r.nats)))
      lines.push(`training objective (with its loss weights): ${r.objective.toFixed(2)} — not a likelihood when the weights are not 1`);
  }
  if (r.importanceSampled) {
    const s = r.importanceSampled;
    lines.push(`importance-sampled NLL (K = ${s.samples}): ${s.nats.toFixed(2)} nats/example, ${s.bitsPerDim.toFixed(4)} bits/dim`);
  } else if (r.importanceUnavailable) lines.push(`importance-sampled NLL: not available — ${r.importanceUnavailable}`);
  for (const [k, v] of Object.entries(r.terms)) lines.push(`  ${k}: ${v.toFixed(3)}`);
  return lines;
}
