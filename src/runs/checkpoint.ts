/**
 * The one checkpoint encoding: a model's tensors back to back in weights.bin,
 * described by checkpoint.json (CheckpointMeta). The CLI writes it into run
 * folders, a bundle carries it, and the browser converts it to and from the
 * worker's StoredCheckpoint.
 */
import type { BatcherState } from '../data/batcher';
import type { StoredCheckpoint } from '../runtime/checkpoints';
import type { ModelState } from '../runtime/weights';
import { RunFileError, type CheckpointMeta, type CheckpointOrigin, type CheckpointTensor, type RunFiles } from './format';

export function encodeCheckpoint(
  state: ModelState,
  batcher: BatcherState,
  backend: string,
  extra: { origin?: CheckpointOrigin; learningRates?: Record<string, number>; savedAt?: string } = {},
): { meta: CheckpointMeta; weights: Float32Array } {
  const entries = Object.entries(state.tensors);
  const weights = new Float32Array(entries.reduce((n, [, t]) => n + t.data.length, 0));
  const tensors: CheckpointTensor[] = [];
  let offset = 0;
  for (const [key, t] of entries) {
    weights.set(t.data, offset);
    tensors.push({ key, shape: t.shape.slice(), ...(t.name !== undefined ? { name: t.name } : {}), offset, length: t.data.length });
    offset += t.data.length;
  }
  const meta: CheckpointMeta = {
    step: state.step,
    randomCounter: state.randomCounter,
    batcher: { ...batcher },
    backend,
    savedAt: extra.savedAt ?? new Date().toISOString(),
    tensors,
    ...(extra.origin ? { origin: extra.origin } : {}),
    ...(extra.learningRates && Object.keys(extra.learningRates).length ? { learningRates: { ...extra.learningRates } } : {}),
  };
  return { meta, weights };
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/**
 * `raw` (parsed checkpoint.json) as a CheckpointMeta, or a RunFileError at `where` saying which
 * field is wrong. Checks what a decode relies on: whole, finite counts, and tensors whose length
 * is their shape's size.
 */
export function checkCheckpointMeta(raw: unknown, where: string): CheckpointMeta {
  const bad = (what: string) => new RunFileError(where, `${what}; the checkpoint is damaged (train or download the run again)`);
  if (!isObject(raw)) throw bad('is not a checkpoint manifest (expected a JSON object)');
  if (!isCount(raw.step)) throw bad(`step ${JSON.stringify(raw.step)} is not a whole number ≥ 0`);
  if (!isCount(raw.randomCounter)) throw bad(`randomCounter ${JSON.stringify(raw.randomCounter)} is not a whole number ≥ 0`);
  const b = raw.batcher;
  if (!isObject(b) || !['seed', 'batchSize', 'count', 'epoch', 'cursor', 'step'].every((k) => Number.isFinite(b[k])))
    throw bad('batcher is not a batch position (seed, batchSize, count, epoch, cursor, step)');
  if (!Array.isArray(raw.tensors)) throw bad('has no tensors list');
  raw.tensors.forEach((t: unknown, i) => {
    if (!isObject(t) || typeof t.key !== 'string') throw bad(`tensors[${i}] has no key`);
    if (!Array.isArray(t.shape) || !t.shape.every(isCount)) throw bad(`tensor ${t.key} has no valid shape`);
    if (!isCount(t.offset) || !isCount(t.length)) throw bad(`tensor ${t.key} has no valid offset and length`);
    const size = (t.shape as number[]).reduce((a, d) => a * d, 1);
    if (size !== t.length) throw bad(`tensor ${t.key} is ${(t.shape as number[]).join('×')} but holds ${t.length} values`);
  });
  if (raw.learningRates !== undefined && !(isObject(raw.learningRates) && Object.values(raw.learningRates).every(Number.isFinite)))
    throw bad('learningRates is not a map from optimizer to a number');
  return {
    ...(raw as unknown as CheckpointMeta),
    backend: typeof raw.backend === 'string' ? raw.backend : '',
    savedAt: typeof raw.savedAt === 'string' ? raw.savedAt : '',
  };
}

/** The model state `meta` describes in `weights`; a RunFileError at `where` (the checkpoint folder) when they do not agree. */
export function decodeCheckpoint(meta: CheckpointMeta, weights: Float32Array, where: string): ModelState {
  const checked = checkCheckpointMeta(meta, `${where}/checkpoint.json`);
  const needed = checked.tensors.reduce((n, t) => Math.max(n, t.offset + t.length), 0);
  if (needed > weights.length)
    throw new RunFileError(
      where,
      `weights.bin is shorter than checkpoint.json says (${weights.length * 4} bytes, it needs ${needed * 4}); the checkpoint is damaged (train or download the run again)`,
    );
  const tensors: ModelState['tensors'] = {};
  // Copies, not views: a view would keep (and a structured clone would copy) the whole weights buffer per tensor.
  for (const t of checked.tensors)
    tensors[t.key] = { shape: t.shape.slice(), data: weights.slice(t.offset, t.offset + t.length), ...(t.name !== undefined ? { name: t.name } : {}) };
  return { step: checked.step, randomCounter: checked.randomCounter, tensors };
}

/**
 * A run's checkpoint as the worker stores it, for `load` with `checkpoint`. The curve and the
 * measurements come from the run's files (a CLI run's metrics.jsonl has every step, where a
 * worker's own history is thinned). `docKey` is the document it is for (the worker files it under
 * the graph it loads).
 */
export function toStoredCheckpoint(run: RunFiles, docKey: string): StoredCheckpoint {
  const where = `${run.manifest.name}/checkpoint`;
  if (!run.checkpoint) throw new RunFileError(run.manifest.name, 'has no checkpoint to continue from (checkpoint/checkpoint.json)');
  const { meta, weights } = run.checkpoint;
  const state = decodeCheckpoint(meta, weights, where);
  const savedAt = Date.parse(meta.savedAt);
  return {
    info: { step: state.step, savedAt: Number.isFinite(savedAt) ? savedAt : Date.now(), backend: meta.backend },
    docKey,
    state,
    batcher: { ...meta.batcher },
    batchSize: meta.batcher.batchSize,
    learningRates: { ...(meta.learningRates ?? {}) },
    history: run.losses.filter((p) => p.step <= state.step),
    measurements: run.measurements.filter((m) => m.step <= state.step),
  };
}

/** The worker's checkpoint (from exportCheckpoint) in the file encoding, for RunFiles.checkpoint. */
export function fromStoredCheckpoint(c: StoredCheckpoint): { meta: CheckpointMeta; weights: Float32Array } {
  return encodeCheckpoint(c.state, c.batcher, c.info.backend, {
    learningRates: c.learningRates,
    savedAt: new Date(c.info.savedAt).toISOString(),
  });
}
