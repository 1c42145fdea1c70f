/**
 * Runs as files on disk: a run folder read into RunFiles and written back
 * (every file atomically), and a run given as either a folder or a bundle zip.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runFromFiles, runToFiles, unzipRun } from '../runs/bundle';
import { RunFileError, type RunFiles } from '../runs/format';
import { writeAtomic } from './runDir';

/** The files of the layout a run folder may hold (anything else in it is not read). */
const RUN_FILES = [
  'run.json',
  'graph.json',
  'metrics.jsonl',
  'measurements.json',
  'checkpoint/checkpoint.json',
  'checkpoint/weights.bin',
  'samples.png',
  'reconstructions.png',
];

async function readIfThere(path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RunFileError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A run folder (written by `latent-lab train`, or a bundle unpacked) as RunFiles; a RunFileError names what is wrong. */
export async function readRunDir(dir: string): Promise<RunFiles> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    throw new RunFileError(dir, 'no such run folder');
  }
  if (!isDir) throw new RunFileError(dir, 'is a file, not a run folder');
  const files: Record<string, Uint8Array> = {};
  for (const path of RUN_FILES) {
    const bytes = await readIfThere(join(dir, path));
    if (bytes) files[path] = bytes;
  }
  const thumbnails = await readdir(join(dir, 'thumbnails')).catch(() => [] as string[]);
  for (const name of thumbnails) {
    const bytes = /^samples-\d+\.png$/.test(name) ? await readIfThere(join(dir, 'thumbnails', name)) : null;
    if (bytes) files[`thumbnails/${name}`] = bytes;
  }
  return runFromFiles(files, dir);
}

/** Writes `run` into folder `dir` in the run layout; the weights go before the manifest that points at them. */
export async function writeRunDir(dir: string, run: RunFiles): Promise<void> {
  const files = runToFiles(run);
  const order = Object.keys(files).sort((a, b) => rank(a) - rank(b));
  for (const path of order) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeAtomic(join(dir, path), files[path]);
  }
}

/** weights.bin first, checkpoint.json next, run.json last: a half-written folder never claims more than it has. */
const rank = (path: string) => (path.endsWith('weights.bin') ? 0 : path.endsWith('checkpoint.json') ? 1 : path === 'run.json' ? 3 : 2);

/** A run given as a folder or a bundle (.zip). */
export async function readRun(path: string): Promise<RunFiles> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new RunFileError(path, 'no such run folder or bundle');
  }
  if (isDir) return readRunDir(path);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new RunFileError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return unzipRun(bytes, path);
}
