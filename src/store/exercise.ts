/**
 * Exercises, as pure functions on a document: what the learner may not change
 * (locks), turning nodes into blanks and revealing them again, editing tasks,
 * and evaluating each task's check. Checks are data the app interprets; a
 * document can never make the app run code of its own.
 */
import type { CompileResult } from '../compiler/compile';
import type { EdgeEnd, Exercise, ExerciseCheck, ExerciseTask, GraphDocument, GraphEdge, GraphNode } from '../graph/document';
import { defaultParams } from '../graph/params';
import type { Curves } from './runCurves';
import { connect, type PortConnection, type Registry } from './docOps';

export type ExerciseRole = 'author' | 'learner';

/** How a node is named in a refusal: its label or type title, and its id. */
export function nodeName(doc: GraphDocument, registry: Registry, id: string): string {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) return `“${id}”`;
  const title = node.label || registry[node.type]?.title || node.type;
  return title === id ? `“${id}”` : `${title} “${id}”`;
}

const isLocked = (doc: GraphDocument, id: string) => doc.nodes.some((n) => n.id === id && n.locked);

/** Whether parameter `name` of node `id` is fixed for the learner (the whole node locked, or that parameter). */
export function isParamLocked(node: GraphNode, name: string): boolean {
  return !!node.locked || !!node.lockedParams?.includes(name);
}

/**
 * What of a deletion a learner may do: locked nodes and the edges of locked
 * nodes stay. `refused` names what stayed, for the notice.
 */
export function allowedRemoval(
  doc: GraphDocument,
  registry: Registry,
  nodeIds: string[],
  edgeIds: string[],
): { nodeIds: string[]; edgeIds: string[]; refused: string[] } {
  const refused: string[] = [];
  const keptNodes = nodeIds.filter((id) => {
    if (!isLocked(doc, id)) return true;
    refused.push(nodeName(doc, registry, id));
    return false;
  });
  const keptEdges = edgeIds.filter((id) => {
    const e = doc.edges.find((x) => x.id === id);
    if (!e || !(isLocked(doc, e.source) || isLocked(doc, e.target))) return true;
    refused.push(`the edge ${e.source}.${e.sourcePort} → ${e.target}.${e.targetPort}`);
    return false;
  });
  return { nodeIds: keptNodes, edgeIds: keptEdges, refused };
}

/** Why a learner may not draw this edge, or null: it would replace an edge of a locked node. New edges on free inputs are fine. */
export function connectRefusal(doc: GraphDocument, registry: Registry, c: PortConnection): string | null {
  const old = doc.edges.find((e) => e.target === c.target && e.targetPort === c.targetPort);
  if (!old || (old.source === c.source && old.sourcePort === c.sourcePort)) return null;
  const locked = isLocked(doc, old.target) ? old.target : isLocked(doc, old.source) ? old.source : null;
  return locked
    ? `${nodeName(doc, registry, locked)} is locked by the exercise: its edge into ${c.target}.${c.targetPort} stays. Connect to a free input instead.`
    : null;
}

/** Why a learner may not set these parameters of node `id`, or null. */
export function paramRefusal(doc: GraphDocument, registry: Registry, id: string, names: string[]): string | null {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) return null;
  const locked = names.filter((n) => isParamLocked(node, n));
  if (!locked.length) return null;
  return node.locked
    ? `${nodeName(doc, registry, id)} is locked by the exercise: its parameters cannot be edited.`
    : `${locked.join(', ')} of ${nodeName(doc, registry, id)} ${locked.length > 1 ? 'are' : 'is'} locked by the exercise.`;
}

/** Why a learner may not change this node's label, notes or sharing, or null. */
export function fieldsRefusal(doc: GraphDocument, registry: Registry, id: string): string | null {
  return isLocked(doc, id) ? `${nodeName(doc, registry, id)} is locked by the exercise: it cannot be edited.` : null;
}

const emptyExercise = (): Exercise => ({ tasks: [], blanks: [] });

function withExercise(doc: GraphDocument, f: (e: Exercise) => Exercise): GraphDocument {
  return { ...doc, exercise: f(doc.exercise ?? emptyExercise()) };
}

/** Starts an exercise on this document (an empty task list) if it has none. */
export function startExercise(doc: GraphDocument): GraphDocument {
  return doc.exercise ? doc : { ...doc, exercise: emptyExercise() };
}

export function setLocked(doc: GraphDocument, id: string, locked: boolean): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (n.id !== id) return n;
      const { locked: _old, ...rest } = n;
      return locked ? { ...rest, locked: true } : rest;
    }),
  };
}

export function setParamLocked(doc: GraphDocument, id: string, param: string, locked: boolean): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (n.id !== id) return n;
      const names = new Set(n.lockedParams ?? []);
      if (locked) names.add(param);
      else names.delete(param);
      const { lockedParams: _old, ...rest } = n;
      return names.size ? { ...rest, lockedParams: [...names] } : rest;
    }),
  };
}

/**
 * Makes node `id` a blank: the learner gets it unwired, with its type's
 * default parameters. The author's node and its edges are kept as the solution.
 */
export function makeBlank(doc: GraphDocument, registry: Registry, id: string): GraphDocument {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node || doc.exercise?.blanks.includes(id)) return doc;
  const touching = (e: GraphEdge) => e.source === id || e.target === id;
  const solution = doc.exercise?.solution ?? { nodes: [], edges: [] };
  const def = registry[node.type];
  const { locked: _locked, lockedParams: _lockedParams, ...placeholder } = node;
  const out = withExercise(doc, (e) => ({
    ...e,
    blanks: [...e.blanks, id],
    solution: {
      nodes: [...solution.nodes.filter((n) => n.id !== id), structuredClone(node)],
      // An edge between two blanks is already in the solution from the first of them.
      edges: [...solution.edges, ...structuredClone(doc.edges.filter((e) => touching(e) && !solution.edges.some((x) => x.id === e.id)))],
    },
  }));
  return {
    ...out,
    nodes: doc.nodes.map((n) => (n.id === id ? { ...placeholder, params: def ? defaultParams(def.params) : {} } : n)),
    edges: doc.edges.filter((e) => !touching(e)),
  };
}

/** Puts blanks back as the author had them (all, or the listed ones); edges the learner drew into the same inputs give way. */
export function revealBlanks(doc: GraphDocument, which: string[] = doc.exercise?.blanks ?? []): GraphDocument {
  const exercise = doc.exercise;
  if (!exercise?.solution) return doc;
  const reveal = new Set(which.filter((id) => exercise.blanks.includes(id)));
  if (!reveal.size) return doc;
  const present = new Set(doc.nodes.map((n) => n.id));
  const originals = exercise.solution.nodes.filter((n) => reveal.has(n.id));
  let out: GraphDocument = {
    ...doc,
    nodes: [
      ...doc.nodes.map((n) => structuredClone(originals.find((o) => o.id === n.id)) ?? n),
      ...structuredClone(originals.filter((o) => !present.has(o.id))),
    ],
  };
  const touching = (e: GraphEdge) => reveal.has(e.source) || reveal.has(e.target);
  const ids = new Set(out.nodes.map((n) => n.id));
  for (const e of exercise.solution.edges.filter(touching)) if (ids.has(e.source) && ids.has(e.target)) out = connect(out, e);
  const solution = {
    nodes: exercise.solution.nodes.filter((n) => !reveal.has(n.id)),
    edges: exercise.solution.edges.filter((e) => !touching(e)),
  };
  const blanks = exercise.blanks.filter((id) => !reveal.has(id));
  const { solution: _revealed, ...rest } = exercise;
  return { ...out, exercise: { ...rest, blanks, ...(solution.nodes.length ? { solution } : {}) } };
}

export function addTask(doc: GraphDocument, task: Omit<ExerciseTask, 'id'>): { doc: GraphDocument; id: string } {
  const taken = new Set(doc.exercise?.tasks.map((t) => t.id));
  let n = 1;
  while (taken.has(`task_${n}`)) n++;
  const id = `task_${n}`;
  return { doc: withExercise(doc, (e) => ({ ...e, tasks: [...e.tasks, { ...task, id }] })), id };
}

export function updateTask(doc: GraphDocument, id: string, patch: Partial<Omit<ExerciseTask, 'id'>>): GraphDocument {
  return withExercise(doc, (e) => ({ ...e, tasks: e.tasks.map((t) => (t.id === id ? { ...t, ...patch } : t)) }));
}

export function removeTask(doc: GraphDocument, id: string): GraphDocument {
  return withExercise(doc, (e) => ({ ...e, tasks: e.tasks.filter((t) => t.id !== id) }));
}

/** Everything a check may look at: the graph, what the compiler made of it, the live loss curve, the learner's answers. */
export interface CheckContext {
  doc: GraphDocument;
  registry: Registry;
  compiled: Pick<CompileResult, 'errors'>;
  curves: Pick<Curves, 'steps' | 'series'>;
  /** Typed answers by task id. */
  answers: Record<string, string>;
}
export interface CheckResult {
  done: boolean;
  /** What the app sees now, for the learner (e.g. "2 errors", "step 120 of 300"). */
  detail: string;
}

/** How many of the latest points a metric check averages: one noisy batch should neither pass nor fail it. */
export const METRIC_WINDOW = 10;

function endMatches(doc: GraphDocument, nodeId: string, port: string, end: EdgeEnd): boolean {
  const node = doc.nodes.find((n) => n.id === nodeId);
  return (
    !!node &&
    (end.node === undefined || end.node === nodeId) &&
    (end.type === undefined || end.type === node.type) &&
    (end.port === undefined || end.port === port)
  );
}

const normalise = (s: string) => s.trim().toLowerCase();

/** Order-independent JSON, so `{a:1,b:2}` equals `{b:2,a:1}`. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

export function evaluateCheck(check: ExerciseCheck, taskId: string, ctx: CheckContext): CheckResult {
  switch (check.kind) {
    case 'compiles': {
      const errors = ctx.compiled.errors.filter((e) => e.severity === 'error').length;
      return { done: errors === 0, detail: errors === 0 ? 'compiles' : `${errors} error${errors > 1 ? 's' : ''}` };
    }
    case 'edge': {
      const done = ctx.doc.edges.some(
        (e) => endMatches(ctx.doc, e.source, e.sourcePort, check.from) && endMatches(ctx.doc, e.target, e.targetPort, check.to),
      );
      return { done, detail: done ? 'connected' : 'not connected yet' };
    }
    case 'param': {
      const node = ctx.doc.nodes.find((n) => n.id === check.node);
      if (!node) return { done: false, detail: `there is no node “${check.node}”` };
      const value = Object.hasOwn(node.params, check.param)
        ? node.params[check.param]
        : ctx.registry[node.type]?.params[check.param]?.default;
      const done = canonical(value) === canonical(check.equals);
      return { done, detail: `${check.param} is ${canonical(value)}` };
    }
    case 'metricBelow': {
      const step = ctx.curves.steps.at(-1) ?? 0;
      const series = ctx.curves.series[check.term];
      if (!series || step < check.afterSteps) return { done: false, detail: `step ${step} of ${check.afterSteps}` };
      const recent = series
        .filter((v, i) => Number.isFinite(v) && ctx.curves.steps[i] >= check.afterSteps - METRIC_WINDOW)
        .slice(-METRIC_WINDOW);
      if (!recent.length) return { done: false, detail: `no ${check.term} measured yet` };
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      return { done: mean < check.value, detail: `${mean.toPrecision(4)} at step ${step} (needs < ${check.value})` };
    }
    case 'question': {
      const given = ctx.answers[taskId];
      if (given === undefined || given.trim() === '') return { done: false, detail: 'not answered yet' };
      const done = [check.answer, ...(check.alsoAccept ?? [])].some((a) => normalise(a) === normalise(given));
      return { done, detail: done ? 'right' : 'not quite — try again' };
    }
  }
}

export function evaluateTasks(exercise: Exercise, ctx: CheckContext): (CheckResult & { task: ExerciseTask })[] {
  return exercise.tasks.map((task) => ({ task, ...evaluateCheck(task.check, task.id, ctx) }));
}
