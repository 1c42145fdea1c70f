/**
 * The browser's run history as a pure model: what a run record holds, when a
 * run starts and when training continues one, names and colours, sample
 * thumbnails thinned to a few, the storage cap, and what the compare view
 * shows (curves aligned by step or time, the metric table with the best value
 * of each column). Persistence is in ./historyStorage.ts; the shell that
 * watches the worker is src/ui/run/historyStore.ts.
 */
import type { GraphDocument } from '../graph/document';
import type { LossPoint, Measurement, SampleMetrics } from '../runtime/protocol';
import { ELBO_SERIES } from './runCurves';

/** A sample grid at one step, 8 bits a value: n × prod(shape) values, 0…255. */
export interface Thumbnail {
  step: number;
  n: number;
  shape: number[];
  pixels: Uint8Array;
}

/** Training time by step, so curves can be compared against time as well as steps. */
export interface TimePoint {
  step: number;
  seconds: number;
}

export interface RunCurves {
  steps: number[];
  series: Record<string, number[]>;
}

export interface RunRecord {
  id: string;
  /** The editor's autosave graph id: the graph this run trained. */
  graphId: string;
  /** The graph a variant was duplicated from (itself for an original), so a graph's variants list together. */
  familyId: string;
  name: string;
  colour: string;
  createdAt: number;
  updatedAt: number;
  /** The document that trains; replaced when the graph changes but the weights are kept. */
  doc: GraphDocument;
  seed: number;
  data: string;
  backend: string;
  step: number;
  curves: RunCurves;
  /** The curves the run panel draws, with its names for them (a lone term's optimizer total is left out); absent for a CLI run: every term. */
  charted?: { key: string; label: string }[];
  time: TimePoint[];
  measurements: Measurement[];
  /** Where it was last trained: here, or in the CLI (an opened bundle). */
  origin: 'browser' | 'cli';
  /** The step of the stored checkpoint, or null while there is none. */
  checkpointStep: number | null;
  thumbnailCount: number;
  /** What each part takes in storage, in bytes (an estimate: what structured clone writes). */
  bytes: RunBytes;
}

export interface RunBytes {
  record: number;
  checkpoint: number;
  thumbnails: number;
}

export const totalBytes = (b: RunBytes) => b.record + b.checkpoint + b.thumbnails;

/** The history's default cap. */
export const HISTORY_CAP_BYTES = 200 * 1024 * 1024;
/** Sample grids kept per run: enough to scrub through training, small enough to list many runs. */
export const MAX_THUMBNAILS = 20;
/** Time points kept per run (the curve itself is thinned by runCurves). */
export const MAX_TIME_POINTS = 500;

/** Ten distinct colours that read on light and dark backgrounds (Tableau 10). */
export const RUN_COLOURS = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];

/** The first palette colour no run in `taken` has; past ten runs, the least used. */
export function pickColour(taken: readonly string[]): string {
  const uses = new Map(RUN_COLOURS.map((c) => [c, 0]));
  for (const c of taken) if (uses.has(c)) uses.set(c, uses.get(c)! + 1);
  let best = RUN_COLOURS[0];
  for (const c of RUN_COLOURS) if (uses.get(c)! < uses.get(best)!) best = c;
  return best;
}

/** "DCGAN · run 3": one more than the highest number among this graph's runs, so a deleted run's number is not reused while a later one exists. */
export function nextRunName(title: string, namesOfGraph: readonly string[]): string {
  const base = title.trim() || 'Untitled graph';
  let highest = namesOfGraph.length;
  for (const name of namesOfGraph) {
    const m = / · run (\d+)$/.exec(name);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return `${base} · run ${highest + 1}`;
}

/** "DCGAN · variant 2" for the first variant of DCGAN (the original is the first); a variant of a variant counts in the same family. */
export function variantTitle(title: string, graphsInFamily: number): string {
  const base = title.replace(/ · variant \d+$/, '').trim() || 'Untitled graph';
  return `${base} · variant ${Math.max(1, graphsInFamily) + 1}`;
}

// ───────────────────────── when a run starts ─────────────────────────

/** The run the worker's model is training, as far as the history is concerned. */
export interface ActiveRun {
  runId: string;
  graphId: string;
}

/**
 * The worker loaded a model for `graphId` at `step`. A model at step 0 starts
 * over (a fresh graph, a restart): the run ends, and the next training starts a
 * new one. A model past step 0 continues: the run it is (`continuing`, when the
 * page asked to continue a run), the active run of the same graph (the graph
 * changed but kept its weights), or, when the worker resumed its stored
 * checkpoint (a reload), this graph's latest run; else none.
 */
export function activeAfterLoad(
  active: ActiveRun | null,
  loaded: { graphId: string; step: number; resumed: boolean },
  latestOfGraph: { id: string } | null,
  continuing: string | null,
): ActiveRun | null {
  if (continuing) return { runId: continuing, graphId: loaded.graphId };
  if (loaded.step === 0) return null;
  if (active && active.graphId === loaded.graphId) return active;
  return loaded.resumed && latestOfGraph ? { runId: latestOfGraph.id, graphId: loaded.graphId } : null;
}

/** A new record for a run that just started training. */
export function newRun(o: {
  id: string;
  graphId: string;
  familyId: string;
  doc: GraphDocument;
  data: string;
  backend: string;
  now: number;
  /** This graph's runs (for the number) and the family's (for a colour none of them has). */
  namesOfGraph: readonly string[];
  coloursInFamily: readonly string[];
}): RunRecord {
  return {
    id: o.id,
    graphId: o.graphId,
    familyId: o.familyId,
    name: nextRunName(o.doc.meta.title, o.namesOfGraph),
    colour: pickColour(o.coloursInFamily),
    createdAt: o.now,
    updatedAt: o.now,
    doc: o.doc,
    seed: o.doc.meta.seed,
    data: o.data,
    backend: o.backend,
    step: 0,
    curves: { steps: [], series: {} },
    time: [],
    measurements: [],
    origin: 'browser',
    checkpointStep: null,
    thumbnailCount: 0,
    bytes: { record: 0, checkpoint: 0, thumbnails: 0 },
  };
}

/**
 * Training time at `step`, from the worker's milliseconds per step: a pause
 * (or a page left open overnight) adds nothing, so runs compare by the time
 * they spent training.
 */
export function appendTime(time: readonly TimePoint[], step: number, msPerStep: number): TimePoint[] {
  // A restore rewinds: the time after the restored step did not happen to this run.
  const kept = time.filter((t) => t.step < step);
  const last = kept.at(-1) ?? { step: 0, seconds: 0 };
  const seconds = last.seconds + (Math.max(0, step - last.step) * Math.max(0, msPerStep)) / 1000;
  const out = [...kept, { step, seconds }];
  return out.length > MAX_TIME_POINTS ? out.filter((_, i) => i % 2 === 0 || i === out.length - 1) : out;
}

// ───────────────────────── thumbnails ─────────────────────────

/** A sample grid in 8 bits (values in [0, 1]; NaN is drawn as 0 like the live grid does). */
export function toThumbnail(step: number, n: number, shape: number[], images: Float32Array): Thumbnail {
  const pixels = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    pixels[i] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v * 255))) : 0;
  }
  return { step, n, shape: [...shape], pixels };
}

export function thumbnailImages(t: Thumbnail): Float32Array {
  return Float32Array.from(t.pixels, (v) => v / 255);
}

/**
 * `list` (by ascending step) with `t` added, at most `max` long: the first and
 * latest stay, and while there are too many the one whose neighbours are
 * closest goes, so what is kept stays spread over the whole run.
 */
export function addThumbnail(list: readonly Thumbnail[], t: Thumbnail, max = MAX_THUMBNAILS): Thumbnail[] {
  // A grid at or before one already kept replaces everything after it: a restore rewound the run.
  const out = [...list.filter((x) => x.step < t.step), t];
  while (out.length > Math.max(2, max)) {
    let drop = 1;
    for (let i = 2; i < out.length - 1; i++) if (out[i + 1].step - out[i - 1].step < out[drop + 1].step - out[drop - 1].step) drop = i;
    out.splice(drop, 1);
  }
  return out;
}

/** The grid at or before `step` (null before the first): what the compare view's slider shows. */
export function thumbnailAt(list: readonly Thumbnail[], step: number): Thumbnail | null {
  let found: Thumbnail | null = null;
  for (const t of list) if (t.step <= step) found = t;
  return found;
}

// ───────────────────────── the cap ─────────────────────────

/** Roughly what structured clone writes for `value`: typed arrays by their bytes, strings two bytes a character. */
export function estimateBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 8;
  if (typeof value === 'string') return 2 * value.length;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + estimateBytes(v), 8);
  if (typeof value === 'object') {
    let sum = 8;
    for (const [k, v] of Object.entries(value)) sum += 2 * k.length + estimateBytes(v);
    return sum;
  }
  return 8;
}

export type CapVerdict =
  | { ok: true }
  /** The write would pass the cap: `oldest` are the runs to delete (oldest first) to make room, `enough` whether deleting them would. */
  | { ok: false; over: number; oldest: { id: string; name: string; bytes: number }[]; enough: boolean };

/**
 * Whether replacing `runId`'s stored parts (`before` bytes) with `after` bytes
 * keeps the history within `cap`. Nothing is ever dropped silently: when it
 * would not fit, the caller says so and offers the oldest runs for deletion.
 */
export function checkCap(
  runs: readonly { id: string; name: string; createdAt: number; bytes: RunBytes }[],
  runId: string,
  after: number,
  cap = HISTORY_CAP_BYTES,
): CapVerdict {
  const others = runs.filter((r) => r.id !== runId);
  const used = others.reduce((sum, r) => sum + totalBytes(r.bytes), 0);
  const over = used + after - cap;
  if (over <= 0) return { ok: true };
  const oldest: { id: string; name: string; bytes: number }[] = [];
  let freed = 0;
  for (const r of [...others].sort((a, b) => a.createdAt - b.createdAt)) {
    if (freed >= over) break;
    oldest.push({ id: r.id, name: r.name, bytes: totalBytes(r.bytes) });
    freed += totalBytes(r.bytes);
  }
  return { ok: false, over, oldest, enough: freed >= over };
}

/** "14.2 MB" */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

// ───────────────────────── files ─────────────────────────

/** The curves as metrics.jsonl lines carry them (the page's ELBO sum is derived, not logged, so it is left out). */
export function curvesToPoints(c: RunCurves): LossPoint[] {
  return c.steps.map((step, i) => {
    const losses: Record<string, number> = {};
    for (const [term, values] of Object.entries(c.series)) if (term !== ELBO_SERIES && Number.isFinite(values[i])) losses[term] = values[i];
    return { step, losses };
  });
}

export function pointsToCurves(points: readonly LossPoint[]): RunCurves {
  const terms = [...new Set(points.flatMap((p) => Object.keys(p.losses)))];
  return {
    steps: points.map((p) => p.step),
    series: Object.fromEntries(terms.map((t) => [t, points.map((p) => p.losses[t] ?? NaN)])),
  };
}

// ───────────────────────── compare ─────────────────────────

/** The curves worth comparing, in the order they first appear, named as the run panel names them. */
export function compareTerms(runs: readonly Pick<RunRecord, 'curves' | 'charted'>[]): { key: string; label: string }[] {
  const out = new Map<string, string>();
  for (const r of runs)
    for (const t of r.charted ?? Object.keys(r.curves.series).map((key) => ({ key, label: key })))
      if (!out.has(t.key)) out.set(t.key, t.label);
  return [...out].map(([key, label]) => ({ key, label }));
}

/**
 * One term of several runs on a shared x axis (steps, or training seconds),
 * as uPlot wants it: the union of x values ascending, and per run its value at
 * each x or null where it logged none there (the chart spans those gaps).
 */
export function overlay(
  runs: readonly Pick<RunRecord, 'curves' | 'time'>[],
  term: string,
  axis: 'step' | 'time',
): { x: number[]; ys: (number | null)[][] } {
  const perRun = runs.map((r) => {
    const xs = axis === 'step' ? r.curves.steps : r.curves.steps.map((s) => secondsAt(r.time, s));
    const values = r.curves.series[term] ?? [];
    const byX = new Map<number, number>();
    xs.forEach((x, i) => Number.isFinite(values[i]) && byX.set(x, values[i]));
    return byX;
  });
  const x = [...new Set(perRun.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  return { x, ys: perRun.map((m) => x.map((v) => m.get(v) ?? null)) };
}

/** Training seconds at `step`, interpolated between the recorded points. */
export function secondsAt(time: readonly TimePoint[], step: number): number {
  if (time.length === 0) return 0;
  let prev: TimePoint = { step: 0, seconds: 0 };
  for (const t of time) {
    if (t.step >= step) {
      const span = t.step - prev.step;
      return span > 0 ? prev.seconds + ((t.seconds - prev.seconds) * (step - prev.step)) / span : t.seconds;
    }
    prev = t;
  }
  return prev.seconds;
}

export interface MetricColumn {
  id: string;
  label: string;
  /** null: no side is better (the losses of a game), so no value is marked. */
  better: 'lower' | 'higher' | null;
}

/** Measurement columns with a direction, in the Metrics view's words; density is left out (closer to its floor is better, which has no best). */
const MEASURE_COLUMNS: (MetricColumn & { value: (m: SampleMetrics) => number | undefined })[] = [
  { id: 'fld', label: 'FLD', better: 'lower', value: (m) => m.fld },
  { id: 'precision', label: 'precision', better: 'higher', value: (m) => m.precision },
  { id: 'recall', label: 'recall', better: 'higher', value: (m) => m.recall },
  { id: 'coverage', label: 'coverage', better: 'higher', value: (m) => m.coverage },
  { id: 'mnist_score', label: 'MNIST score (IS)', better: 'higher', value: (m) => m.mnist_score },
  { id: 'class_entropy', label: 'class entropy', better: 'higher', value: (m) => m.class_entropy },
  { id: 'cond_accuracy', label: 'conditioning accuracy', better: 'higher', value: (m) => m.cond_accuracy },
  { id: 'ndb', label: 'NDB', better: 'lower', value: (m) => m.ndb },
  { id: 'grid_kl', label: 'grid KL', better: 'lower', value: (m) => m.grid_kl },
  { id: 'grid_js', label: 'grid JS', better: 'lower', value: (m) => m.grid_js },
  { id: 'mmd', label: 'MMD²', better: 'lower', value: (m) => m.mmd },
  { id: 'nll', label: 'NLL (nats)', better: 'lower', value: (m) => m.likelihood?.nats },
];

/** A run's measurements as curves by step, one series per measured column, for charts like the loss curves'. */
export function measurementCurves(r: Pick<RunRecord, 'measurements'>): RunCurves {
  const series: Record<string, number[]> = {};
  for (const c of MEASURE_COLUMNS) {
    const values = r.measurements.map((m) => c.value(m.metrics) ?? NaN);
    if (values.some(Number.isFinite)) series[c.id] = values;
  }
  return { steps: r.measurements.map((m) => m.step), series };
}

/** The measured columns worth a chart: those at least one run measured at two steps or more. */
export function measuredOverTime(runs: readonly Pick<RunRecord, 'measurements'>[]): MetricColumn[] {
  return MEASURE_COLUMNS.filter((c) => runs.some((r) => r.measurements.filter((m) => Number.isFinite(c.value(m.metrics))).length >= 2)).map(
    ({ id, label, better }) => ({ id, label, better }),
  );
}

export interface MetricTable {
  columns: MetricColumn[];
  /** Per run (in the order given), per column, the value or null. */
  rows: { runId: string; step: number; values: (number | null)[] }[];
  /** Per column, the runs holding its best value (several on a tie; none when fewer than two runs have one). */
  best: string[][];
}

/** The last finite value of a series. */
function finalValue(values: readonly number[] | undefined): number | null {
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i])) return values[i];
  return null;
}

/**
 * Final loss per term (lower is better, unless a run `playsAGame`: then no
 * loss is marked) and the latest measurement of each run; the best value of
 * each column is marked when at least two runs have one.
 */
export function metricTable(
  runs: readonly Pick<RunRecord, 'id' | 'step' | 'curves' | 'charted' | 'measurements' | 'doc'>[],
  playsAGame: (doc: GraphDocument) => boolean = () => false,
): MetricTable {
  const terms = compareTerms(runs);
  const game = runs.some((r) => playsAGame(r.doc));
  const latest = runs.map((r) => r.measurements.at(-1)?.metrics ?? null);
  const measures = MEASURE_COLUMNS.filter((c) => latest.some((m) => m && Number.isFinite(c.value(m))));
  const columns: MetricColumn[] = [
    ...terms.map((t): MetricColumn => ({ id: `loss:${t.key}`, label: t.label, better: game ? null : 'lower' })),
    ...measures.map(({ id, label, better }) => ({ id, label, better })),
  ];
  const rows = runs.map((r, i) => {
    const m = latest[i];
    const values = [
      ...terms.map((t) => finalValue(r.curves.series[t.key])),
      ...measures.map((c) => {
        const v = m ? c.value(m) : undefined;
        return v !== undefined && Number.isFinite(v) ? v : null;
      }),
    ];
    return { runId: r.id, step: r.step, values };
  });
  const best = columns.map((c, j) => {
    const present = rows.filter((r) => r.values[j] !== null);
    if (present.length < 2 || !c.better) return [];
    const pick = c.better === 'lower' ? Math.min : Math.max;
    const top = pick(...present.map((r) => r.values[j]!));
    return present.filter((r) => r.values[j] === top).map((r) => r.runId);
  });
  return { columns, rows, best };
}
