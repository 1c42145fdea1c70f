/**
 * The run panel's "four families on this data" lesson (seed 002): the 2-D VAE,
 * flow, diffusion and GAN presets take the open graph's data, become variants
 * of this graph (so they list in its history and compare like any run), train
 * one after another through the queue, and each is measured (precision, recall,
 * grid KL, MMD² against the same held-out points) and its samples kept for the
 * side-by-side view. The graphs come from src/runs/lesson.ts, as the CLI's do.
 */
import { createStore, useStore } from 'zustand';
import type { GraphDocument } from '../../graph/document';
import type { FromWorkerOf, SampleMetrics } from '../../runtime/protocol';
import { FAMILIES_LESSON, lessonDocument, lessonRounds, type LessonFamily } from '../../runs/lesson';
import { editorStore } from '../../store';
import { findPreset } from '../presets';
import { historyStore, runHistory, runQueue, whileQueued } from './historyStore';
import { run, runStore } from './runStore';

/** Samples drawn for each family's measurement and scatter (the CLI's default is 2000; a page keeps it quicker). */
export const LESSON_SAMPLES = 1000;
/** The quick version trains each family for this share of its README rounds. */
export const QUICK_SCALE = 0.25;

export interface LessonItem {
  family: LessonFamily;
  graphId: string;
  rounds: number;
  runId: string | null;
  /** The measurement after training, or why there is none. */
  metrics: SampleMetrics | null;
  unavailable?: string;
  /** Training time the run recorded (rounds × time per round), and the wall time it took here with views and saving. */
  seconds: number | null;
  wallSeconds: number | null;
  /** The playground's real and generated points after training, for the scatter. */
  points: Pick<FromWorkerOf<'points2d'>, 'real' | 'fake' | 'bounds'> | null;
}

export interface LessonState {
  phase: 'idle' | 'running' | 'done' | 'stopped';
  /** What the data is called, as the Dataset node names it. */
  data: string;
  scale: number;
  items: LessonItem[];
  /** Why the lesson could not start or stopped. */
  problem: string | null;
}

export const lessonStore = createStore<LessonState>(() => ({ phase: 'idle', data: '', scale: QUICK_SCALE, items: [], problem: null }));

export function useLesson<T>(selector: (s: LessonState) => T): T {
  return useStore(lessonStore, selector);
}

function setItem(graphId: string, patch: Partial<LessonItem>) {
  lessonStore.setState((s) => ({ items: s.items.map((it) => (it.graphId === graphId ? { ...it, ...patch } : it)) }));
}

/** Builds the four graphs from the open graph's data, or says why not. */
function lessonGraphs(from: GraphDocument, dataName: string): { family: LessonFamily; doc: GraphDocument }[] | string {
  const { registry } = editorStore.getState();
  const out: { family: LessonFamily; doc: GraphDocument }[] = [];
  for (const family of FAMILIES_LESSON) {
    const preset = findPreset(family.preset);
    if (!preset) return `the preset ${family.preset} is missing from this build`;
    const made = lessonDocument(preset.doc, registry, { from }, `${family.family} on ${dataName} (families lesson)`);
    if (!made.ok) return made.why;
    out.push({ family, doc: made.doc });
  }
  return out;
}

/** Measures the model the queue has just trained and keeps its points, while the queue still holds the worker. */
let lastFinished = 0;

async function measureTrained(graphId: string) {
  const before = runStore.getState();
  const runId = historyStore.getState().activeRunId;
  const trained = historyStore.getState().runs.find((r) => r.id === runId);
  const now = performance.now();
  setItem(graphId, { runId, seconds: trained?.time.at(-1)?.seconds ?? null, wallSeconds: (now - lastFinished) / 1000 });
  run.measureSamples(LESSON_SAMPLES);
  await whileQueued((s) => s.measure.latest !== before.measure.latest && s.measure.progress === null, 600_000, 'measuring');
  const measured = runStore.getState().measure.latest;
  setItem(graphId, { metrics: measured?.metrics ?? null, unavailable: measured?.unavailable });
  run.points2d(LESSON_SAMPLES);
  await whileQueued((s) => !!s.points2d && s.points2d !== before.points2d && s.points2d.step === s.step, 120_000, 'drawing the samples');
  const pts = runStore.getState().points2d!;
  setItem(graphId, { points: { real: pts.real, fake: pts.fake, bounds: pts.bounds } });
  lastFinished = performance.now();
}

export const familiesLesson = {
  setScale: (scale: number) => lessonStore.setState({ scale }),
  /** Creates the four variants with the open graph's data and trains them one after another. */
  async start(dataName: string) {
    if (lessonStore.getState().phase === 'running' || historyStore.getState().queue.running) return;
    const graphs = lessonGraphs(editorStore.getState().doc, dataName);
    if (typeof graphs === 'string') {
      lessonStore.setState({ problem: `The lesson cannot start: ${graphs}.` });
      return;
    }
    const { scale } = lessonStore.getState();
    const items: LessonItem[] = [];
    const docs = new Map<string, GraphDocument>();
    for (const g of graphs) {
      const graphId = await runHistory.addVariant(g.doc);
      if (!graphId) {
        lessonStore.setState({ problem: 'The lesson cannot start: its graphs could not be saved (see the notice).' });
        return;
      }
      docs.set(graphId, g.doc);
      items.push({
        family: g.family,
        graphId,
        rounds: lessonRounds(g.family, scale),
        runId: null,
        metrics: null,
        seconds: null,
        wallSeconds: null,
        points: null,
      });
    }
    lessonStore.setState({ phase: 'running', data: dataName, items, problem: null });
    lastFinished = performance.now();
    runQueue.setGraphs(items.map((it) => it.graphId));
    const rounds = new Map(items.map((it) => [it.graphId, it.rounds]));
    await runQueue.start(async (g) => docs.get(g) ?? null, { roundsOf: (g) => rounds.get(g)!, afterEach: measureTrained });
    const finished = lessonStore.getState().items.every((it) => it.points);
    lessonStore.setState({ phase: finished ? 'done' : 'stopped', problem: finished ? null : historyStore.getState().queue.status || null });
  },
  stop: () => runQueue.stop(),
  /** Ticks the lesson's runs and opens the comparison (curves, the metric table, what differs between the graphs). */
  compare() {
    const ids = lessonStore
      .getState()
      .items.map((it) => it.runId)
      .filter((id): id is string => !!id);
    for (const id of historyStore.getState().selected) runHistory.select(id, false);
    for (const id of ids) runHistory.select(id, true);
    runHistory.show('compare');
  },
};

declare global {
  interface Window {
    /** End-to-end tests and the console: the families lesson's state (a test shortens its rounds). */
    latentLabLesson?: { lessonStore: typeof lessonStore };
  }
}
if (typeof window !== 'undefined') window.latentLabLesson = { lessonStore };
