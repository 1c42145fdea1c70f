/**
 * The page's list of data sets picked in this browser (their summaries; the
 * examples stay in IndexedDB for the worker). The compiler is told what each
 * holds, so the Problems tab and the canvas use the real shape and classes,
 * and that data named by a file path cannot be read in a browser.
 */
import { createStore } from 'zustand/vanilla';
import { entries as idbEntries } from 'idb-keyval';
import type { DataLookup } from '../compiler/compile';
import { UPLOAD_SUMMARY_PREFIX, type UploadSummary } from '../graph/uploads';

export interface UploadsState {
  summaries: Record<string, UploadSummary>;
  /** false until the stored summaries have been read (a saved graph's upload is not "missing" before that) */
  ready: boolean;
  add(summary: UploadSummary): void;
}

export const uploadsStore = createStore<UploadsState>()((set) => ({
  summaries: {},
  ready: false,
  add: (summary) => set((s) => ({ summaries: { ...s.summaries, [summary.id]: summary } })),
}));

function isSummary(v: unknown): v is UploadSummary {
  const s = v as Partial<UploadSummary> | null;
  return !!s && typeof s.id === 'string' && Array.isArray(s.shape) && typeof s.count === 'number' && typeof s.numClasses === 'number';
}

/** Reads the stored summaries once at start-up. */
export async function loadUploads(list: () => Promise<[IDBValidKey, unknown][]> = idbEntries): Promise<void> {
  const found: Record<string, UploadSummary> = {};
  try {
    for (const [key, value] of await list()) if (String(key).startsWith(UPLOAD_SUMMARY_PREFIX) && isSummary(value)) found[value.id] = value;
  } finally {
    uploadsStore.setState((s) => ({ summaries: { ...found, ...s.summaries }, ready: true }));
  }
}

const lookups = new WeakMap<Record<string, UploadSummary>, DataLookup>();

/** What the page knows about a Dataset node's data, for the compiler. */
export function pageDataLookup(state: Pick<UploadsState, 'summaries' | 'ready'> = uploadsStore.getState()): DataLookup {
  const cached = state.ready ? lookups.get(state.summaries) : undefined;
  if (cached) return cached;
  const lookup: DataLookup = (spec) => {
    if (spec.source === 'idx' || spec.source === 'pngdir')
      return {
        problem: `the ${spec.source} source reads files by path, which only the CLI can do`,
        hint: 'in the browser, choose the source "upload" and pick or drop the files in this node’s inspector',
        param: 'source',
      };
    if (spec.source !== 'upload') return undefined;
    if (!spec.path) return { problem: 'no files picked yet', hint: 'pick or drop your files in this node’s inspector', param: 'upload' };
    const found = state.summaries[spec.path];
    if (found) return found;
    if (!state.ready) return undefined;
    return {
      problem: 'the files picked for this graph are not stored in this browser',
      hint: 'pick the same files again in this node’s inspector (a graph from another browser or a link carries no data)',
      param: 'upload',
    };
  };
  if (state.ready) lookups.set(state.summaries, lookup);
  return lookup;
}
