/**
 * "Open recent": the graphs autosaved in this browser, read from their own
 * records rather than from a separate index, so the list can never disagree
 * with what is saved and saving costs nothing extra. Listing reads every
 * record once, when the list is opened, never on an edit.
 */
import { del, getMany, keys } from 'idb-keyval';
import { asRecord, GRAPH_KEY_PREFIX, storageKey } from './autosave';

export interface RecentStorage {
  keys(): Promise<IDBValidKey[]>;
  getMany(keys: IDBValidKey[]): Promise<unknown[]>;
  del(key: IDBValidKey): Promise<void>;
}
export const idbRecentStorage: RecentStorage = { keys: () => keys(), getMany: (k) => getMany(k), del: (k) => del(k) };

export interface RecentGraph {
  graphId: string;
  title: string;
  savedAt: number;
  nodeCount: number;
}

const UNTITLED = 'Untitled graph';

/** One saved graph's summary, or null for a record that is not a saved graph. */
function summarise(graphId: string, value: unknown): RecentGraph | null {
  const record = asRecord(value);
  if (!record || !graphId || typeof record.savedAt !== 'number' || !Number.isFinite(record.savedAt)) return null;
  // Read defensively: an older or damaged document still gets a row, so it can be deleted.
  const doc = record.doc as { meta?: { title?: unknown }; nodes?: unknown } | null;
  if (!doc || typeof doc !== 'object') return null;
  const title = typeof doc.meta?.title === 'string' && doc.meta.title.trim() ? doc.meta.title.trim() : UNTITLED;
  return { graphId, title, savedAt: record.savedAt, nodeCount: Array.isArray(doc.nodes) ? doc.nodes.length : 0 };
}

/** Every autosaved graph, newest first. */
export async function listRecent(storage: RecentStorage = idbRecentStorage): Promise<RecentGraph[]> {
  const graphKeys = (await storage.keys()).filter((k): k is string => typeof k === 'string' && k.startsWith(GRAPH_KEY_PREFIX));
  const values = await storage.getMany(graphKeys);
  return graphKeys
    .map((k, i) => summarise(k.slice(GRAPH_KEY_PREFIX.length), values[i]))
    .filter((g): g is RecentGraph => g !== null)
    .sort((a, b) => b.savedAt - a.savedAt || a.graphId.localeCompare(b.graphId));
}

export function removeRecent(graphId: string, storage: RecentStorage = idbRecentStorage): Promise<void> {
  return storage.del(storageKey(graphId));
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function savedAgo(savedAt: number, now: number): string {
  const minutes = Math.floor((now - savedAt) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return days === 1 ? 'yesterday' : `${days} days ago`;
  return `on ${new Date(savedAt).toLocaleDateString()}`;
}
