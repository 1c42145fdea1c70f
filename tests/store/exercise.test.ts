import { describe, expect, it } from 'vitest';
import vae from '../../presets/vae.json';
import { loadDocumentValue } from '../../src/graph/load';
import type { ExerciseCheck, GraphDocument } from '../../src/graph/document';
import { createEditorStore, redo, undo } from '../../src/store/editorStore';
import { compileDocument } from '../../src/store/compiled';
import { evaluateCheck, makeBlank, revealBlanks, type CheckContext } from '../../src/store/exercise';
import { decodeShareHash, encodeShareHash } from '../../src/store/share';
import { registry } from '../../nodes/index';

function vaeDoc(): GraphDocument {
  const r = loadDocumentValue(vae, 'preset', registry);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

/** A learner's store on the VAE with the Sampler locked and the KL weight locked. */
function learnerStore() {
  const store = createEditorStore(registry, vaeDoc());
  const s = store.getState();
  s.startExercise();
  s.setLocked('z', true);
  s.setParamLocked('elbo', 'wb', true);
  const authored = store.getState().doc;
  const learner = createEditorStore(registry);
  learner.getState().replaceDocument(authored);
  learner.temporal.getState().clear();
  return learner;
}

const ctx = (doc: GraphDocument, over: Partial<CheckContext> = {}): CheckContext => ({
  doc,
  registry,
  compiled: compileDocument(doc, registry),
  curves: { steps: [], series: {} },
  answers: {},
  ...over,
});
const check = (c: ExerciseCheck, context: CheckContext, taskId = 't') => evaluateCheck(c, taskId, context);

describe('exercise locks in the editor store', () => {
  it('opens a document with an exercise for the learner, and for the author in a tab that may author', () => {
    const learner = learnerStore();
    expect(learner.getState().exerciseRole).toBe('learner');
    const author = createEditorStore(registry);
    author.getState().allowAuthoring();
    author.getState().replaceDocument(learner.getState().doc);
    expect(author.getState().exerciseRole).toBe('author');
    author.getState().replaceDocument(vaeDoc());
    expect(author.getState().exerciseRole).toBe('author');
  });

  it('refuses to delete a locked node or its edges, says so, deletes the rest, and leaves undo alone', () => {
    const store = learnerStore();
    const before = store.getState().doc;
    const samplerEdge = before.edges.find((e) => e.target === 'z')!.id;
    store.getState().select(['z', 'dec'], [samplerEdge]);
    store.getState().deleteSelection();
    const after = store.getState().doc;
    expect(after.nodes.some((n) => n.id === 'z')).toBe(true);
    expect(after.nodes.some((n) => n.id === 'dec')).toBe(false);
    // The Sampler keeps its inputs; its output edge went only because dec went.
    expect(after.edges.filter((e) => e.target === 'z')).toHaveLength(2);
    expect(store.getState().notices.at(-1)?.text).toMatch(/Locked by the exercise.*Sampler “z”.*the edge mu\.y → z\.mean/);
    undo(store);
    expect(store.getState().doc).toBe(before);
    redo(store);
    expect(store.getState().doc).toBe(after);
  });

  it('refuses edits of a locked node and of a locked parameter, with no undo step, and allows the free ones', () => {
    const store = learnerStore();
    const before = store.getState().doc;
    store.getState().setParam('elbo', 'wb', 0);
    expect(store.getState().notices.at(-1)?.text).toBe('wb of Training objective “elbo” is locked by the exercise.');
    store.getState().setNodeFields('z', { label: 'renamed' });
    expect(store.getState().notices.at(-1)?.text).toMatch(/Sampler “z” is locked by the exercise: it cannot be edited/);
    expect(store.getState().doc).toBe(before);
    expect(store.temporal.getState().pastStates).toHaveLength(0);
    store.getState().setParam('elbo', 'wa', 2);
    expect(store.getState().doc.nodes.find((n) => n.id === 'elbo')?.params.wa).toBe(2);
    undo(store);
    expect(store.getState().doc).toBe(before);
  });

  it('refuses an edge that would replace one of a locked node, and allows new edges from it', () => {
    const store = learnerStore();
    const replace = store.getState().connect({ source: 'mu', sourcePort: 'y', target: 'z', targetPort: 'logVar' });
    expect(replace.ok).toBe(false);
    expect(!replace.ok && replace.reason).toMatch(/locked by the exercise: its edge into z\.logVar stays/);
    const fresh = store.getState().connect({ source: 'z', sourcePort: 'z', target: 'logits', targetPort: 'x' });
    // dec → logits is unlocked on both ends, so the Sampler's new edge may replace it.
    expect(fresh.ok).toBe(true);
  });

  it('lets the author edit everything, and a pasted copy of a locked node is not locked', () => {
    const store = createEditorStore(registry, vaeDoc());
    store.getState().startExercise();
    store.getState().setLocked('z', true);
    store.getState().select(['z']);
    store.getState().duplicateSelection();
    const copy = store.getState().doc.nodes.find((n) => n.id === store.getState().selectedNodeIds[0])!;
    expect(copy.locked).toBeUndefined();
    store.getState().removeElements(['z'], []);
    expect(store.getState().doc.nodes.some((n) => n.id === 'z')).toBe(false);
  });

  it('is refused the author’s edits as a learner', () => {
    const store = learnerStore();
    const before = store.getState().doc;
    store.getState().setLocked('z', false);
    store.getState().setBlank('kl', true);
    expect(store.getState().addTask({ text: 'x', check: { kind: 'compiles' }, hints: [] })).toBe('');
    expect(store.getState().doc).toBe(before);
    expect(store.getState().notices.at(-1)?.text).toMatch(/Only the exercise’s author/);
  });
});

describe('blanks', () => {
  it('unwires a blank and resets it to defaults, keeps the original as the solution, and reveal restores it (also through a share link)', () => {
    const doc = vaeDoc();
    const withParams = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'elbo' ? { ...n, params: { wa: 1, wb: 3 } } : n)) };
    const blanked = makeBlank(makeBlank(withParams, registry, 'kl'), registry, 'elbo');
    expect(blanked.edges.some((e) => ['kl', 'elbo'].includes(e.source) || ['kl', 'elbo'].includes(e.target))).toBe(false);
    expect(blanked.nodes.find((n) => n.id === 'elbo')?.params).toMatchObject({ wa: 1, wb: 1 });
    expect(blanked.exercise?.blanks).toEqual(['kl', 'elbo']);
    expect(compileDocument(blanked, registry).errors.some((e) => e.severity === 'error')).toBe(true);
    const link = encodeShareHash(blanked);
    expect(link.ok).toBe(true);
    const opened = link.ok ? decodeShareHash(link.hash) : null;
    expect(opened?.ok && opened.doc).toEqual(blanked);
    const revealed = revealBlanks(blanked);
    expect(revealed.edges.map((e) => e.id).sort()).toEqual(withParams.edges.map((e) => e.id).sort());
    expect(revealed.nodes).toEqual(withParams.nodes);
    expect(revealed.exercise).toEqual({ tasks: [], blanks: [] });
  });
});

describe('checks', () => {
  const doc = vaeDoc();
  it('compiles: green on the VAE, red with the count of errors when the KL node is a blank', () => {
    expect(check({ kind: 'compiles' }, ctx(doc))).toEqual({ done: true, detail: 'compiles' });
    const blank = makeBlank(doc, registry, 'kl');
    const r = check({ kind: 'compiles' }, ctx(blank));
    expect(r.done).toBe(false);
    expect(r.detail).toMatch(/^\d+ errors?$/);
  });

  it('edge: by node id, by node type, with or without ports', () => {
    const c = ctx(doc);
    expect(check({ kind: 'edge', from: { node: 'z', port: 'z' }, to: { node: 'dec', port: 'x' } }, c).done).toBe(true);
    expect(check({ kind: 'edge', from: { type: 'sampler' }, to: { node: 'dec' } }, c).done).toBe(true);
    expect(check({ kind: 'edge', from: { type: 'gaussianKl' }, to: { type: 'weightedSum', port: 'b' } }, c).done).toBe(true);
    expect(check({ kind: 'edge', from: { type: 'gaussianKl' }, to: { type: 'weightedSum', port: 'a' } }, c).done).toBe(false);
    expect(check({ kind: 'edge', from: { node: 'z' }, to: { node: 'logits' } }, c)).toEqual({ done: false, detail: 'not connected yet' });
  });

  it('param: an explicit value, a default value, a missing node', () => {
    expect(check({ kind: 'param', node: 'elbo', param: 'wb', equals: 1 }, ctx(doc))).toEqual({ done: true, detail: 'wb is 1' });
    expect(check({ kind: 'param', node: 'elbo', param: 'wb', equals: 0 }, ctx(doc)).done).toBe(false);
    const noWeight = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'elbo' ? { ...n, params: {} } : n)) };
    expect(check({ kind: 'param', node: 'elbo', param: 'wb', equals: 1 }, ctx(noWeight)).done).toBe(true);
    expect(check({ kind: 'param', node: 'gone', param: 'wb', equals: 1 }, ctx(doc)).detail).toMatch(/no node “gone”/);
  });

  it('metricBelow: waits for the step, then compares the mean of the latest points', () => {
    const metric: ExerciseCheck = { kind: 'metricBelow', term: 'elbo', value: 200, afterSteps: 300 };
    const curve = (steps: number[], values: number[]) => ctx(doc, { curves: { steps, series: { elbo: values } } });
    expect(check(metric, ctx(doc)).detail).toBe('step 0 of 300');
    expect(check(metric, curve([100, 200], [150, 150])).done).toBe(false);
    const steps = Array.from({ length: 20 }, (_, i) => 290 + i);
    const below = check(
      metric,
      curve(
        steps,
        steps.map((_, i) => (i === 19 ? 260 : 190)),
      ),
    );
    expect(below.done).toBe(true);
    expect(below.detail).toMatch(/^197\.0 at step 309/);
    expect(
      check(
        metric,
        curve(
          steps,
          steps.map(() => 230),
        ),
      ).done,
    ).toBe(false);
    expect(check(metric, ctx(doc, { curves: { steps, series: {} } })).done).toBe(false);
  });

  it('question: trimmed and case-insensitive, alternatives accepted, unanswered is not wrong', () => {
    const q: ExerciseCheck = { kind: 'question', answer: 'Deterministic', alsoAccept: ['differentiable'] };
    expect(check(q, ctx(doc))).toEqual({ done: false, detail: 'not answered yet' });
    expect(check(q, ctx(doc, { answers: { t: '  deterministic ' } })).done).toBe(true);
    expect(check(q, ctx(doc, { answers: { t: 'DIFFERENTIABLE' } })).done).toBe(true);
    expect(check(q, ctx(doc, { answers: { t: 'random' } }))).toEqual({ done: false, detail: 'not quite — try again' });
  });
});

describe('group frames and sticky notes', () => {
  it('frames the selected nodes (their measured boxes, padded, title room above), renames, moves it with its nodes and removes it, one undo step each', () => {
    const store = createEditorStore(registry, vaeDoc());
    const s = store.getState();
    expect(s.addGroupAroundSelection('Encoder')).toBeNull();
    s.select(['mu', 'logvar']);
    s.setMeasured({ mu: { width: 180, height: 80 }, logvar: { width: 200, height: 90 } });
    const steps = () => store.temporal.getState().pastStates.length;
    const before = steps();
    const id = s.addGroupAroundSelection('Encoder')!;
    // mu at (660, 100), logvar at (660, 300): padded by 30 at the sides and below, 50 above.
    expect(store.getState().doc.groups).toEqual([{ id, title: 'Encoder', position: { x: 630, y: 50 }, size: { width: 260, height: 370 } }]);
    s.updateGroup(id, { title: 'Encoder heads' });
    const at = (id: string) => store.getState().doc.nodes.find((n) => n.id === id)!.position;
    const [mu, data] = [at('mu'), at('data')];
    s.updateGroup(id, { position: { x: 600, y: 40 }, size: { width: 300, height: 400 } });
    expect(store.getState().doc.groups?.[0]).toMatchObject({ title: 'Encoder heads', position: { x: 600, y: 40 } });
    // The frame moved by (−30, −10): the nodes inside it came along in the same step, the others stayed.
    expect(at('mu')).toEqual({ x: mu.x - 30, y: mu.y - 10 });
    expect(at('data')).toEqual(data);
    s.removeGroup(id);
    expect(store.getState().doc.groups).toBeUndefined();
    expect(steps()).toBe(before + 4);
    undo(store);
    expect(store.getState().doc.groups?.[0].size).toEqual({ width: 300, height: 400 });
    undo(store);
    undo(store);
    expect(store.getState().doc.groups?.[0]).toMatchObject({ title: 'Encoder', position: { x: 630, y: 50 } });
    redo(store);
    expect(store.getState().doc.groups?.[0].title).toBe('Encoder heads');
  });

  it('keeps a frame within the schema’s 10,000 px and refuses a learner’s frame edits', () => {
    const doc = vaeDoc();
    const wide = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'adam' ? { ...n, position: { x: 20_000, y: 0 } } : n)) };
    const author = createEditorStore(registry, wide);
    author.getState().selectAll();
    const id = author.getState().addGroupAroundSelection('All')!;
    expect(author.getState().doc.groups?.[0].size.width).toBe(10_000);
    author.getState().startExercise();
    const learner = createEditorStore(registry);
    learner.getState().replaceDocument(author.getState().doc);
    const before = learner.getState().doc;
    learner.getState().updateGroup(id, { title: 'mine' });
    learner.getState().removeGroup(id);
    learner.getState().select(['z']);
    expect(learner.getState().addGroupAroundSelection('mine')).toBeNull();
    expect(learner.getState().doc).toBe(before);
    expect(learner.getState().notices.at(-1)?.text).toMatch(/Only the exercise’s author/);
  });
});
