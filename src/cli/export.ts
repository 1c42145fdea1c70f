/** `latent-lab export`: a graph, or a run with its checkpoint, as a standalone PyTorch project. */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { registry } from '../../nodes/index';
import { exportPytorch, type CarriedCheckpoint } from '../export/pytorch';
import { ExportError } from '../export/errors';
import type { GraphDocument } from '../graph/document';
import { formatLoadError, loadDocumentText } from '../graph/load';
import { RunFileError, type RunFiles } from '../runs/format';
import { writeAtomic } from './runDir';
import { readRun } from './runFiles';
import { CliError, compileWithDataOrExit, EXIT, readGraph } from './setup';

export const EXPORT_TARGETS = ['pytorch'] as const;

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
  if (isFile) throw new CliError(EXIT.badArguments, `--out ${o.out} is a file; name a folder for the project`);
  const run = (await isRun(source)) ? await readRunOrExit(source) : null;
  const doc = run ? runGraph(run, source) : await readGraph(source);
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
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(o.out, path)), { recursive: true });
      await writeAtomic(join(o.out, path), content);
    }
  } catch (e) {
    throw new CliError(
      EXIT.badArguments,
      `--out ${o.out}: cannot write the project (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const carried = checkpoint ? ` with the weights of step ${checkpoint.step}` : '';
  return `wrote ${o.out}${carried}: python ${join(o.out, 'train.py')} --data <MNIST IDX folder> --steps N --out <run folder>`;
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
