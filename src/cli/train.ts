/** `latent-lab train`: trains a graph headless and writes a run directory. */
import cliProgress from 'cli-progress';
import { mkdir } from 'node:fs/promises';
import type { DataSet } from '../data/types';
import { join } from 'node:path';
import { createBatcher } from '../data/batcher';
import { DataError } from '../data/errors';
import type { Plan } from '../compiler/plan';
import { CompiledModel, TrainingDiverged, type Batch } from '../runtime/model';
import { loadPlanData } from '../runtime/planData';
import { createReader, readModeFor, type ReadMode } from '../runtime/reads';
import { samplesPng, reconstructionsPng } from './pictures';
import { appendMetrics, loadCheckpoint, saveCheckpoint, writeAtomic } from './runDir';
import { applyOverrides, backendOrExit, CliError, compileOrExit, EXIT, readGraph, type Overrides } from './setup';

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
  const plan = compileOrExit(doc, log);
  const info = await backendOrExit(o.backend);
  log(
    `backend: ${info.backend}, ${info.threads} thread${info.threads === 1 ? '' : 's'}${info.simd ? ', SIMD' : ''}${info.fma ? ' + FMA' : ''}${info.note ? ` (${info.note})` : ''}`,
  );
  const data = await loadData(() => loadPlanData(plan));
  const model = cliModel(plan, o.backend);
  const batcher = createBatcher(data, plan.data.batchSize, plan.seed);
  if (o.resume) {
    const { state, meta } = await loadCheckpoint(o.resume);
    await model.loadState(state);
    batcher.restore(meta.batcher);
    log(`resumed from ${o.resume} at step ${state.step}`);
  }
  await mkdir(o.out, { recursive: true });
  await writeAtomic(join(o.out, 'graph.json'), JSON.stringify(doc, null, 2));
  let checkpointStep: number | null = null;
  const checkpoint = async () => {
    await saveCheckpoint(o.out, await model.saveState(), batcher.state(), info.backend);
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

export async function loadData<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (e instanceof DataError) throw new CliError(EXIT.data, `${e.message}${e.hint ? ` (${e.hint})` : ''}`);
    throw e;
  }
}
