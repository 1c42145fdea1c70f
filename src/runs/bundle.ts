/**
 * A run bundle: one zip of a run's files (the layout in ./format.ts), and the
 * reading of those files, from a zip or a CLI run folder, into RunFiles. What
 * is wrong is refused by the file and the path inside it; what is merely
 * missing (run.json, pictures, measurements) is derived or left out.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { LossPoint, Measurement } from '../runtime/protocol';
import { checkCheckpointMeta, decodeCheckpoint } from './checkpoint';
import { RUN_FORMAT, RUN_FORMAT_VERSION, RunFileError, type CheckpointMeta, type RunFiles, type RunManifest, type RunPicture } from './format';

/** The most a bundle may unpack to: far above any run this lab trains, far below what would take a tab down. */
export const MAX_UNZIPPED_BYTES = 512 * 1024 * 1024;

/** Colours for runs that come without one (a CLI folder): picked by name, so a run keeps its colour. */
const RUN_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

export function defaultColour(name: string): string {
  let h = 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return RUN_COLOURS[h % RUN_COLOURS.length];
}

const PICTURE = /^(samples|reconstructions)\.png$|^thumbnails\/samples-\d+\.png$/;

/** A run's files by their path in the layout: what a zip holds and what a run folder holds. */
export function runToFiles(run: RunFiles): Record<string, Uint8Array> {
  const json = (x: unknown) => strToU8(JSON.stringify(x, null, 1));
  const files: Record<string, Uint8Array> = {
    'run.json': json({ ...run.manifest, format: RUN_FORMAT, version: RUN_FORMAT_VERSION }),
    'graph.json': strToU8(JSON.stringify(run.graph, null, 2)),
    'metrics.jsonl': strToU8(run.losses.map((p) => JSON.stringify({ step: p.step, ...p.losses })).join('\n') + (run.losses.length ? '\n' : '')),
  };
  if (run.measurements.length) files['measurements.json'] = json(run.measurements);
  if (run.checkpoint) {
    const { weights } = run.checkpoint;
    files['checkpoint/weights.bin'] = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
    files['checkpoint/checkpoint.json'] = json(run.checkpoint.meta);
  }
  for (const p of run.pictures) if (PICTURE.test(p.path)) files[p.path] = p.png;
  return files;
}

/** One zip of the run. Pictures are stored as they are (PNG is compressed already), weights deflated fast. */
export function zipRun(run: RunFiles): Uint8Array {
  const entries: Zippable = {};
  for (const [path, bytes] of Object.entries(runToFiles(run)))
    entries[path] = [bytes, { level: path.endsWith('.png') ? 0 : path.endsWith('.bin') ? 1 : 6 }];
  return zipSync(entries);
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && b[3] === b[2] + 1;
/** Folders, macOS litter and hidden files are no part of a run. */
const skipped = (name: string) => name.endsWith('/') || name.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');

/**
 * The run in a bundle. `fileName` is the name the user knows it by (a download, an upload); every
 * message starts with it. A zip of a folder (someone zipped `runs/mine/`) is read inside that folder.
 */
export function unzipRun(bytes: Uint8Array, fileName: string): RunFiles {
  if (!isZip(bytes))
    throw new RunFileError(fileName, 'is not a zip file; a run bundle is the .zip the browser downloads or `latent-lab bundle` writes');
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    // The filter sees each entry's declared size before it is inflated, so a bomb is refused unopened.
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (skipped(f.name.replace(/\\/g, '/'))) return false;
        total += f.originalSize;
        if (total > MAX_UNZIPPED_BYTES)
          throw new RunFileError(
            `${fileName}/${f.name}`,
            `the bundle unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB; no run of this lab is that large, so it is not opened`,
          );
        return true;
      },
    });
  } catch (e) {
    if (e instanceof RunFileError) throw e;
    throw new RunFileError(fileName, `is a damaged zip (${e instanceof Error ? e.message : String(e)}); download or zip the run again`);
  }
  // Sizes a zip declares can lie; what came out counts.
  if (Object.values(entries).reduce((n, e) => n + e.byteLength, 0) > MAX_UNZIPPED_BYTES)
    throw new RunFileError(fileName, `unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB; no run of this lab is that large, so it is not opened`);
  const files: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(entries)) files[name.replace(/\\/g, '/').replace(/^(\.?\/)+/, '')] = data;
  const paths = Object.keys(files);
  const top = paths[0]?.split('/')[0];
  if (top && !('graph.json' in files) && paths.every((p) => p.startsWith(`${top}/`))) {
    const inner: Record<string, Uint8Array> = {};
    for (const p of paths) inner[p.slice(top.length + 1)] = files[p];
    return runFromFiles(inner, `${fileName}/${top}`);
  }
  return runFromFiles(files, fileName);
}

/** The last part of `where` without .zip: a run's name when it has no run.json. */
function nameOf(where: string): string {
  const last = where.replace(/[/\\]+$/, '').split(/[/\\]/).pop() ?? '';
  return last.replace(/\.zip$/i, '') || 'run';
}

function parseJson(bytes: Uint8Array, where: string, what: string): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch (e) {
    throw new RunFileError(where, `is not valid JSON (${e instanceof Error ? e.message : String(e)}); ${what}`);
  }
}

/**
 * A run from its files by path (a zip's entries, a folder's files). `where` names the zip or the
 * folder in messages. Needs graph.json; a checkpoint that is there must be whole.
 */
export function runFromFiles(files: Record<string, Uint8Array>, where: string): RunFiles {
  const at = (path: string) => `${where}/${path}`;
  if (!files['graph.json'])
    throw new RunFileError(where, 'has no graph.json; a run holds the graph it trained (a folder written by `latent-lab train`, or a bundle)');
  const graph = parseJson(files['graph.json'], at('graph.json'), 'the graph is damaged');
  const checkpoint = readCheckpoint(files, at('checkpoint'));
  const losses = files['metrics.jsonl'] ? readLosses(strFromU8(files['metrics.jsonl'])) : [];
  const measurements = files['measurements.json'] ? readMeasurements(files['measurements.json'], at('measurements.json')) : [];
  const pictures: RunPicture[] = Object.keys(files)
    .filter((p) => PICTURE.test(p))
    .sort()
    .map((path) => ({ path, png: files[path] }));
  const derived: RunManifest = {
    format: RUN_FORMAT,
    version: RUN_FORMAT_VERSION,
    name: nameOf(where),
    colour: defaultColour(nameOf(where)),
    seed: seedOf(graph),
    backend: checkpoint?.meta.backend ?? '',
    data: checkpoint?.meta.origin?.data ?? '',
    step: checkpoint?.meta.step ?? losses.at(-1)?.step ?? 0,
    createdAt: checkpoint?.meta.savedAt || new Date().toISOString(),
    origin: 'cli',
  };
  const manifest = files['run.json'] ? readManifest(files['run.json'], at('run.json'), derived) : derived;
  return { manifest, graph, losses, measurements, checkpoint, pictures };
}

function seedOf(graph: unknown): number {
  const seed = (graph as { meta?: { seed?: unknown } } | null)?.meta?.seed;
  return typeof seed === 'number' && Number.isFinite(seed) ? seed : 0;
}

/** run.json over the derived manifest: a field that is missing or of the wrong kind keeps the derived value. */
function readManifest(bytes: Uint8Array, where: string, derived: RunManifest): RunManifest {
  const raw = parseJson(bytes, where, 'remove it to have the run described from its other files');
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new RunFileError(where, 'is not a run manifest (expected a JSON object)');
  const r = raw as Record<string, unknown>;
  if (r.format !== undefined && r.format !== RUN_FORMAT) throw new RunFileError(where, `is a ${JSON.stringify(r.format)} file, not a run manifest`);
  if (typeof r.version === 'number' && r.version > RUN_FORMAT_VERSION)
    throw new RunFileError(where, `is run format version ${r.version}; this Latent Lab reads up to ${RUN_FORMAT_VERSION} (update it)`);
  const text = (k: 'name' | 'colour' | 'backend' | 'data' | 'createdAt') => (typeof r[k] === 'string' && r[k] !== '' ? (r[k] as string) : derived[k]);
  const num = (k: 'seed' | 'step') => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? (r[k] as number) : derived[k]);
  return {
    format: RUN_FORMAT,
    version: RUN_FORMAT_VERSION,
    name: text('name'),
    colour: text('colour'),
    seed: num('seed'),
    backend: text('backend'),
    data: text('data'),
    step: num('step'),
    createdAt: text('createdAt'),
    origin: r.origin === 'browser' || r.origin === 'cli' ? r.origin : derived.origin,
  };
}

function readCheckpoint(files: Record<string, Uint8Array>, where: string): RunFiles['checkpoint'] {
  const json = files['checkpoint/checkpoint.json'];
  const bin = files['checkpoint/weights.bin'];
  if (!json && !bin) return null;
  if (!json) throw new RunFileError(`${where}/weights.bin`, 'has no checkpoint.json beside it to say what it holds; the checkpoint is damaged');
  const meta: CheckpointMeta = checkCheckpointMeta(
    parseJson(json, `${where}/checkpoint.json`, 'the checkpoint is damaged (train or download the run again)'),
    `${where}/checkpoint.json`,
  );
  if (!bin) throw new RunFileError(`${where}/weights.bin`, 'is missing; checkpoint.json points at weights that are not there');
  if (bin.byteLength % 4)
    throw new RunFileError(`${where}/weights.bin`, `is ${bin.byteLength} bytes, not a whole number of floats; the checkpoint is damaged`);
  // A copy: the bytes may sit at an offset no Float32Array can start at.
  const weights = new Float32Array(bin.slice().buffer);
  decodeCheckpoint(meta, weights, where);
  return { meta, weights };
}

/** metrics.jsonl: one {step, term: value, …} per line. A half line a killed write left, or a blank one, is passed over. */
function readLosses(text: string): LossPoint[] {
  const points: LossPoint[] = [];
  for (const line of text.split('\n')) {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      continue;
    }
    if (!row || typeof row !== 'object') continue;
    const { step, ...rest } = row as Record<string, unknown>;
    if (typeof step !== 'number' || !Number.isInteger(step)) continue;
    const losses: Record<string, number> = {};
    // A diverged value was written as null (JSON has no NaN): it is one again.
    for (const [k, v] of Object.entries(rest)) if (typeof v === 'number' || v === null) losses[k] = v ?? NaN;
    points.push({ step, losses });
  }
  return points;
}

function readMeasurements(bytes: Uint8Array, where: string): Measurement[] {
  const raw = parseJson(bytes, where, 'remove it to keep the rest of the run');
  if (!Array.isArray(raw)) throw new RunFileError(where, 'is not a list of measurements ([{step, metrics}, …])');
  return raw.filter(
    (m): m is Measurement => !!m && typeof m === 'object' && Number.isInteger(m.step) && !!m.metrics && typeof m.metrics === 'object',
  );
}
