/**
 * The run history's shell: it watches what goes to and comes from the worker
 * (see runStore.ts), keeps the record of the run that trains now, and writes
 * it to IndexedDB — shortly after each change while paused, every few seconds
 * while training, with a checkpoint whenever training pauses and after the
 * worker's own checkpoints (at most once a minute). The decisions are pure
 * (src/store/runHistory.ts); this file owns timers, storage and the page.
 */
import { createStore, useStore } from 'zustand';
import type { GraphDocument } from '../../graph/document';
import type { StoredCheckpoint } from '../../runtime/protocol';
import { editorStore } from '../../store';
import { RunHistory, type PutResult } from '../../store/historyStorage';
import {
  activeAfterLoad,
  addThumbnail,
  appendTime,
  formatMegabytes,
  newRun,
  toThumbnail,
  type ActiveRun,
  type RunRecord,
  type Thumbnail,
  variantTitle,
} from '../../store/runHistory';
import { idbStorage, storageKey, type SavedRecord } from '../../store/autosave';
import { switchToGraph } from '../bootstrap';
import { currentGraphId, freshGraphId } from '../graphUrl';
import { chartSeries } from './lossReadout';
import { onWorkerTraffic, run, runStore, type WorkerTraffic } from './runStore';

/** While training, the record is written at most this often; while paused, this soon after a change. */
const WRITE_WHILE_TRAINING_MS = 8000;
const WRITE_WHILE_PAUSED_MS = 400;
/** The worker's automatic checkpoints are copied into the history at most this often (a copy stops training briefly). */
const CHECKPOINT_COPY_MS = 60_000;
/**
 * The queue trains at least this many rounds per message, and about a tenth of a graph's rounds, so the
 * page shows progress between them without the views' refresh after each chunk (a diffusion model samples
 * all its steps for them) costing more than the training.
 */
const QUEUE_CHUNK = 10;
const QUEUE_CHUNKS_PER_GRAPH = 10;

export interface HistoryNotice {
  id: number;
  kind: 'info' | 'warn' | 'error';
  text: string;
}

export interface HistoryState {
  /** The graph this page edits, and the graph it was duplicated from (itself for an original). */
  graphId: string;
  familyId: string;
  /** Graph ids of the family: the original and its variants (the queue picks from these). */
  family: string[];
  /** Every stored run, oldest first. */
  runs: RunRecord[];
  listed: boolean;
  usedBytes: number;
  capBytes: number;
  /** The run the worker's model is, while it is one. */
  activeRunId: string | null;
  /** Runs ticked for comparison. */
  selected: string[];
  /** The run panel's view. */
  view: 'training' | 'history' | 'compare';
  /** Document node ids the open comparison changed or added: the canvas marks them. */
  highlight: string[];
  /** The history is full: the active run is not being saved until room is made. */
  full: Extract<PutResult, { ok: false }> | null;
  notices: HistoryNotice[];
  queue: QueueState;
}

export interface QueueState {
  graphIds: string[];
  rounds: number;
  running: boolean;
  /** Which item trains now (an index into graphIds), and what it is doing. */
  at: number;
  status: string;
}

const history = new RunHistory();

export const historyStore = createStore<HistoryState>(() => ({
  // Set by startHistory, once bootstrap has settled which graph this tab edits.
  graphId: '',
  familyId: '',
  family: [],
  runs: [],
  listed: false,
  usedBytes: 0,
  capBytes: history.cap,
  activeRunId: null,
  selected: [],
  view: 'training',
  highlight: [],
  full: null,
  notices: [],
  queue: { graphIds: [], rounds: 30, running: false, at: 0, status: '' },
}));

export function useHistoryStore<T>(selector: (s: HistoryState) => T): T {
  return useStore(historyStore, selector);
}

let noticeSeq = 0;
export function historyNotice(kind: HistoryNotice['kind'], text: string) {
  historyStore.setState((s) => ({ notices: [...s.notices, { id: ++noticeSeq, kind, text }].slice(-4) }));
}
export function dismissHistoryNotice(id: number) {
  historyStore.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

// ───────────────────────── the run being recorded ─────────────────────────

let active: ActiveRun | null = null;
let record: RunRecord | null = null;
let thumbnails: Thumbnail[] = [];
let thumbnailsChanged = false;
let pendingCheckpoint: StoredCheckpoint | null = null;
/** The graph the last load sent to the worker belongs to. */
let workerGraphId: string | null = null;
/** Set just before a load that is not the editor's own graph (the queue) or that continues a chosen run. */
let nextLoad: { graphId: string; continuing: string | null } | null = null;
/** The page asked training to pause: the stop that follows copies the checkpoint in (other stops, such as a checkpoint copy's own, do not). */
let pauseAsked = false;
/** The learner deleted the run training now: the rest of its training is not recorded as a new run (until a fresh start). */
let deletedWhileTraining = false;
/** The document the queue trains now. */
let queueDoc: GraphDocument | null = null;
let lastCheckpointCopy = -Infinity;
let writeTimer: ReturnType<typeof setTimeout> | null = null;
/** Writes one after another, so a slow checkpoint write never lets an older record overwrite a newer one. */
let writing: Promise<void> = Promise.resolve();

async function refreshList() {
  const runs = await history.list();
  historyStore.setState({
    runs,
    listed: true,
    usedBytes: runs.reduce((sum, r) => sum + r.bytes.record + r.bytes.checkpoint + r.bytes.thumbnails, 0),
  });
}

function setActive(next: ActiveRun | null) {
  if (next?.runId === active?.runId) {
    active = next;
    return;
  }
  if (record) void writeNow();
  active = next;
  record = null;
  thumbnails = [];
  thumbnailsChanged = false;
  pendingCheckpoint = null;
  historyStore.setState({ activeRunId: next?.runId ?? null });
  if (next) {
    // A run from the history (a reload, a continue): pick up its record and thumbnails.
    const stored = historyStore.getState().runs.find((r) => r.id === next.runId) ?? null;
    record = stored;
    if (stored)
      void history.thumbnails(stored.id).then((t) => {
        if (active?.runId === stored.id && thumbnails.length === 0) thumbnails = t;
      });
  }
}

function latestRunOf(graphId: string): RunRecord | null {
  return (
    historyStore
      .getState()
      .runs.filter((r) => r.graphId === graphId)
      .at(-1) ?? null
  );
}

function startRecord(): RunRecord | null {
  const s = runStore.getState();
  const doc = s.lastDoc;
  if (!doc || !s.info || !workerGraphId) return null;
  const { runs, familyId, graphId } = historyStore.getState();
  const family = workerGraphId === graphId ? familyId : workerGraphId;
  const r = newRun({
    id: `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
    graphId: workerGraphId,
    familyId: family,
    doc,
    data: s.info.data.source,
    backend: s.backend?.backend ?? '',
    now: Date.now(),
    namesOfGraph: runs.filter((x) => x.graphId === workerGraphId).map((x) => x.name),
    coloursInFamily: runs.filter((x) => x.familyId === family).map((x) => x.colour),
  });
  active = { runId: r.id, graphId: workerGraphId };
  historyStore.setState({ activeRunId: r.id, runs: [...runs, r] });
  return r;
}

function scheduleWrite(ms: number) {
  if (writeTimer && ms > 0) return;
  if (writeTimer) clearTimeout(writeTimer);
  writeTimer = setTimeout(() => {
    writeTimer = null;
    void writeNow();
  }, ms);
}

/** Writes the active record (and what changed of its thumbnails and checkpoint); resolves once it is stored. */
export function writeNow(): Promise<void> {
  const r = record;
  if (!r) return writing;
  const parts = {
    ...(thumbnailsChanged ? { thumbnails } : {}),
    ...(pendingCheckpoint ? { checkpoint: pendingCheckpoint } : {}),
  };
  thumbnailsChanged = false;
  pendingCheckpoint = null;
  writing = writing.then(async () => {
    if (historyStore.getState().full) return;
    try {
      const result = await history.put({ ...r, updatedAt: Date.now() }, parts);
      if (!result.ok) {
        historyStore.setState({ full: result });
        // Keep what was not written, so it goes with the next write once there is room.
        if (parts.thumbnails) thumbnailsChanged = true;
        if (parts.checkpoint && !pendingCheckpoint) pendingCheckpoint = parts.checkpoint;
        return;
      }
      if (record?.id === r.id) record = { ...record, bytes: result.record.bytes, checkpointStep: result.record.checkpointStep };
      await refreshList();
    } catch (e) {
      historyNotice('error', `Could not save the run “${r.name}”: ${(e as Error).message || String(e)}`);
    }
  });
  return writing;
}

function changed() {
  scheduleWrite(runStore.getState().running ? WRITE_WHILE_TRAINING_MS : WRITE_WHILE_PAUSED_MS);
}

async function copyCheckpoint() {
  const runId = active?.runId;
  if (!runId) return;
  lastCheckpointCopy = performance.now();
  const reply = await run.exportCheckpoint();
  if (!reply.checkpoint || active?.runId !== runId || !record) return;
  pendingCheckpoint = reply.checkpoint;
  record = { ...record, step: Math.max(record.step, reply.checkpoint.info.step) };
  scheduleWrite(0);
}

function observe(t: WorkerTraffic) {
  if (t.dir === 'sent') {
    const msg = t.msg;
    if (msg.type === 'load') {
      workerGraphId = nextLoad?.graphId ?? historyStore.getState().graphId;
      // The editor sending the very document the queue trains (its debounced load) changes nothing.
      if (!nextLoad && queueRunning() && msg.doc !== queueDoc) stopQueue('the editor’s graph was sent to training');
    }
    if (msg.type === 'reset') {
      deletedWhileTraining = false;
      setActive(null);
    }
    if (msg.type === 'pause') pauseAsked = true;
    if (msg.type === 'play' || msg.type === 'step') pauseAsked = false;
    return;
  }
  const msg = t.msg;
  const s = runStore.getState();
  switch (msg.type) {
    case 'loaded': {
      const graphId = workerGraphId ?? historyStore.getState().graphId;
      const continuing = nextLoad?.continuing ?? null;
      nextLoad = null;
      if (msg.step === 0 || continuing) deletedWhileTraining = false;
      setActive(activeAfterLoad(active, { graphId, step: msg.step, resumed: msg.resumed }, latestRunOf(graphId), continuing));
      // The weights were kept under a changed graph: the run now trains that graph.
      if (record && s.lastDoc && record.doc !== s.lastDoc) {
        record = { ...record, doc: s.lastDoc, seed: s.lastDoc.meta.seed };
        changed();
      }
      return;
    }
    case 'metrics': {
      if (msg.points.length === 0 || (deletedWhileTraining && !record)) return;
      record ??= startRecord();
      if (!record) return;
      record = {
        ...record,
        step: msg.step,
        curves: { steps: s.curves.steps, series: s.curves.series },
        charted: chartSeries(s.info, Object.keys(s.curves.series)).map(({ key, label }) => ({ key, label })),
        time: appendTime(record.time, msg.step, msg.msPerStep),
        backend: s.backend?.backend ?? record.backend,
        measurements: s.measure.history,
        origin: 'browser',
      };
      changed();
      return;
    }
    case 'samples': {
      // Only the reply the page waited for is shown, and only that one is kept.
      if (!record || s.samples !== msg) return;
      const last = thumbnails.at(-1);
      if (last && last.step === msg.step) return;
      thumbnails = addThumbnail(thumbnails, toThumbnail(msg.step, msg.n, msg.shape, msg.images));
      thumbnailsChanged = true;
      record = { ...record, thumbnailCount: thumbnails.length };
      changed();
      return;
    }
    case 'measured':
      if (!record) return;
      record = { ...record, measurements: s.measure.history };
      changed();
      return;
    case 'checkpoint':
      if (record && performance.now() - lastCheckpointCopy >= CHECKPOINT_COPY_MS) void copyCheckpoint();
      return;
    case 'state':
      if (pauseAsked && !msg.running && !msg.busy) {
        pauseAsked = false;
        if (record && !s.diverged) void copyCheckpoint();
      }
      return;
    default:
      return;
  }
}

// ───────────────────────── actions ─────────────────────────

/** Reads the stored runs and this graph's family; starts recording. Called once by the run panel. */
let started = false;
export function startHistory() {
  if (started) return;
  started = true;
  onWorkerTraffic(observe);
  const graphId = currentGraphId();
  historyStore.setState({ graphId, familyId: graphId, family: [graphId] });
  void (async () => {
    try {
      const familyId = await history.familyOf(graphId);
      const family = await history.graphsInFamily(familyId);
      historyStore.setState({ familyId, family });
      await refreshList();
    } catch (e) {
      historyNotice('error', `Could not read the run history: ${(e as Error).message || String(e)}`);
    }
  })();
  if (typeof window !== 'undefined') window.addEventListener('pagehide', () => void writeNow());
}

export const runHistory = {
  select(runId: string, on: boolean) {
    historyStore.setState((s) => ({ selected: on ? [...new Set([...s.selected, runId])] : s.selected.filter((id) => id !== runId) }));
  },
  show(view: HistoryState['view']) {
    historyStore.setState({ view, ...(view === 'compare' ? {} : { highlight: [] }) });
  },
  setHighlight(nodeIds: string[]) {
    historyStore.setState({ highlight: nodeIds });
  },
  async rename(runId: string, name: string) {
    const renamed = await history.rename(runId, name);
    if (renamed && record?.id === runId) record = { ...record, name: renamed.name };
    await refreshList();
  },
  async remove(runId: string) {
    if (active?.runId === runId) {
      // Drop the record first: setActive would write it once more.
      record = null;
      deletedWhileTraining = true;
      setActive(null);
    }
    await writing;
    await history.remove(runId);
    historyStore.setState((s) => ({ selected: s.selected.filter((id) => id !== runId) }));
    await refreshList();
  },
  /** After "history full": delete the oldest runs it named and save the active run again. */
  async deleteOldest() {
    const full = historyStore.getState().full;
    if (!full) return;
    for (const o of full.oldest) await history.remove(o.id);
    historyStore.setState({ full: null });
    historyNotice('info', `Deleted ${full.oldest.map((o) => `“${o.name}” (${formatMegabytes(o.bytes)})`).join(', ')} to make room.`);
    await refreshList();
    if (record) thumbnailsChanged = true;
    await writeNow();
  },
  dismissFull() {
    historyStore.setState({ full: null });
  },
  checkpoint: (runId: string) => history.checkpoint(runId),
  thumbnails: (runId: string) => history.thumbnails(runId),
  /** Continues a run of this graph: its graph goes into the editor (undoable) and training goes on from its checkpoint. */
  async continueRun(runId: string) {
    const r = historyStore.getState().runs.find((x) => x.id === runId);
    if (!r) return;
    const checkpoint = await history.checkpoint(runId);
    if (!checkpoint) {
      historyNotice('warn', `“${r.name}” has no saved checkpoint yet (one is saved when training pauses), so it cannot continue.`);
      return;
    }
    await writeNow();
    continueWith(r, checkpoint);
  },
  /** Adds an opened run (a bundle) to the history and continues it in the editor. */
  async addAndContinue(r: RunRecord, parts: { checkpoint: StoredCheckpoint | null; thumbnails: Thumbnail[] }): Promise<boolean> {
    const result = await history.put(r, { thumbnails: parts.thumbnails, ...(parts.checkpoint ? { checkpoint: parts.checkpoint } : {}) });
    if (!result.ok) {
      historyNotice(
        'error',
        `The history has no room for “${r.name}”: it needs ${formatMegabytes(result.over)} more. Delete older runs first${result.oldest.length ? ` (the oldest is “${result.oldest[0].name}”)` : ''}.`,
      );
      return false;
    }
    await refreshList();
    if (parts.checkpoint) continueWith(result.record, parts.checkpoint);
    else editorStore.getState().replaceDocument(r.doc);
    return true;
  },
  /**
   * Copies the open graph into a new graph of the same family (same seed, so the
   * same initial weights and data order) and opens it, so a learner changes one thing and runs it.
   */
  async duplicateAsVariant(): Promise<void> {
    const ed = editorStore.getState();
    const doc = { ...ed.doc, meta: { ...ed.doc.meta, title: variantTitle(ed.doc.meta.title, historyStore.getState().family.length) } };
    const graphId = await runHistory.addVariant(doc);
    if (!graphId) return;
    await writeNow();
    const why = await switchToGraph(graphId);
    if (why) ed.notify('error', `Could not open the variant: ${why}.`);
  },
  /** Saves `doc` as a new graph of this family (it shows in the history and the queue); null when it could not be saved. */
  async addVariant(doc: GraphDocument): Promise<string | null> {
    const { familyId } = historyStore.getState();
    const graphId = freshGraphId();
    try {
      await history.setFamily(graphId, familyId);
      await idbStorage.set(storageKey(graphId), { doc, rev: 1, tabId: 'variant', savedAt: Date.now() } satisfies SavedRecord);
    } catch (e) {
      editorStore
        .getState()
        .notify('error', `Could not save the variant: ${(e as Error).message || String(e)}. The open graph is unchanged.`);
      return null;
    }
    historyStore.setState((s) => ({ family: [...s.family, graphId] }));
    return graphId;
  },
  history,
};

function continueWith(r: RunRecord, checkpoint: StoredCheckpoint) {
  const ed = editorStore.getState();
  if (JSON.stringify(ed.doc) !== JSON.stringify(r.doc)) {
    ed.replaceDocument(r.doc);
    ed.frameOpened();
  }
  nextLoad = { graphId: historyStore.getState().graphId, continuing: r.id };
  run.load(r.doc, { onChange: 'restart', checkpoint });
  historyStore.setState({ view: 'training' });
}

// ───────────────────────── the queue ─────────────────────────

const queueRunning = () => historyStore.getState().queue.running;

function setQueue(q: Partial<QueueState>) {
  historyStore.setState((s) => ({ queue: { ...s.queue, ...q } }));
}

function stopQueue(why: string) {
  setQueue({ running: false, status: `Stopped: ${why}.` });
  run.pause();
}

/** Resolves once the run store satisfies `ok`; rejects if the queue is stopped meanwhile or after `ms`. */
export function whileQueued(ok: (s: ReturnType<typeof runStore.getState>) => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!queueRunning()) return done(new Error('stopped'));
      if (ok(runStore.getState())) done();
    };
    const timer = setTimeout(() => done(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
    const unsub = runStore.subscribe(check);
    const unsubQueue = historyStore.subscribe(check);
    function done(err?: Error) {
      clearTimeout(timer);
      unsub();
      unsubQueue();
      if (err) reject(err);
      else resolve();
    }
    check();
  });
}

export interface QueueOptions {
  /** Rounds for this graph instead of the queue's one count. */
  roundsOf?: (graphId: string) => number;
  /** After a graph has trained and its checkpoint is copied, before its run is written (e.g. to measure it). */
  afterEach?: (graphId: string) => Promise<void>;
}

export const runQueue = {
  toggle(graphId: string, on: boolean) {
    const q = historyStore.getState().queue;
    setQueue({ graphIds: on ? [...new Set([...q.graphIds, graphId])] : q.graphIds.filter((g) => g !== graphId) });
  },
  setRounds: (rounds: number) => setQueue({ rounds }),
  setGraphs: (graphIds: string[]) => setQueue({ graphIds }),
  stop: () => stopQueue('stopped by you'),
  /**
   * Trains each queued graph from step 0 for `rounds` rounds, one after
   * another, each recorded as a run; then hands the worker back the editor's graph.
   */
  async start(docOf: (graphId: string) => Promise<GraphDocument | null>, options: QueueOptions = {}) {
    const { graphIds, rounds: queueRounds } = historyStore.getState().queue;
    if (!graphIds.length || queueRunning()) return;
    setQueue({ running: true, at: 0, status: '' });
    try {
      for (let i = 0; i < graphIds.length; i++) {
        const graphId = graphIds[i];
        setQueue({ at: i, status: `loading ${i + 1} of ${graphIds.length}` });
        const rounds = options.roundsOf?.(graphId) ?? queueRounds;
        const doc = await docOf(graphId);
        if (!doc) {
          historyNotice('warn', `Queue: graph ${graphId} could not be opened; skipped.`);
          continue;
        }
        nextLoad = { graphId, continuing: null };
        queueDoc = doc;
        const before = runStore.getState().info;
        run.load(doc, { onChange: 'restart' });
        await whileQueued((s) => (s.info !== before && !!s.info) || s.compileErrors > 0, 120_000, 'loading');
        if (runStore.getState().compileErrors > 0) {
          historyNotice('warn', `Queue: “${doc.meta.title}” has errors; skipped.`);
          continue;
        }
        if (runStore.getState().step > 0) {
          run.reset();
          await whileQueued((s) => s.step === 0, 60_000, 'the reset');
        }
        // Rounds go in chunks of exact counts (not play and pause, which overshoots), so every run gets the same number.
        const chunk = Math.max(QUEUE_CHUNK, Math.ceil(rounds / QUEUE_CHUNKS_PER_GRAPH));
        while (runStore.getState().step < rounds && !runStore.getState().diverged) {
          const from = runStore.getState().step;
          setQueue({ status: `training ${i + 1} of ${graphIds.length}: “${doc.meta.title}”, round ${from} of ${rounds}` });
          run.stepRounds(Math.min(chunk, rounds - from));
          await whileQueued((s) => (s.step > from && !s.running && s.expectingSince === null) || !!s.diverged, 3_600_000, 'training');
        }
        if (!runStore.getState().diverged) {
          await copyCheckpoint();
          await whileQueued(() => !!record && record.checkpointStep !== null && record.checkpointStep >= rounds, 60_000, 'saving the run');
          await options.afterEach?.(graphId);
        }
        await writeNow();
      }
      setQueue({
        running: false,
        status: `Done: ${graphIds.length} graph${graphIds.length === 1 ? '' : 's'} trained for ${options.roundsOf ? 'their own numbers of' : queueRounds} rounds.`,
      });
    } catch (e) {
      if ((e as Error).message !== 'stopped') stopQueue((e as Error).message);
    } finally {
      queueDoc = null;
      // Back to the graph the editor shows, fresh.
      const { graphId } = historyStore.getState();
      if (workerGraphId !== graphId) run.load(editorStore.getState().doc, { onChange: 'restart' });
    }
  },
};

declare global {
  interface Window {
    /** End-to-end tests and the console: the run history's state. */
    latentLabHistory?: { historyStore: typeof historyStore };
  }
}
if (typeof window !== 'undefined') window.latentLabHistory = { historyStore };
