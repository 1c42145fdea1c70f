/** `latent-lab sample` and `latent-lab eval`: load a run directory and use its trained model. */
import { join } from 'node:path';
import { createBatcher } from '../data/batcher';
import { exampleSize } from '../graph/shape';
import { loadPlanData } from '../runtime/planData';
import { samplesPng } from './pictures';
import { loadCheckpoint, writeAtomic } from './runDir';
import { applyOverrides, backendOrExit, CliError, compileOrExit, EXIT, readGraph } from './setup';
import { cliModel, loadData } from './train';

const log = (s: string) => process.stderr.write(s + '\n');

async function openRun(runDir: string, backend: string, dataPath?: string) {
  const doc = await applyOverrides(await readGraph(join(runDir, 'graph.json')), { data: dataPath });
  const plan = compileOrExit(doc, log);
  await backendOrExit(backend);
  const model = cliModel(plan, backend);
  let checkpoint;
  try {
    checkpoint = await loadCheckpoint(runDir);
  } catch (e) {
    throw new CliError(EXIT.badArguments, `${runDir} has no readable checkpoint: ${(e as Error).message}`);
  }
  await model.loadState(checkpoint.state);
  return model;
}

export async function sample(runDir: string, o: { n: number; label?: number; out?: string; backend: string }): Promise<number> {
  const model = await openRun(runDir, o.backend);
  const g = model.plan.modes.generate;
  if (!g)
    throw new CliError(EXIT.invalidDocument, 'this graph cannot generate: it has no Sampler or Noise node feeding a data-shaped output');
  if (o.label !== undefined && (!g.conditional || o.label < 0 || o.label >= model.plan.data.numClasses))
    throw new CliError(
      EXIT.badArguments,
      g.conditional ? `--label must be 0–${model.plan.data.numClasses - 1}` : '--label needs a conditional graph (one with a Label node)',
    );
  const data = await loadData(() => loadPlanData(model.plan, 'test'));
  const out = o.out ?? join(runDir, 'samples.png');
  await writeAtomic(out, await samplesPng(model, data, o.n, o.label));
  log(`wrote ${o.n} samples to ${out}`);
  return EXIT.ok;
}

export interface EvalResult {
  kind: string;
  nats: number;
  bitsPerDim: number;
  examples: number;
  terms: Record<string, number>;
  /** Importance-sampled NLL (VAEs), when asked for. */
  importanceSampled?: { samples: number; nats: number; bitsPerDim: number };
}

export async function evaluate(
  runDir: string,
  o: { data?: string; backend: string; maxExamples: number; importanceSamples?: number },
): Promise<EvalResult> {
  const model = await openRun(runDir, o.backend, o.data);
  const ev = model.plan.modes.evaluate;
  if (!ev) throw new CliError(EXIT.invalidDocument, 'this graph has no single likelihood to evaluate (GANs have none)');
  const data = await loadData(() => loadPlanData(model.plan, 'test'));
  const batchSize = Math.min(100, data.count);
  const batches = Math.max(1, Math.floor(Math.min(data.count, o.maxExamples) / batchSize));
  const batcher = createBatcher(data, batchSize, 0);
  const sums: Record<string, number> = {};
  const iw = ev.kind === 'elbo' && o.importanceSamples ? o.importanceSamples : 0;
  let iwNats = 0;
  for (let i = 0; i < batches; i++) {
    const batch = { ...batcher.next(), size: batchSize };
    const losses = await model.evaluateLosses(batch);
    for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v / batches;
    if (iw) iwNats += (await model.importanceSampledNll(batch, iw)) / batches;
  }
  const perDim = (nats: number) => nats / (exampleSize(model.plan.data.shape) * Math.LN2);
  const nats = sums[ev.optimizer];
  return {
    kind: ev.kind,
    nats,
    bitsPerDim: perDim(nats),
    examples: batches * batchSize,
    terms: sums,
    ...(iw ? { importanceSampled: { samples: iw, nats: iwNats, bitsPerDim: perDim(iwNats) } } : {}),
  };
}
