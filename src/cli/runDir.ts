/**
 * A run directory: the graph it trained, metrics.jsonl, pictures and a
 * checkpoint. Every file is written to a temporary name and renamed, so an
 * interrupted write never leaves a half file behind.
 */
import { mkdir, readFile, readdir, rename, writeFile, appendFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BatcherState } from '../data/batcher';
import type { ModelState } from '../runtime/model';

export interface CheckpointMeta {
  step: number;
  randomCounter: number;
  batcher: BatcherState;
  backend: string;
  savedAt: string;
  tensors: { key: string; shape: number[]; name?: string; offset: number; length: number }[];
  /** What the checkpoint was trained on, so a resume with another graph or data set is refused by name (absent in old checkpoints). */
  origin?: CheckpointOrigin;
}

export interface CheckpointOrigin {
  /** plan.modelKey of the graph that was trained. */
  modelKey: string;
  /** The graph file it came from, as the user named it. */
  graph: string;
  batchSize: number;
  /** The data set's name and size. */
  data: string;
  examples: number;
}

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

export async function saveCheckpoint(
  dir: string,
  state: ModelState,
  batcher: BatcherState,
  backend: string,
  origin?: CheckpointOrigin,
): Promise<void> {
  const cp = join(dir, 'checkpoint');
  await mkdir(cp, { recursive: true });
  const entries = Object.entries(state.tensors);
  const total = entries.reduce((n, [, t]) => n + t.data.length, 0);
  const weights = new Float32Array(total);
  const tensors: CheckpointMeta['tensors'] = [];
  let offset = 0;
  for (const [key, t] of entries) {
    weights.set(t.data, offset);
    tensors.push({ key, shape: t.shape, name: t.name, offset, length: t.data.length });
    offset += t.data.length;
  }
  const meta: CheckpointMeta = {
    step: state.step,
    randomCounter: state.randomCounter,
    batcher,
    backend,
    savedAt: new Date().toISOString(),
    tensors,
    ...(origin ? { origin } : {}),
  };
  // Weights first: a manifest never points at weights that are not there yet.
  await writeAtomic(join(cp, 'weights.bin'), new Uint8Array(weights.buffer));
  await writeAtomic(join(cp, 'checkpoint.json'), JSON.stringify(meta, null, 1));
}

export async function loadCheckpoint(dir: string): Promise<{ state: ModelState; meta: CheckpointMeta }> {
  const cp = join(dir, 'checkpoint');
  const meta = JSON.parse(await readFile(join(cp, 'checkpoint.json'), 'utf8')) as CheckpointMeta;
  if (!meta || typeof meta !== 'object' || !Number.isInteger(meta.step) || !Array.isArray(meta.tensors))
    throw new Error(`${join(cp, 'checkpoint.json')} is not a checkpoint manifest`);
  const bytes = await readFile(join(cp, 'weights.bin'));
  if (bytes.byteLength % 4) throw new Error(`${join(cp, 'weights.bin')} is not a whole number of floats; the checkpoint is damaged`);
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const tensors: ModelState['tensors'] = {};
  for (const t of meta.tensors) {
    if (!(t.offset >= 0 && t.length >= 0) || t.offset + t.length > weights.length)
      throw new Error(`${join(cp, 'weights.bin')} is shorter than checkpoint.json says; the checkpoint is damaged`);
    tensors[t.key] = { shape: t.shape, data: weights.slice(t.offset, t.offset + t.length), name: t.name };
  }
  return { state: { step: meta.step, randomCounter: meta.randomCounter, tensors }, meta };
}

export async function appendMetrics(dir: string, lines: object[]): Promise<void> {
  if (lines.length) await appendFile(join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/**
 * Starts `out`'s metrics.jsonl: empty for a fresh run; for a resume, the lines
 * of `from`'s metrics.jsonl up to `step`, so steps a killed run logged after
 * its last checkpoint are not repeated.
 */
export async function startMetrics(out: string, from?: { dir: string; step: number }): Promise<void> {
  let kept: string[] = [];
  if (from) {
    let text = '';
    try {
      text = await readFile(join(from.dir, 'metrics.jsonl'), 'utf8');
    } catch {
      // No metrics yet: start empty.
    }
    kept = text.split('\n').filter((l) => {
      try {
        const step = (JSON.parse(l) as { step?: unknown }).step;
        return typeof step === 'number' && step <= from.step;
      } catch {
        return false; // a half line from a killed write
      }
    });
  }
  await writeAtomic(join(out, 'metrics.jsonl'), kept.length ? kept.join('\n') + '\n' : '');
}
