/**
 * Never lose work: the document is written to IndexedDB shortly after every
 * change and when the page is hidden. Each save bumps a revision; before
 * writing, a tab checks that nobody saved a newer revision since it last
 * loaded or saved. If someone did (another tab on the same graph), it stops
 * and asks the user instead of overwriting. Tabs also announce saves over a
 * BroadcastChannel so the other tab finds out at once, not at its next save.
 */
import { get as idbGet, set as idbSet } from 'idb-keyval';
import type { GraphDocument } from '../graph/document';
import { loadDocumentValue, formatLoadError, type LoadResult } from '../graph/load';
import type { EditorStore } from './editorStore';
import { registry } from '../../nodes/index';

export interface SavedRecord {
  doc: GraphDocument;
  rev: number;
  tabId: string;
  savedAt: number;
}
export interface Storage {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}
export const idbStorage: Storage = { get: (k) => idbGet(k), set: (k, v) => idbSet(k, v) };

/** Saves land within this long of the first unsaved change (the brief allows one second). */
export const SAVE_DELAY_MS = 300;
const CHANNEL = 'latent-lab-autosave';

/** Every saved graph's key starts with this; the rest is the graph id. */
export const GRAPH_KEY_PREFIX = 'latent-lab:graph:';

export function storageKey(graphId: string): string {
  return GRAPH_KEY_PREFIX + graphId;
}

export function asRecord(value: unknown): SavedRecord | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Partial<SavedRecord>;
  return typeof r.rev === 'number' && typeof r.tabId === 'string' && r.doc !== undefined ? (r as SavedRecord) : null;
}

/** The saved graph, validated through the one load path, and its revision. */
export async function loadSaved(storage: Storage, graphId: string): Promise<{ result: LoadResult; rev: number } | null> {
  const record = asRecord(await storage.get(storageKey(graphId)));
  if (!record) return null;
  return { result: loadDocumentValue(record.doc, 'autosave', registry), rev: record.rev };
}

export interface Autosave {
  /** Writes now if anything is unsaved. */
  flush(): Promise<void>;
  /** After a conflict: overwrite the other tab's version with ours. */
  keepMine(): Promise<void>;
  /** After a conflict: load the other tab's version (undoable). */
  takeTheirs(): Promise<void>;
  stop(): void;
}

export function startAutosave(opts: {
  store: EditorStore;
  graphId: string;
  rev: number;
  storage?: Storage;
  tabId?: string;
  /** The document is not stored yet (it came from a link): write it at once, so it can be found again. */
  unsaved?: boolean;
}): Autosave {
  const { store, graphId } = opts;
  const storage = opts.storage ?? idbStorage;
  const tabId = opts.tabId ?? Math.random().toString(36).slice(2);
  const key = storageKey(graphId);
  let rev = opts.rev;
  let savedDoc: GraphDocument | null = opts.unsaved ? null : store.getState().doc;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);

  const setState = store.getState().setSaveState;

  async function write(force: boolean) {
    const doc = store.getState().doc;
    if (!force && (doc === savedDoc || store.getState().conflict)) return;
    setState({ saveStatus: 'saving' });
    try {
      const stored = asRecord(await storage.get(key));
      if (!force && stored && stored.rev > rev && stored.tabId !== tabId) {
        setState({ conflict: true, saveStatus: 'failed', saveError: 'another tab changed this graph' });
        return;
      }
      const next = Math.max(rev, stored?.rev ?? 0) + 1;
      await storage.set(key, { doc, rev: next, tabId, savedAt: Date.now() } satisfies SavedRecord);
      rev = next;
      savedDoc = doc;
      channel?.postMessage({ graphId, rev, tabId });
      setState({ saveStatus: store.getState().doc === doc ? 'saved' : 'saving', saveError: null });
    } catch (e) {
      setState({ saveStatus: 'failed', saveError: (e as Error)?.message || String(e) });
    }
  }

  // Saves are serialised so two writes never race each other's revision check.
  const queue = (force: boolean) => (writing = writing.then(() => write(force)));

  const unsubscribe = store.subscribe((s, prev) => {
    if (s.doc === prev.doc || timer) return;
    // Say "saving" at once: a stale "saved" next to an unsaved edit would be a lie.
    if (s.saveStatus !== 'failed') setState({ saveStatus: 'saving' });
    timer = setTimeout(() => {
      timer = null;
      void queue(false);
    }, SAVE_DELAY_MS);
  });

  if (opts.unsaved) void queue(false);

  const flushNow = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    return queue(false);
  };
  const onHide = () => void flushNow();
  const onVisibility = () => document.visibilityState === 'hidden' && onHide();
  if (typeof window !== 'undefined') {
    window.addEventListener('pagehide', onHide);
    document.addEventListener('visibilitychange', onVisibility);
  }
  if (channel) {
    channel.onmessage = (e: MessageEvent<{ graphId: string; rev: number; tabId: string }>) => {
      if (e.data.graphId === graphId && e.data.tabId !== tabId && e.data.rev > rev) setState({ conflict: true });
    };
  }

  return {
    flush: flushNow,
    keepMine: async () => {
      setState({ conflict: false });
      await (writing = writing.then(() => write(true)));
    },
    takeTheirs: async () => {
      const record = asRecord(await storage.get(key));
      if (!record) return setState({ conflict: false });
      const loaded = loadDocumentValue(record.doc, 'the other tab’s save', registry);
      if (!loaded.ok) {
        store.getState().notify('error', formatLoadError(loaded.error));
        return;
      }
      rev = record.rev;
      store.getState().replaceDocument(loaded.doc);
      store.getState().frameOpened();
      savedDoc = store.getState().doc;
      setState({ conflict: false, saveStatus: 'saved', saveError: null });
    },
    stop: () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      channel?.close();
      if (typeof window !== 'undefined') {
        window.removeEventListener('pagehide', onHide);
        document.removeEventListener('visibilitychange', onVisibility);
      }
    },
  };
}
