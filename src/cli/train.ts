/** `latent-lab train`: trains a graph headless and writes a run directory. */
import cliProgress from 'cli-progress';
import { mkdir, stat } from 'node:fs/promises';
import type { DataSet } from '../data/types';
import { basename, join, resolve } from 'node:path';
import { registry } from '../../nodes/index';
import { createBatcher } from '../data/batcher';
import type { Plan } from '../compiler/plan';
import type { ModelState } from '../runtime/weights';
import { modelKeyOf } from '../compiler/modelKey';
import type { GraphDocument } from '../graph/document';
import { formatLoadError, loadDocumentText } from '../graph/load';
import { CompiledModel, TrainingDiverged, type Batch } from '../runtime/model';
import { createReader, readModeFor, type ReadMode } from '../runtime/reads';
import { defaultColour } from '../runs/bundle';
import { decodeCheckpoint } from '../runs/checkpoint';
import { RUN_FORMAT, RUN_FORMAT_VERSION, RunFileError, type CheckpointMeta, type RunFiles, type RunManifest } from '../runs/format';
import { samplesPng, reconstructionsPng } from './pictures';
import { appendMetrics, loadCheckpoint, saveCheckpoint, startMetrics, writeAtomic, type CheckpointOrigin } from './runDir';
import { readRun } from './runFiles';
import { applyOverrides, backendOrExit, CliError, compileWithDataOrExit, EXIT, readGraph, type Overrides } from './setup';

export interface TrainOptions extends Overrides {
  steps: number;
  backend: string;
  out: string;
  /** A run folder or bundle (.zip) to continue from. */
  resume?: string;
  checkpointEvery: number;
  quiet?: boolean;
}

const log = (s: string) => process.stderr.write(s + '\n');

export async function train(graphPath: string, o: TrainOptions): Promise<number> {
  const resumed = o.resume ? await readResume(o.resume) : undefined;
  // A run continues at the batch size it trained at (a browser run's may have been changed live), unless --batch says otherwise.
  const overrides = { ...o, batch: o.batch ?? resumed?.meta.batcher.batchSize };
  const doc = await applyOverrides(await graphOf(graphPath, o.resume, resumed?.run), overrides);
  const { plan, data: graphData } = await compileWithDataOrExit(doc, log, overrides);
  await checkOutDir(o.out);
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
  // A browser run whose batch size changed live walks an order seeded anew at that step; --seed asks for the document's.
  const batcher = createBatcher(data, plan.data.batchSize, (o.seed === undefined ? resumed?.meta.batcher.seed : undefined) ?? plan.seed);
  // Learning rates the run was changed to while it trained (the browser's live field) go on, unless --lr sets them all.
  const learningRates = o.lr === undefined ? liveLearningRates(plan, resumed?.meta) : {};
  for (const [id, lr] of Object.entries(learningRates)) model.setLearningRate(id, lr);
  if (Object.keys(learningRates).length)
    log(
      `learning rates from the run: ${Object.entries(learningRates)
        .map(([id, lr]) => `${id} ${lr}`)
        .join(', ')}`,
    );
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
  const step0 = resumed?.state.step ?? 0;
  await startMetrics(o.out, resumed ? resumed.run.losses.filter((p) => p.step <= step0) : []);
  await keepHistory(o.out, resumed?.run, step0);
  await writeAtomic(join(o.out, 'graph.json'), JSON.stringify(doc, null, 2));
  const manifest = runManifest(o.out, resumed?.run.manifest, { seed: plan.seed, backend: info.backend, data: origin.data });
  let checkpointStep: number | null = null;
  const checkpoint = async () => {
    await saveCheckpoint(o.out, await model.saveState(), batcher.state(), info.backend, { origin, learningRates });
    checkpointStep = model.step;
    await writeAtomic(join(o.out, 'run.json'), JSON.stringify({ ...manifest, step: model.step }, null, 1));
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

/** Where `train --resume RUN` writes when no --out is given: into the run folder itself, or for a bundle, runs/<its name>. */
export function defaultOut(resume: string | undefined): string {
  if (!resume) return 'runs/latest';
  return /\.zip$/i.test(resume) ? join('runs', basename(resume).replace(/\.zip$/i, '')) : resume;
}

interface Resumed {
  run: RunFiles;
  state: ModelState;
  meta: CheckpointMeta;
}

/** The run `--resume` names (a folder or a bundle) with its checkpoint, or a CliError saying why it cannot be continued. */
async function readResume(path: string): Promise<Resumed> {
  const unreadable = (why: string) =>
    new CliError(
      EXIT.badArguments,
      `--resume ${path}: no readable checkpoint (${why}); pass a run folder written by train or a run bundle (.zip)`,
    );
  if (/\.json$/i.test(path)) throw unreadable('it is a graph file; --resume takes a run folder or a run bundle');
  // A folder without a checkpoint has nothing to resume, whatever else is in it: say that first.
  const isDir = await stat(path).then(
    (s) => s.isDirectory(),
    () => !/\.zip$/i.test(path),
  );
  if (isDir) {
    const have = await stat(join(path, 'checkpoint', 'checkpoint.json')).then(
      () => true,
      () => false,
    );
    if (!have) throw unreadable(`there is no ${join(path, 'checkpoint', 'checkpoint.json')}`);
  }
  let run: RunFiles;
  try {
    run = await readRun(path);
  } catch (e) {
    if (e instanceof RunFileError) throw unreadable(e.message);
    throw e;
  }
  if (!run.checkpoint) throw unreadable(`there is no checkpoint/checkpoint.json in it`);
  const { meta, weights } = run.checkpoint;
  return { run, meta, state: decodeCheckpoint(meta, weights, `${path}/checkpoint`) };
}

/**
 * The graph to train: a graph file, or the graph.json of a run folder or bundle (the one being
 * resumed is not read twice).
 */
async function graphOf(path: string, resume: string | undefined, resumed: RunFiles | undefined): Promise<GraphDocument> {
  const isRun =
    /\.zip$/i.test(path) ||
    (await stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    ));
  if (!isRun) return readGraph(path);
  const runFolder = await stat(join(path, 'graph.json')).then(
    () => true,
    () => /\.zip$/i.test(path),
  );
  if (!runFolder)
    throw new CliError(
      EXIT.badArguments,
      `cannot read ${path}: it is a folder without a graph.json; pass a graph .json file, or a run folder written by train or a run bundle (.zip)`,
    );
  let run = resumed && resume && resolve(resume) === resolve(path) ? resumed : undefined;
  if (!run) {
    try {
      run = await readRun(path);
    } catch (e) {
      if (e instanceof RunFileError) throw new CliError(EXIT.badArguments, `cannot read ${path}: ${e.message}`);
      throw e;
    }
  }
  const loaded = loadDocumentText(JSON.stringify(run.graph), join(path, 'graph.json'), registry);
  if (!loaded.ok) throw new CliError(EXIT.invalidDocument, formatLoadError(loaded.error));
  return loaded.doc;
}

/** The checkpoint's live learning rates, for the optimizers this graph has. */
function liveLearningRates(plan: Plan, meta: CheckpointMeta | undefined): Record<string, number> {
  const ids = new Set(plan.optimizers.map((opt) => opt.id));
  return Object.fromEntries(Object.entries(meta?.learningRates ?? {}).filter(([id, lr]) => ids.has(id) && lr > 0));
}

/** run.json of the run in `out`: a continued run keeps its name and colour; a fresh one is named after its folder. */
function runManifest(out: string, from: RunManifest | undefined, now: Pick<RunManifest, 'seed' | 'backend' | 'data'>): RunManifest {
  const name = from?.name ?? (basename(resolve(out)) || 'run');
  return {
    format: RUN_FORMAT,
    version: RUN_FORMAT_VERSION,
    name,
    colour: from?.colour ?? defaultColour(name),
    createdAt: from?.createdAt ?? new Date().toISOString(),
    step: 0,
    ...now,
    origin: 'cli',
  };
}

/** A continued run's measurements and sample thumbnails up to the step it continues from, so its history goes on in `out`. */
async function keepHistory(out: string, run: RunFiles | undefined, step: number): Promise<void> {
  if (!run) return;
  const measurements = run.measurements.filter((m) => m.step <= step);
  if (measurements.length) await writeAtomic(join(out, 'measurements.json'), JSON.stringify(measurements, null, 1));
  const thumbnails = run.pictures.filter((p) => p.path.startsWith('thumbnails/') && Number(/(\d+)\.png$/.exec(p.path)?.[1]) <= step);
  if (thumbnails.length) await mkdir(join(out, 'thumbnails'), { recursive: true });
  for (const p of thumbnails) await writeAtomic(join(out, p.path), p.png);
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
