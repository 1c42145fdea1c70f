/**
 * `latent-lab export`: a graph, or a run with its checkpoint, as a standalone PyTorch project,
 * a TF.js LayersModel of its generator (model.json + weights.bin), or a sampler page (one HTML file).
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registry } from '../../nodes/index';
import { exportPytorch, type CarriedCheckpoint } from '../export/pytorch';
import { ExportError } from '../export/errors';
import { GENERATED_SOURCES } from '../export/pythonData';
import { samplerPageHtml } from '../export/samplerPage';
import type { Plan } from '../compiler/plan';
import type { GraphDocument } from '../graph/document';
import { formatLoadError, loadDocumentText } from '../graph/load';
import { decodeCheckpoint } from '../runs/checkpoint';
import { RunFileError, type RunFiles } from '../runs/format';
import { exportLayersModel, LayersExportError, WEIGHTS_FILE, type LayersExport } from '../runtime/layersExport';
import { CompiledModel } from '../runtime/model';
import { writeAtomic } from './runDir';
import { readRun } from './runFiles';
import { backendOrExit, CliError, compileWithDataOrExit, EXIT, readGraph } from './setup';

export const EXPORT_TARGETS = ['pytorch', 'tfjs', 'sampler-page'] as const;

export interface ExportOptions {
  to: string;
  out: string;
  /** Carry the run's checkpoint into the project (weights/), so training continues from it. */
  weights?: boolean;
}

const log = (s: string) => process.stderr.write(s + '\n');

/** Writes the project; returns what it wrote, in a line. */
export async function exportProject(source: string, o: ExportOptions): Promise<string> {
  if (!(EXPORT_TARGETS as readonly string[]).includes(o.to))
    throw new CliError(EXIT.badArguments, `--to ${o.to}: choose ${EXPORT_TARGETS.join(', ')}`);
  const isFile = await stat(o.out).then(
    (s) => !s.isDirectory(),
    () => false,
  );
  if (o.weights && o.to !== 'pytorch')
    throw new CliError(EXIT.badArguments, `--weights is for --to pytorch; --to ${o.to} always carries the run's weights`);
  const page = o.to === 'sampler-page';
  if (isFile && !page)
    throw new CliError(EXIT.badArguments, `--out ${o.out} is a file; name a folder for the ${o.to === 'tfjs' ? 'model' : 'project'}`);
  if (page && (await isFolder(o.out)))
    throw new CliError(EXIT.badArguments, `--out ${o.out} is a folder; name the page's file (e.g. samples.html)`);
  const run = (await isRun(source)) ? await readRunOrExit(source) : null;
  const doc = run ? runGraph(run, source) : await readGraph(source);
  if (o.to !== 'pytorch') {
    const { plan } = await compileWithDataOrExit(doc, log);
    const exported = await layersModel(plan, run, source, doc);
    const trained = run?.checkpoint
      ? `the weights of step ${exported.info.step}`
      : 'its initial, untrained weights (pass a run folder for trained ones)';
    if (page) {
      await writeOrExit(o.out, [
        [
          '',
          samplerPageHtml({
            title: doc.meta.title || 'Latent Lab model',
            modelJson: exported.modelJson,
            weightsBase64: Buffer.from(exported.weights).toString('base64'),
            tfjs: await tfjsBundle(),
          }),
        ],
      ]);
      return `wrote ${o.out} with ${trained}: open it in a browser to draw samples (it needs no network)`;
    }
    await writeOrExit(o.out, [
      ['model.json', exported.modelJson],
      [WEIGHTS_FILE, new Uint8Array(exported.weights)],
    ]);
    return `wrote ${join(o.out, 'model.json')} and ${join(o.out, WEIGHTS_FILE)} with ${trained}: tf.loadLayersModel opens model.json`;
  }
  if (o.weights && !run)
    throw new CliError(EXIT.badArguments, `--weights: ${source} is a graph file, which has no checkpoint; pass a run folder or bundle`);
  if (o.weights && !run?.checkpoint)
    throw new CliError(EXIT.badArguments, `--weights: ${source} has no checkpoint (checkpoint/checkpoint.json); train it first`);
  const { plan } = await compileWithDataOrExit(doc, log);
  const checkpoint: CarriedCheckpoint | undefined =
    o.weights && run?.checkpoint
      ? {
          checkpointJson: JSON.stringify(run.checkpoint.meta, null, 1),
          weightsBin: new Uint8Array(run.checkpoint.weights.buffer, run.checkpoint.weights.byteOffset, run.checkpoint.weights.byteLength),
          step: run.checkpoint.meta.step,
        }
      : undefined;
  let files;
  try {
    files = exportPytorch(plan, doc, checkpoint).files;
  } catch (e) {
    if (e instanceof ExportError) throw new CliError(EXIT.invalidDocument, `cannot export ${source} to PyTorch: ${e.message}`);
    throw e;
  }
  await writeOrExit(o.out, Object.entries(files));
  const carried = checkpoint ? ` with the weights of step ${checkpoint.step}` : '';
  // A 2-D set is made by train.py itself; files come from --data (or the graph's own path).
  const data = GENERATED_SOURCES.includes(plan.dataSpec.source) ? '' : ' --data <MNIST IDX or image folder>';
  const sample = 'sample.py' in files ? `; python ${join(o.out, 'sample.py')} --weights <run folder>/checkpoint draws samples` : '';
  return `wrote ${o.out}${carried}: python ${join(o.out, 'train.py')}${data} --steps N --out <run folder>${sample}`;
}

/** Writes each [path inside out, content] (the path '' is out itself). */
async function writeOrExit(out: string, files: [string, string | Uint8Array][]) {
  try {
    for (const [path, content] of files) {
      await mkdir(dirname(join(out, path)), { recursive: true });
      await writeAtomic(join(out, path), content);
    }
  } catch (e) {
    throw new CliError(EXIT.badArguments, `--out ${out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** The LayersModel of the graph's generator, with the run's weights, or the graph's initial ones. */
async function layersModel(plan: Plan, run: RunFiles | null, source: string, doc: GraphDocument): Promise<LayersExport> {
  // wasm, as train runs: TF.js's cpu backend greets every Node process on stderr.
  await backendOrExit('wasm');
  let state;
  if (run?.checkpoint) {
    try {
      state = decodeCheckpoint(run.checkpoint.meta, run.checkpoint.weights, join(source, 'checkpoint'));
    } catch (e) {
      if (e instanceof RunFileError) throw new CliError(EXIT.badArguments, `cannot read ${e.message}`);
      throw e;
    }
  } else {
    const model = new CompiledModel(plan);
    state = await model.saveState();
    model.dispose();
  }
  try {
    return await exportLayersModel(plan, state, { generatedFrom: doc.meta.title });
  } catch (e) {
    if (e instanceof LayersExportError) throw new CliError(EXIT.invalidDocument, `cannot export ${source} to TF.js: ${e.message}`);
    throw e;
  }
}

/** TF.js's own minified bundle, which the sampler page inlines. */
async function tfjsBundle(): Promise<string> {
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json');
  return readFile(join(dirname(pkg), 'dist', 'tf.min.js'), 'utf8');
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isRun(path: string): Promise<boolean> {
  if (/\.zip$/i.test(path)) return true;
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function readRunOrExit(path: string): Promise<RunFiles> {
  try {
    return await readRun(path);
  } catch (e) {
    if (e instanceof RunFileError) throw new CliError(EXIT.badArguments, `cannot read ${e.message}`);
    throw e;
  }
}

function runGraph(run: RunFiles, path: string): GraphDocument {
  const loaded = loadDocumentText(JSON.stringify(run.graph), join(path, 'graph.json'), registry);
  if (!loaded.ok) throw new CliError(EXIT.invalidDocument, formatLoadError(loaded.error));
  return loaded.doc;
}
