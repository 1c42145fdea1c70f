/** `latent-lab train`: trains a graph headless and writes a run directory. */
import cliProgress from 'cli-progress';
import { mkdir, stat } from 'node:fs/promises';
import type { DataSet } from '../data/types';
import { join, resolve } from 'node:path';
import { createBatcher } from '../data/batcher';
import type { Plan } from '../compiler/plan';
import { modelKeyOf } from '../compiler/modelKey';
import type { GraphDocument } from '../graph/document';
import { CompiledModel, TrainingDiverged, type Batch } from '../runtime/model';
import { createReader, readModeFor, type ReadMode } from '../runtime/reads';
import { samplesPng, reconstructionsPng } from './pictures';
import { appendMetrics, loadCheckpoint, saveCheckpoint, startMetrics, writeAtomic, type CheckpointOrigin } from './runDir';
import { applyOverrides, backendOrExit, CliError, compileWithDataOrExit, EXIT, readGraph, type Overrides } from './setup';

export interface TrainOptions extends Overrides {
  steps: number;
  backend: string;
  out: string;
  resume?: string;
  checkpointEvery: number;
  quiet?: boolean;
}

const log = (s: string) => process.stderr.write(s + '\n');

export async function train(graphPath: string, o: TrainOptions): Promise<number> {
  const doc = await applyOverrides(await readGraph(graphPath), o);
  const { plan, data: graphData } = await compileWithDataOrExit(doc, log, o);
  await checkOutDir(o.out);
  const resumed = o.resume ? await readCheckpoint(o.resume, '--resume') : undefined;
  const info = await backendOrExit(o.backend);
  log(
    `backend: ${info.backend}, ${info.threads} thread${info.threads === 1 ? '' : 's'}${info.simd ? ', SIMD' : ''}${info.fma ? ' + FMA' : ''}${info.note ? ` (${info.note})` : ''}`,
  );
  const data = graphData.train;
  const origin: CheckpointOrigin = {
    modelKey: structureKey(doc, plan),
    graph: graphPath,
    batchSize: plan.data.batchSize,
    data: dataName(plan),
    examples: data.count,
  };
  const model = cliModel(plan, o.backend);
  const batcher = createBatcher(data, plan.data.batchSize, plan.seed);
  if (o.resume && resumed) {
    const { state, meta } = resumed;
    checkOrigin(o.resume, meta.origin, origin);
    try {
      await model.loadState(state);
      batcher.restore(meta.batcher);
    } catch (e) {
      model.dispose();
      throw new CliError(
        EXIT.badArguments,
        `--resume ${o.resume}: its checkpoint does not fit ${graphPath} with these settings: ${(e as Error).message} (resume with the graph, --batch and --data it was trained with, or start a fresh run with another --out)`,
      );
    }
    log(`resumed from ${o.resume} at step ${state.step}`);
  }
  try {
    await mkdir(o.out, { recursive: true });
  } catch (e) {
    model.dispose();
    throw new CliError(
      EXIT.badArguments,
      `--out ${o.out}: cannot create the run folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  await startMetrics(o.out, o.resume && resumed ? { dir: o.resume, step: resumed.state.step } : undefined);
  await writeAtomic(join(o.out, 'graph.json'), JSON.stringify(doc, null, 2));
  let checkpointStep: number | null = null;
  const checkpoint = async () => {
    await saveCheckpoint(o.out, await model.saveState(), batcher.state(), info.backend, origin);
    checkpointStep = model.step;
  };

  let interrupted = false;
  const onSigint = () => (interrupted = true);
  process.on('SIGINT', onSigint);
  const bar = new cliProgress.SingleBar({
    format: 'step {value}/{total} | {rate} steps/s | {losses} | ETA {eta_formatted}',
    noTTYOutput: true,
    notTTYSchedule: 5000,
    etaBuffer: 50,
    stream: process.stderr,
  });
  if (!o.quiet) bar.start(o.steps, model.step, { rate: '–', losses: '' });
  const nextBatch = () => ({ ...batcher.next(), size: plan.data.batchSize });
  const started = performance.now();
  const firstStep = model.step;
  let pending: object[] = [];
  let exitCode: number = EXIT.ok;
  try {
    while (model.step < o.steps && !interrupted) {
      const { step, losses } = await model.trainRound(nextBatch);
      pending.push({ step, ...losses });
      if (step % 25 === 0 || step === o.steps) {
        await appendMetrics(o.out, pending);
        pending = [];
        const rate = (step - firstStep) / ((performance.now() - started) / 1000);
        if (!o.quiet) bar.update(step, { rate: rate.toFixed(1), losses: formatLosses(losses) });
        // Yield so Ctrl-C is noticed between steps.
        await new Promise((r) => setImmediate(r));
      }
      if (step % o.checkpointEvery === 0) await checkpoint();
    }
  } catch (e) {
    if (!(e instanceof TrainingDiverged)) throw e;
    if (!o.quiet) bar.stop();
    await appendMetrics(o.out, pending);
    const saved =
      checkpointStep === null
        ? 'No checkpoint was saved before it; lower the learning rate and start again.'
        : `The checkpoint from step ${checkpointStep} in ${join(o.out, 'checkpoint')} holds the last good weights (resume with --resume ${o.out}).`;
    throw new CliError(EXIT.diverged, `${e.message} ${saved}`);
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (!o.quiet) bar.stop();
  await appendMetrics(o.out, pending);
  await checkpoint();
  if (interrupted) {
    log(`interrupted at step ${model.step}; checkpoint saved in ${join(o.out, 'checkpoint')} (resume with --resume ${o.out})`);
    exitCode = EXIT.interrupted;
  }
  await writePictures(model, data, nextBatch, o.out);
  const seconds = (performance.now() - started) / 1000;
  log(`trained ${model.step - firstStep} steps in ${seconds.toFixed(1)} s; wrote ${o.out}`);
  model.dispose();
  return exitCode;
}

/** A model of `plan` that reads its results the way the worker reads on `backend` (the CLI runs wasm or cpu). */
export function cliModel(plan: Plan, backend: string): CompiledModel<ReadMode> {
  return new CompiledModel(plan, { reader: createReader(readModeFor(backend)) });
}

export async function writePictures(model: CompiledModel<ReadMode>, data: DataSet, nextBatch: () => Batch, out: string) {
  if (model.plan.modes.generate) {
    const n = model.plan.modes.generate.autoregressive ? 16 : 64;
    await writeAtomic(join(out, 'samples.png'), await samplesPng(model, data, n));
  }
  if (model.plan.modes.reconstruct && model.plan.data.kind === 'image')
    await writeAtomic(join(out, 'reconstructions.png'), await reconstructionsPng(model, examples(nextBatch, 16), 16));
}

/** `n` examples gathered from as many batches as it takes (the batch size may be smaller than n). */
function examples(nextBatch: () => Batch, n: number): Batch {
  const batches: Batch[] = [];
  for (let have = 0; have < n; have += batches[batches.length - 1].size) batches.push(nextBatch());
  const concat = (parts: Float32Array[]) => {
    const all = new Float32Array(parts.reduce((t, p) => t + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    return all;
  };
  const hots = batches.flatMap((b) => (b.oneHot ? [b.oneHot] : []));
  return {
    x: concat(batches.map((b) => b.x)),
    oneHot: hots.length ? concat(hots) : undefined,
    size: batches.reduce((t, b) => t + b.size, 0),
  };
}

function formatLosses(losses: Record<string, number>): string {
  return Object.entries(losses)
    .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
    .join(', ');
}

/**
 * The model's structure: plan.modelKey without the Dataset's and optimizers'
 * parameters and the seed, so a resume may change --lr (after a divergence)
 * while another graph is still refused.
 */
function structureKey(doc: GraphDocument, plan: Plan): string {
  const loose = new Set([plan.datasetNode, ...plan.optimizers.map((o) => o.id)]);
  return modelKeyOf({
    ...doc,
    meta: { ...doc.meta, seed: 0 },
    nodes: doc.nodes.map((n) => (loose.has(n.id) ? { ...n, params: {} } : n)),
  });
}

/** The data a run trains on, as a checkpoint records it: a resolved file path or the built-in source. */
function dataName(plan: Plan): string {
  return plan.dataSpec.path !== undefined ? resolve(plan.dataSpec.path) : plan.dataSpec.source;
}

/** `--out` must be a folder (or not exist yet): a file there would be overwritten or fail half way. */
async function checkOutDir(out: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(out)).isDirectory();
  } catch {
    return; // created later
  }
  if (!isDir) throw new CliError(EXIT.badArguments, `--out ${out} is a file, not a folder; name a run folder (e.g. --out runs/mine)`);
}

/** A run folder's checkpoint, or a CliError saying why it cannot be read. */
export async function readCheckpoint(dir: string, what: string): ReturnType<typeof loadCheckpoint> {
  try {
    return await loadCheckpoint(dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT'
        ? `there is no ${join(dir, 'checkpoint', err.path?.endsWith('.bin') ? 'weights.bin' : 'checkpoint.json')}`
        : err.message;
    throw new CliError(EXIT.badArguments, `${what} ${dir}: no readable checkpoint (${why}); pass a folder written by train`);
  }
}

/** Refuses a resume whose checkpoint came from another graph, batch size or data set, naming which. */
function checkOrigin(dir: string, saved: CheckpointOrigin | undefined, now: CheckpointOrigin): void {
  if (!saved) return; // an older checkpoint: loadState and the batcher still check what they can
  const fix = 'resume with the same graph, --batch and --data, or start a fresh run with another --out';
  const differs = (what: string, was: string | number, is: string | number) =>
    new CliError(EXIT.badArguments, `--resume ${dir}: its checkpoint was trained ${what} ${was}, this run has ${is} (${fix})`);
  if (saved.batchSize !== now.batchSize) throw differs('with batch size', saved.batchSize, now.batchSize);
  if (saved.data !== now.data || saved.examples !== now.examples)
    throw differs('on data', `${saved.data} (${saved.examples} examples)`, `${now.data} (${now.examples} examples)`);
  if (saved.modelKey !== now.modelKey)
    throw differs('on another graph:', saved.graph, `${now.graph}, whose nodes, parameters or edges differ`);
}
