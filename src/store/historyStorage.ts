/**
 * Where the run history lives: IndexedDB through idb-keyval, behind a small
 * interface so tests run it over a Map. Each run is three records: the run
 * itself (curves, measurements, graph: what the list and the compare view
 * read), its checkpoint and its thumbnails, each under its own key, so
 * listing runs never reads weights and deleting a run frees all three.
 */
import { delMany, get, getMany, keys, set } from 'idb-keyval';
import type { StoredCheckpoint } from '../runtime/protocol';
import { checkCap, estimateBytes, HISTORY_CAP_BYTES, totalBytes, type CapVerdict, type RunRecord, type Thumbnail } from './runHistory';

export interface HistoryStorage {
  keys(): Promise<IDBValidKey[]>;
  get(key: string): Promise<unknown>;
  getMany(keys: string[]): Promise<unknown[]>;
  set(key: string, value: unknown): Promise<void>;
  delMany(keys: string[]): Promise<void>;
}

export const idbHistoryStorage: HistoryStorage = {
  keys: () => keys(),
  get: (k) => get(k),
  getMany: (k) => getMany(k),
  set: (k, v) => set(k, v),
  delMany: (k) => delMany(k),
};

/** A history over a Map, for tests: values are cloned on the way in and out, as IndexedDB does. */
export function memoryHistoryStorage(): HistoryStorage & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    keys: async () => [...map.keys()],
    get: async (k) => structuredClone(map.get(k)),
    getMany: async (ks) => ks.map((k) => structuredClone(map.get(k))),
    set: async (k, v) => void map.set(k, structuredClone(v)),
    delMany: async (ks) => ks.forEach((k) => map.delete(k)),
  };
}

const RUN_PREFIX = 'latent-lab:run:';
const CHECKPOINT_PREFIX = 'latent-lab:run-checkpoint:';
const THUMBNAILS_PREFIX = 'latent-lab:run-thumbnails:';
const FAMILY_PREFIX = 'latent-lab:graph-family:';

function isRunRecord(v: unknown): v is RunRecord {
  const r = v as Partial<RunRecord> | null;
  return (
    !!r &&
    typeof r === 'object' &&
    typeof r.id === 'string' &&
    typeof r.graphId === 'string' &&
    typeof r.name === 'string' &&
    typeof r.createdAt === 'number' &&
    !!r.curves &&
    Array.isArray(r.curves.steps) &&
    !!r.bytes
  );
}

export type PutResult = { ok: true; record: RunRecord } | Extract<CapVerdict, { ok: false }>;

export class RunHistory {
  /** Every stored run, read once: the cap is checked against it, not against a fresh read per write. */
  private runs: Map<string, RunRecord> | null = null;

  constructor(
    private readonly storage: HistoryStorage = idbHistoryStorage,
    readonly cap = HISTORY_CAP_BYTES,
  ) {}

  /** Every run, oldest first. A record that is not a run (damaged, from another version) is left out. */
  async list(): Promise<RunRecord[]> {
    if (!this.runs) {
      const runKeys = (await this.storage.keys()).filter((k): k is string => typeof k === 'string' && k.startsWith(RUN_PREFIX));
      const values = await this.storage.getMany(runKeys);
      this.runs = new Map(values.filter(isRunRecord).map((r) => [r.id, r]));
    }
    return [...this.runs.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /** Bytes the history takes now. */
  async usedBytes(): Promise<number> {
    return (await this.list()).reduce((sum, r) => sum + totalBytes(r.bytes), 0);
  }

  /**
   * Writes `record` and, when given, its checkpoint and thumbnails. Refused
   * (with the runs to delete to make room) when it would pass the cap; then
   * nothing is written.
   */
  async put(record: RunRecord, parts: { checkpoint?: StoredCheckpoint; thumbnails?: Thumbnail[] } = {}): Promise<PutResult> {
    const runs = await this.list();
    const old = this.runs!.get(record.id);
    const bytes = {
      checkpoint: parts.checkpoint ? estimateBytes(parts.checkpoint) : (old?.bytes.checkpoint ?? 0),
      thumbnails: parts.thumbnails ? estimateBytes(parts.thumbnails) : (old?.bytes.thumbnails ?? 0),
      record: 0,
    };
    const stored: RunRecord = {
      ...record,
      bytes,
      ...(parts.checkpoint ? { checkpointStep: parts.checkpoint.info.step } : {}),
      ...(parts.thumbnails ? { thumbnailCount: parts.thumbnails.length } : {}),
    };
    bytes.record = estimateBytes(stored);
    const verdict = checkCap(runs, record.id, totalBytes(bytes), this.cap);
    if (!verdict.ok) return verdict;
    if (parts.checkpoint) await this.storage.set(CHECKPOINT_PREFIX + record.id, parts.checkpoint);
    if (parts.thumbnails) await this.storage.set(THUMBNAILS_PREFIX + record.id, parts.thumbnails);
    await this.storage.set(RUN_PREFIX + record.id, stored);
    this.runs!.set(record.id, stored);
    return { ok: true, record: stored };
  }

  async checkpoint(runId: string): Promise<StoredCheckpoint | null> {
    const c = (await this.storage.get(CHECKPOINT_PREFIX + runId)) as StoredCheckpoint | undefined;
    return c && typeof c === 'object' && c.state ? c : null;
  }

  async thumbnails(runId: string): Promise<Thumbnail[]> {
    const t = await this.storage.get(THUMBNAILS_PREFIX + runId);
    return Array.isArray(t) ? (t as Thumbnail[]) : [];
  }

  /** Deletes the run with its checkpoint and thumbnails. */
  async remove(runId: string): Promise<void> {
    await this.list();
    await this.storage.delMany([RUN_PREFIX + runId, CHECKPOINT_PREFIX + runId, THUMBNAILS_PREFIX + runId]);
    this.runs!.delete(runId);
  }

  async rename(runId: string, name: string): Promise<RunRecord | null> {
    await this.list();
    const r = this.runs!.get(runId);
    const trimmed = name.trim();
    if (!r || !trimmed) return r ?? null;
    const renamed = { ...r, name: trimmed };
    await this.storage.set(RUN_PREFIX + runId, renamed);
    this.runs!.set(runId, renamed);
    return renamed;
  }

  /** The graph `graphId` was duplicated from, followed back to the original; the graph itself when it is no variant. */
  async familyOf(graphId: string): Promise<string> {
    const f = await this.storage.get(FAMILY_PREFIX + graphId);
    return typeof f === 'string' && f ? f : graphId;
  }

  async setFamily(graphId: string, familyId: string): Promise<void> {
    await this.storage.set(FAMILY_PREFIX + graphId, familyId);
  }

  /** Graph ids known to be in `familyId`: the original and its variants. */
  async graphsInFamily(familyId: string): Promise<string[]> {
    const familyKeys = (await this.storage.keys()).filter((k): k is string => typeof k === 'string' && k.startsWith(FAMILY_PREFIX));
    const values = await this.storage.getMany(familyKeys);
    const members = familyKeys.filter((_, i) => values[i] === familyId).map((k) => k.slice(FAMILY_PREFIX.length));
    return [familyId, ...members.filter((g) => g !== familyId)];
  }
}
