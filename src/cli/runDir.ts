/**
 * A run directory: the graph it trained, metrics.jsonl, pictures and a
 * checkpoint. Every file is written to a temporary name and renamed, so an
 * interrupted write never leaves a half file behind.
 */
import { mkdir, readFile, rename, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatcherState } from '../data/batcher';
import type { ModelState } from '../runtime/model';

export interface CheckpointMeta {
  step: number;
  randomCounter: number;
  batcher: BatcherState;
  backend: string;
  savedAt: string;
  tensors: { key: string; shape: number[]; name?: string; offset: number; length: number }[];
}

export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export async function saveCheckpoint(dir: string, state: ModelState, batcher: BatcherState, backend: string): Promise<void> {
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
  };
  // Weights first: a manifest never points at weights that are not there yet.
  await writeAtomic(join(cp, 'weights.bin'), new Uint8Array(weights.buffer));
  await writeAtomic(join(cp, 'checkpoint.json'), JSON.stringify(meta, null, 1));
}

export async function loadCheckpoint(dir: string): Promise<{ state: ModelState; meta: CheckpointMeta }> {
  const cp = join(dir, 'checkpoint');
  const meta = JSON.parse(await readFile(join(cp, 'checkpoint.json'), 'utf8')) as CheckpointMeta;
  const bytes = await readFile(join(cp, 'weights.bin'));
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const tensors: ModelState['tensors'] = {};
  for (const t of meta.tensors) {
    if (t.offset + t.length > weights.length)
      throw new Error(`${join(cp, 'weights.bin')} is shorter than checkpoint.json says; the checkpoint is damaged`);
    tensors[t.key] = { shape: t.shape, data: weights.slice(t.offset, t.offset + t.length), name: t.name };
  }
  return { state: { step: meta.step, randomCounter: meta.randomCounter, tensors }, meta };
}

export async function appendMetrics(dir: string, lines: object[]): Promise<void> {
  if (lines.length) await appendFile(join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}
