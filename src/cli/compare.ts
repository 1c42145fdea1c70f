/**
 * `latent-lab compare <run>…`: reads two or more runs (train's folders or run
 * bundles) and writes one self-contained HTML report — overlaid loss curves,
 * samples side by side, the table of final values and the graph diff — or
 * prints the table as JSON.
 */
import { registry } from '../../nodes/index';
import { formatLoadError, loadDocumentValue } from '../graph/load';
import { playsAGame } from '../graph/nodeApi';
import { RunFileError, type RunFiles } from '../runs/format';
import { compareTable, reportHtml, type CompareTable, type ComparedRun } from './report';
import { writeAtomic } from './runDir';
import { readRun } from './runFiles';
import { CliError, EXIT } from './setup';

/** A parameter a document leaves out trains at its declared default, so it is no difference. */
const declaredDefault = (type: string, param: string): unknown => registry[type]?.params[param]?.default;

/** A run folder or bundle, with what is wrong in it as a user error naming the file. */
async function readRunOrExit(path: string): Promise<RunFiles> {
  try {
    return await readRun(path);
  } catch (e) {
    if (e instanceof RunFileError) throw new CliError(EXIT.badArguments, e.message);
    throw e;
  }
}

export async function readComparedRun(path: string): Promise<ComparedRun> {
  const files = await readRunOrExit(path);
  if (files.losses.length === 0)
    throw new CliError(
      EXIT.invalidDocument,
      `${path}: no losses to compare (metrics.jsonl is missing or has no logged step); train the run for a few steps first`,
    );
  const loaded = loadDocumentValue(files.graph, `${path}/graph.json`, registry);
  if (!loaded.ok) throw new CliError(EXIT.invalidDocument, formatLoadError(loaded.error));
  // The CLI logs each optimizer's total under the optimizer's id, beside the terms it sums.
  const optimizerTotals = loaded.doc.nodes.filter((n) => registry[n.type]?.optimizer).map((n) => n.id);
  return { source: path, files, doc: loaded.doc, optimizerTotals };
}

export interface CompareOptions {
  /** The HTML report to write; none when only the JSON table is asked for. */
  out?: string;
}

export async function compare(paths: string[], o: CompareOptions): Promise<CompareTable> {
  if (paths.length < 2) throw new CliError(EXIT.badArguments, `compare needs two or more runs, got ${paths.length}`);
  const runs: ComparedRun[] = [];
  for (const path of paths) runs.push(await readComparedRun(path));
  const table = compareTable(runs, declaredDefault, (doc) => playsAGame(doc, registry));
  if (o.out) {
    const out = o.out;
    await writeAtomic(out, reportHtml(runs, table)).catch((e: NodeJS.ErrnoException) => {
      throw new CliError(EXIT.badArguments, `cannot write ${out}: ${e.code === 'ENOENT' ? 'its folder does not exist' : e.message}`);
    });
  }
  return table;
}
