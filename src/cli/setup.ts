/** What every CLI command does first: read a graph, apply overrides, compile, pick a backend. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { registry } from '../../nodes/index';
import { compile } from '../compiler/compile';
import { applyDocOverrides, type DocOverrides } from '../compiler/overrides';
import { formatGraphError } from '../compiler/errors';
import type { Plan } from '../compiler/plan';
import type { GraphDocument } from '../graph/document';
import { formatLoadError, loadDocumentText } from '../graph/load';
import { setupBackend, type BackendInfo, type BackendName } from '../runtime/backend';

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

/** `--data PATH`: an IDX file or folder of IDX files, or a folder of PNG images. */
async function dataFilesFor(path: string): Promise<DataFiles> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new CliError(EXIT.badArguments, `--data ${path}: no such file or folder`);
  }
  if (isDir) {
    let names: string[];
    try {
      names = await readdir(path);
    } catch (e) {
      throw new CliError(
        EXIT.badArguments,
        `--data ${path}: cannot list the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    if (!names.some((n) => /idx3-ubyte/.test(n)) && names.some((n) => /\.png$/i.test(n))) return { source: 'pngdir', path };
  }
  return { source: 'idx', path };
}

/** `overrides`: the command line's --batch / --lr, so an out-of-range value is blamed on the option (2), not the document (3). */
export function compileOrExit(doc: GraphDocument, log: (s: string) => void, overrides: Overrides = {}): Plan {
  const result = compile(doc, registry);
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
    throw new CliError(
      EXIT.invalidDocument,
      `the graph is not valid:\n${errors.map((e) => '  ' + formatGraphError(e, labelOf)).join('\n')}`,
    );
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
