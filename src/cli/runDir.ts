/**
 * A run directory: the graph it trained, metrics.jsonl, pictures and a
 * checkpoint. Every file is written to a temporary name and renamed, so an
 * interrupted write never leaves a half file behind.
 */
import { mkdir, readFile, readdir, rename, writeFile, appendFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BatcherState } from '../data/batcher';
import type { ModelState } from '../runtime/model';
import type { LossPoint } from '../runtime/protocol';
import { checkCheckpointMeta, decodeCheckpoint, encodeCheckpoint } from '../runs/checkpoint';
import { RunFileError, type CheckpointMeta, type CheckpointOrigin } from '../runs/format';

export type { CheckpointMeta, CheckpointOrigin } from '../runs/format';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes `<name>.tmp-<pid>` files beside `path` that a killed run left behind (its process is gone). */
async function removeStaleTemps(path: string): Promise<void> {
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(n.slice(prefix.length));
    if (Number.isInteger(pid) && (pid === process.pid || !alive(pid))) await unlink(join(dirname(path), n)).catch(() => {});
  }
}

export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await removeStaleTemps(path);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** Writes `state` as the run folder's checkpoint (the encoding in src/runs/checkpoint.ts). */
export async function saveCheckpoint(
  dir: string,
  state: ModelState,
  batcher: BatcherState,
  backend: string,
  extra: { origin?: CheckpointOrigin; learningRates?: Record<string, number> } = {},
): Promise<void> {
  const cp = join(dir, 'checkpoint');
  await mkdir(cp, { recursive: true });
  const { meta, weights } = encodeCheckpoint(state, batcher, backend, extra);
  // Weights first: a manifest never points at weights that are not there yet.
  await writeAtomic(join(cp, 'weights.bin'), new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
  await writeAtomic(join(cp, 'checkpoint.json'), JSON.stringify(meta, null, 1));
}

/** The run folder's checkpoint; a missing file is the file system's error (ENOENT), a damaged one a RunFileError. */
export async function loadCheckpoint(dir: string): Promise<{ state: ModelState; meta: CheckpointMeta }> {
  const cp = join(dir, 'checkpoint');
  const text = await readFile(join(cp, 'checkpoint.json'), 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunFileError(join(cp, 'checkpoint.json'), `is not valid JSON (${(e as Error).message}); the checkpoint is damaged`);
  }
  const meta = checkCheckpointMeta(raw, join(cp, 'checkpoint.json'));
  const bytes = await readFile(join(cp, 'weights.bin'));
  if (bytes.byteLength % 4) throw new RunFileError(join(cp, 'weights.bin'), 'is not a whole number of floats; the checkpoint is damaged');
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { state: decodeCheckpoint(meta, weights, cp), meta };
}

export async function appendMetrics(dir: string, lines: object[]): Promise<void> {
  if (lines.length) await appendFile(join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/** One metrics.jsonl line per point: {step, <term>: value, …}. */
export function metricsLines(points: LossPoint[]): object[] {
  return points.map((p) => ({ step: p.step, ...p.losses }));
}

/**
 * Starts `out`'s metrics.jsonl: empty for a fresh run; for a resume, the resumed
 * run's points (only those up to its checkpoint's step, so steps a killed run
 * logged after its last checkpoint are not repeated).
 */
export async function startMetrics(out: string, kept: LossPoint[] = []): Promise<void> {
  const lines = metricsLines(kept).map((l) => JSON.stringify(l));
  await writeAtomic(join(out, 'metrics.jsonl'), lines.length ? lines.join('\n') + '\n' : '');
}
