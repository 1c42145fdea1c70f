/** What every CLI command does first: read a graph, apply overrides, compile, pick a backend. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { registry } from '../../nodes/index';
import { compile, type CompileResult } from '../compiler/compile';
import { applyDocOverrides, type DocOverrides } from '../compiler/overrides';
import { formatGraphError } from '../compiler/errors';
import type { Plan } from '../compiler/plan';
import type { GraphDocument } from '../graph/document';
import type { MeasuredData } from '../graph/nodeApi';
import { formatLoadError, loadDocumentText } from '../graph/load';
import { setupBackend, type BackendInfo, type BackendName } from '../runtime/backend';
import { compileWithData, type GraphData } from '../runtime/planData';

/** Exit codes, one per class of failure, so scripts can tell them apart. */
export const EXIT = { ok: 0, unexpected: 1, badArguments: 2, invalidDocument: 3, diverged: 4, data: 5, interrupted: 130 } as const;

export class CliError extends Error {
  constructor(
    public exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readGraph(path: string): Promise<GraphDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, expected a graph .json file' : (e as Error).message;
    throw new CliError(EXIT.badArguments, `cannot read ${path}: ${why}`);
  }
  const loaded = loadDocumentText(text, path, registry);
  if (!loaded.ok) throw new CliError(EXIT.invalidDocument, formatLoadError(loaded.error));
  return loaded.doc;
}

export interface Overrides {
  batch?: number;
  lr?: number;
  seed?: number;
  data?: string;
}

/** Applies command-line overrides to the document's Dataset, Optimizer and seed. */
export async function applyOverrides(doc: GraphDocument, o: Overrides): Promise<GraphDocument> {
  const files = o.data !== undefined ? await dataFilesFor(o.data) : undefined;
  return applyDocOverrides(doc, registry, { batchSize: o.batch, learningRate: o.lr, seed: o.seed, files });
}

type DataFiles = NonNullable<DocOverrides['files']>;

/**
 * `--data PATH`: IDX files (a folder of them, or one), else images or points:
 * a folder of images (loose, or one sub-folder per class), a zip of them, one
 * image, or a CSV of 2-D points.
 */
async function dataFilesFor(path: string): Promise<DataFiles> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new CliError(EXIT.badArguments, `--data ${path}: no such file or folder`);
  }
  if (!isDir) return { source: /\.(zip|csv|png|jpe?g)$/i.test(path) ? 'pngdir' : 'idx', path };
  let names: string[];
  try {
    names = await readdir(path);
  } catch (e) {
    throw new CliError(
      EXIT.badArguments,
      `--data ${path}: cannot list the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return { source: names.some((n) => /idx[13]-ubyte/.test(n)) ? 'idx' : 'pngdir', path };
}

/**
 * Compiles `doc` against the data it names (shapes and classes read from the
 * files). A graph that is fine on its own but does not fit the data, or data
 * that cannot be read, is a data problem (exit 5), not a broken document.
 */
export async function compileWithDataOrExit(
  doc: GraphDocument,
  log: (s: string) => void,
  overrides: Overrides = {},
): Promise<{ plan: Plan; data: GraphData }> {
  const { result, assumed: withoutData, data } = await compileWithData(doc, registry);
  const fineWithoutData = withoutData.errors.every((e) => e.severity !== 'error');
  const skipped = data?.train.skipped ?? [];
  if (skipped.length)
    log(
      `warning: left out ${skipped.length} file${skipped.length === 1 ? '' : 's'} of the data:\n${skipped
        .slice(0, 20)
        .map((f) => `  ${f.file}: ${f.reason}`)
        .join('\n')}${skipped.length > 20 ? `\n  … and ${skipped.length - 20} more` : ''}`,
    );
  const dataProblem = result.errors.some((e) => e.code === 'data-unavailable') || (fineWithoutData && !result.plan);
  const measured = result.data?.measured;
  const described = measured
    ? ` (${measured.name}: ${measured.count} examples of ${measured.shape.join('×')}, ${measured.numClasses ? `${measured.numClasses} classes` : 'no labels'}${builtFor(withoutData, measured)})`
    : '';
  const plan = planOrExit(
    result,
    doc,
    log,
    overrides,
    dataProblem ? { code: EXIT.data, intro: `the graph does not fit its data${described}:` } : undefined,
  );
  return { plan, data: data! };
}

function builtFor(assumed: CompileResult, measured: MeasuredData): string {
  const shape = assumed.data?.shape;
  return shape && shape.join('×') !== measured.shape.join('×') ? `; the graph was built for ${shape.join('×')}` : '';
}

/** `overrides`: the command line's --batch / --lr, so an out-of-range value is blamed on the option (2), not the document (3). */
export function compileOrExit(doc: GraphDocument, log: (s: string) => void, overrides: Overrides = {}): Plan {
  return planOrExit(compile(doc, registry), doc, log, overrides);
}

function planOrExit(
  result: CompileResult,
  doc: GraphDocument,
  log: (s: string) => void,
  overrides: Overrides,
  failure = { code: EXIT.invalidDocument as number, intro: 'the graph is not valid:' },
): Plan {
  const labelOf = (id: string) => doc.nodes.find((n) => n.id === id)?.label || id;
  for (const w of result.errors.filter((e) => e.severity === 'warning')) log(formatGraphError(w, labelOf));
  const errors = result.errors.filter((e) => e.severity === 'error');
  for (const e of errors) {
    const def = registry[doc.nodes.find((n) => n.id === e.nodeId)?.type ?? ''];
    if (!def || !e.param) continue;
    if (overrides.batch !== undefined && e.param === def.dataset?.batchSize)
      throw new CliError(EXIT.badArguments, `--batch ${overrides.batch}: ${formatGraphError(e, labelOf)}`);
    if (overrides.lr !== undefined && e.param === def.optimizer?.learningRate)
      throw new CliError(EXIT.badArguments, `--lr ${overrides.lr}: ${formatGraphError(e, labelOf)}`);
  }
  if (errors.length || !result.plan)
    throw new CliError(failure.code, `${failure.intro}\n${errors.map((e) => '  ' + formatGraphError(e, labelOf)).join('\n')}`);
  return { ...result.plan, lossNames: uniqueLossNames(result.plan) };
}

/**
 * Metric columns are named by loss labels; two losses with one label (or a
 * label that is also an optimizer's id) would write one column. Such names get
 * their node id appended: "KL (kl2)".
 */
function uniqueLossNames(plan: Plan): Record<string, string> {
  const taken = new Map<string, number>();
  const count = (name: string) => taken.set(name, (taken.get(name) ?? 0) + 1);
  plan.optimizers.forEach((o) => count(o.id));
  for (const name of Object.values(plan.lossNames)) count(name);
  const names: Record<string, string> = {};
  for (const [id, name] of Object.entries(plan.lossNames)) names[id] = (taken.get(name) ?? 0) > 1 ? `${name} (${id})` : name;
  return names;
}

export async function backendOrExit(name: string): Promise<BackendInfo> {
  if (!['wasm', 'cpu'].includes(name)) throw new CliError(EXIT.badArguments, `--backend ${name}: the CLI runs on wasm or cpu`);
  return setupBackend(name as BackendName);
}
