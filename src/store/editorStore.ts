/**
 * The editor store: one zustand store built from slices. The document slice is
 * the single source of truth for the graph; React Flow's nodes and edges are a
 * view computed from it. zundo records only the document, so every document
 * change (connect, delete, paste, params, layout, replacing the graph) is one
 * undo step and nothing else (selection, panels, drags in flight) is.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { temporal, type TemporalState } from 'zundo';
import { emptyDocument, type ExerciseTask, type GraphDocument, type GroupFrame, type StickyNote } from '../graph/document';
import { registry as defaultRegistry } from '../../nodes/index';
import * as ops from './docOps';
import * as ex from './exercise';
import { unpackBlock } from './unpack';
import { blockSlice, type BlockSlice } from './blockOps';
import type { ConnectionCheck, Fragment, PortConnection, Registry, XY } from './docOps';
import type { GraphFix } from '../compiler/errors';

export interface DocumentSlice {
  doc: GraphDocument;
  registry: Registry;
  /** Replaces the whole graph (preset, import, share link); undoable like any edit. */
  replaceDocument(doc: GraphDocument): void;
  addNode(type: string, position: XY): string;
  /** Draws an edge if `checkConnection` allows it; returns the verdict either way. */
  connect(c: PortConnection): ConnectionCheck;
  removeElements(nodeIds: string[], edgeIds: string[]): void;
  moveNodes(positions: Record<string, XY>): void;
  setParam(nodeId: string, name: string, value: unknown): void;
  setParams(nodeId: string, values: Record<string, unknown>): void;
  setNodeFields(nodeId: string, fields: Parameters<typeof ops.setNodeFields>[2]): void;
  setMeta(meta: Partial<GraphDocument['meta']>): void;
  /**
   * Replaces a block by the layer nodes it expands to, edges and optimizer
   * references re-attached, as one undo step; selects the new layers.
   */
  unpackBlock(nodeId: string): { ok: true; ids: string[] } | { ok: false; reason: string };
  /** Applies a compiler-proposed repair (set a parameter, put a node on an edge) as one undo step; false when refused or stale. */
  applyFix(fix: GraphFix): boolean;
  addStickyNote(position: XY, text?: string): string;
  updateStickyNote(id: string, patch: Partial<Omit<StickyNote, 'id'>>): void;
  removeStickyNote(id: string): void;
  /** Group frames: around the selected nodes (null when none is selected), renamed, moved or resized, removed; author-only in an exercise. */
  addGroupAroundSelection(title: string): string | null;
  updateGroup(id: string, patch: Partial<Omit<GroupFrame, 'id'>>): void;
  removeGroup(id: string): void;
  /** Author edits of the exercise; each is one undo step. */
  startExercise(): void;
  setLocked(nodeId: string, locked: boolean): void;
  setParamLocked(nodeId: string, param: string, locked: boolean): void;
  setBlank(nodeId: string, blank: boolean): void;
  addTask(task: Omit<ExerciseTask, 'id'>): string;
  updateTask(id: string, patch: Partial<Omit<ExerciseTask, 'id'>>): void;
  removeTask(id: string): void;
  /** Puts every blank back as the author had them (the learner's "Reveal solution"). */
  revealSolution(): void;
}

export interface SelectionSlice {
  selectedNodeIds: string[];
  selectedEdgeIds: string[];
  clipboard: Fragment | null;
  select(nodeIds: string[], edgeIds?: string[]): void;
  selectAll(): void;
  deleteSelection(): void;
  copySelection(): void;
  /** Pastes the clipboard shifted a little each time, and selects the copies. */
  paste(): void;
  duplicateSelection(): void;
}

export type Overlay = null | 'help' | 'gallery' | 'quickAdd' | 'share' | 'recent';
export interface Notice {
  id: number;
  kind: 'error' | 'warn' | 'info';
  text: string;
}
export type SaveStatus = 'idle' | 'saving' | 'saved' | 'failed';

/** Editor state that is not the graph: never undone, never saved with the graph. */
export interface ViewSlice {
  /** Node sizes as React Flow measured them, kept so rebuilt view nodes stay visible. */
  measured: Record<string, { width: number; height: number }>;
  theme: 'light' | 'dark';
  overlay: Overlay;
  /** The block whose expansion is shown, if any. */
  openBlockId: string | null;
  /** The bottom dock: which tab shows, and whether it is open (the toolbar's Train opens the Run tab). */
  dock: {
    tab: 'problems' | 'run';
    open: boolean;
    /** Per tab, the dock's share of the centre column's height (the rest is the canvas). */
    sizes: { problems: number; run: number };
    /** The dock takes the whole column (the views, without the canvas). */
    maximized: boolean;
  };
  /**
   * What the canvas should frame next: one node (errors panel) or, with null,
   * the whole graph. `readable`: a graph (or `nodeIds`) just opened: fit, but
   * not below a zoom where titles stay readable, data side first.
   */
  frameRequest: { nodeId: string | null; seq: number; readable?: boolean; nodeIds?: string[] } | null;
  notices: Notice[];
  saveStatus: SaveStatus;
  saveError: string | null;
  /** Another tab saved this graph after we loaded it. */
  conflict: boolean;
  setDragPositions(p: Record<string, XY>): void;
  setMeasured(m: Record<string, { width: number; height: number }>): void;
  setTheme(t: 'light' | 'dark'): void;
  setOverlay(o: Overlay): void;
  openBlock(id: string | null): void;
  setDock(d: Partial<ViewSlice['dock']>): void;
  frameNode(nodeId: string | null): void;
  /** Frame a graph that was just opened (preset, import, reload), or just these new nodes, at a readable zoom. */
  frameOpened(nodeIds?: string[]): void;
  notify(kind: Notice['kind'], text: string): void;
  dismiss(id: number): void;
  setSaveState(s: { saveStatus?: SaveStatus; saveError?: string | null; conflict?: boolean }): void;
  /**
   * Who is using an exercise: the learner cannot change what it locks. A
   * document with an exercise opens for the learner unless this tab may author.
   */
  exerciseRole: ex.ExerciseRole;
  /** This tab may switch to author mode: the page was opened with ?mode=author, or the exercise was started here. */
  mayAuthor: boolean;
  /** The learner's typed answers to question tasks, and how many hints each task shows; never saved. */
  exerciseAnswers: Record<string, string>;
  hintsShown: Record<string, number>;
  setExerciseRole(role: ex.ExerciseRole): void;
  allowAuthoring(): void;
  setExerciseAnswer(taskId: string, answer: string): void;
  showNextHint(taskId: string): void;
}

export type EditorState = DocumentSlice & SelectionSlice & ViewSlice & BlockSlice;
/**
 * Positions of nodes being dragged, committed to the document once, when the drag ends. A store of their own: a
 * drag frame then wakes the canvas alone, not the selectors of every component on the editor store (a few per node).
 */
export type DragStore = StoreApi<{ positions: Record<string, XY> }>;
export type EditorStore = StoreApi<EditorState> & { temporal: StoreApi<TemporalState<{ doc: GraphDocument }>>; drag: DragStore };

type SliceCreator<T> = (set: StoreApi<EditorState>['setState'], get: () => EditorState) => T;

/** Gap between a fragment and its pasted copy. */
const PASTE_GAP = 40;
/** A node's size before React Flow has measured it (about a node card). */
const UNMEASURED = { width: 200, height: 90 };

/**
 * Where a copy of `nodes` goes: beside the originals (right of their bounding
 * box, by its width and a gap), so no copy lands on top of what it copies.
 */
function pasteOffset(nodes: { id: string; position: XY }[], measured: EditorState['measured']): XY {
  let left = Infinity;
  let right = -Infinity;
  for (const n of nodes) {
    const size = measured[n.id] ?? UNMEASURED;
    left = Math.min(left, n.position.x);
    right = Math.max(right, n.position.x + size.width);
  }
  return { x: right - left + PASTE_GAP, y: 0 };
}

const documentSlice =
  (registry: Registry, initial: GraphDocument, drag: DragStore): SliceCreator<DocumentSlice> =>
  (set, get) => ({
    doc: initial,
    registry,
    replaceDocument: (doc) => {
      drag.setState({ positions: {} });
      set({
        doc,
        selectedNodeIds: [],
        selectedEdgeIds: [],
        exerciseRole: doc.exercise && !get().mayAuthor ? 'learner' : 'author',
        exerciseAnswers: {},
        hintsShown: {},
      });
    },
    addNode: (type, position) => {
      const { doc, id } = ops.addNode(get().doc, registry, type, position);
      set({ doc, selectedNodeIds: [id], selectedEdgeIds: [] });
      return id;
    },
    connect: (c) => {
      const doc = get().doc;
      const locked = learning(get()) ? ex.connectRefusal(doc, registry, c) : null;
      if (locked) {
        get().notify('warn', locked);
        return { ok: false, reason: locked };
      }
      const verdict = ops.checkConnection(doc, registry, c);
      if (!verdict.ok) return verdict;
      const old = doc.edges.find((e) => e.target === c.target && e.targetPort === c.targetPort);
      set({ doc: ops.connect(doc, c) });
      // An input takes one edge: say that the new one took the old one's place, so it is never a silent loss.
      if (old && !(old.source === c.source && old.sourcePort === c.sourcePort)) {
        const name = (id: string) => doc.nodes.find((n) => n.id === id)?.label || id;
        get().notify(
          'info',
          `Replaced the edge from ${name(old.source)}.${old.sourcePort} into ${name(c.target)}.${c.targetPort}: an input takes one edge. Undo brings the old one back.`,
        );
      }
      return verdict;
    },
    removeElements: (nodeIds, edgeIds) => {
      let allowed = { nodeIds, edgeIds };
      if (learning(get())) {
        const check = ex.allowedRemoval(get().doc, registry, nodeIds, edgeIds);
        if (check.refused.length)
          get().notify('warn', `Locked by the exercise, so they stay: ${check.refused.join(', ')}. Undo and the rest work as usual.`);
        allowed = check;
      }
      const doc = ops.removeElements(get().doc, registry, allowed.nodeIds, allowed.edgeIds);
      if (doc !== get().doc) set({ doc });
    },
    moveNodes: (positions) => {
      const doc = ops.moveNodes(get().doc, positions);
      if (doc !== get().doc) set({ doc });
    },
    setParam: (nodeId, name, value) => get().setParams(nodeId, { [name]: value }),
    setParams: (nodeId, values) => {
      if (refused(get(), ex.paramRefusal(get().doc, registry, nodeId, Object.keys(values)))) return;
      set({ doc: ops.setParams(get().doc, nodeId, values) });
    },
    setNodeFields: (nodeId, fields) => {
      if (refused(get(), ex.fieldsRefusal(get().doc, registry, nodeId))) return;
      set({ doc: ops.setNodeFields(get().doc, nodeId, fields) });
    },
    setMeta: (meta) => set({ doc: ops.setMeta(get().doc, meta) }),
    applyFix: (fix) => {
      const doc = get().doc;
      const edge = fix.kind === 'insertNode' ? doc.edges.find((e) => e.id === fix.edgeId) : undefined;
      const lock =
        fix.kind === 'setParam'
          ? ex.paramRefusal(doc, registry, fix.nodeId, [fix.param])
          : edge && ex.connectRefusal(doc, registry, { source: '', sourcePort: '', target: edge.target, targetPort: edge.targetPort });
      if (refused(get(), lock ?? null)) return false;
      const fixed = ops.applyFix(doc, registry, fix);
      if (!fixed) {
        get().notify('warn', `“${fix.label}” no longer fits the graph; the Problems panel lists what is wrong now.`);
        return false;
      }
      set({ doc: fixed.doc, ...(fixed.id ? { selectedNodeIds: [fixed.id], selectedEdgeIds: [] } : {}) });
      return true;
    },
    unpackBlock: (nodeId) => {
      const locked = learning(get()) ? ex.fieldsRefusal(get().doc, registry, nodeId) : null;
      if (locked) return { ok: false, reason: locked };
      const result = unpackBlock(get().doc, registry, nodeId);
      if ('error' in result) return { ok: false, reason: result.error };
      drag.setState({ positions: {} });
      set({
        doc: result.doc,
        selectedNodeIds: result.ids,
        selectedEdgeIds: [],
        openBlockId: get().openBlockId === nodeId ? null : get().openBlockId,
      });
      return { ok: true, ids: result.ids };
    },
    addStickyNote: (position, text) => {
      const { doc, id } = ops.addStickyNote(get().doc, position, text);
      set({ doc });
      return id;
    },
    updateStickyNote: (id, patch) => {
      const doc = ops.updateStickyNote(get().doc, id, patch);
      if (doc !== get().doc) set({ doc });
    },
    removeStickyNote: (id) => {
      const doc = ops.removeStickyNote(get().doc, id);
      if (doc !== get().doc) set({ doc });
    },
    addGroupAroundSelection: (title) => {
      const { doc, selectedNodeIds, measured } = get();
      const dragPositions = drag.getState().positions;
      const boxes = doc.nodes
        .filter((n) => selectedNodeIds.includes(n.id))
        .map((n) => ({ position: dragPositions[n.id] ?? n.position, ...(measured[n.id] ?? UNMEASURED) }));
      const added = boxes.length && authoring(get(), () => {}) ? ops.addGroup(doc, boxes, title) : null;
      if (added) set({ doc: added.doc });
      return added?.id ?? null;
    },
    updateGroup: (id, patch) =>
      authoring(get(), () => {
        const doc = ops.updateGroup(get().doc, id, patch);
        if (doc !== get().doc) set({ doc });
      }),
    removeGroup: (id) =>
      authoring(get(), () => {
        const doc = ops.removeGroup(get().doc, id);
        if (doc !== get().doc) set({ doc });
      }),
    startExercise: () => set({ doc: ex.startExercise(get().doc), exerciseRole: 'author', mayAuthor: true }),
    setLocked: (nodeId, locked) => authoring(get(), () => set({ doc: ex.setLocked(get().doc, nodeId, locked) })),
    setParamLocked: (nodeId, param, locked) => authoring(get(), () => set({ doc: ex.setParamLocked(get().doc, nodeId, param, locked) })),
    setBlank: (nodeId, blank) =>
      authoring(get(), () =>
        set({ doc: blank ? ex.makeBlank(ex.startExercise(get().doc), registry, nodeId) : ex.revealBlanks(get().doc, [nodeId]) }),
      ),
    addTask: (task) => {
      if (!authoring(get(), () => {})) return '';
      const { doc, id } = ex.addTask(get().doc, task);
      set({ doc });
      return id;
    },
    updateTask: (id, patch) => authoring(get(), () => set({ doc: ex.updateTask(get().doc, id, patch) })),
    removeTask: (id) => authoring(get(), () => set({ doc: ex.removeTask(get().doc, id) })),
    revealSolution: () => {
      const doc = ex.revealBlanks(get().doc);
      if (doc !== get().doc) set({ doc });
    },
  });

/** Locks hold for the learner; the author edits freely. */
const learning = (s: EditorState) => s.exerciseRole === 'learner';

/** Says why an edit was refused and reports whether it was (only a learner is ever refused). */
function refused(s: EditorState, reason: string | null): boolean {
  if (!reason || !learning(s)) return false;
  s.notify('warn', reason);
  return true;
}

/** Runs an author-only edit; a learner is told why not. Returns whether it ran. */
function authoring(s: EditorState, edit: () => void): boolean {
  if (learning(s)) {
    s.notify('warn', 'Only the exercise’s author can change its tasks, locks and blanks.');
    return false;
  }
  edit();
  return true;
}

const selectionSlice: SliceCreator<SelectionSlice> = (set, get) => ({
  selectedNodeIds: [],
  selectedEdgeIds: [],
  clipboard: null,
  select: (nodeIds, edgeIds = []) => set({ selectedNodeIds: nodeIds, selectedEdgeIds: edgeIds }),
  selectAll: () => set({ selectedNodeIds: get().doc.nodes.map((n) => n.id), selectedEdgeIds: [] }),
  deleteSelection: () => {
    const { selectedNodeIds, selectedEdgeIds } = get();
    get().removeElements(selectedNodeIds, selectedEdgeIds);
    // What an exercise kept (locked) stays selected, so the inspector still says why.
    const { doc } = get();
    set({
      selectedNodeIds: selectedNodeIds.filter((id) => doc.nodes.some((n) => n.id === id)),
      selectedEdgeIds: selectedEdgeIds.filter((id) => doc.edges.some((e) => e.id === id)),
    });
  },
  copySelection: () => {
    const ids = get().selectedNodeIds;
    if (ids.length) set({ clipboard: ops.copyFragment(get().doc, ids) });
  },
  paste: () => {
    const { clipboard, doc, registry, measured } = get();
    if (!clipboard || clipboard.nodes.length === 0) return;
    const offset = pasteOffset(clipboard.nodes, measured);
    const pasted = ops.pasteFragment(doc, registry, clipboard, offset);
    // The next paste lands one step further, so repeated pastes line up instead of stacking.
    const shifted = {
      ...clipboard,
      nodes: clipboard.nodes.map((n) => ({ ...n, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } })),
    };
    set({ doc: pasted.doc, clipboard: shifted, selectedNodeIds: pasted.ids, selectedEdgeIds: [] });
  },
  duplicateSelection: () => {
    const { doc, registry, selectedNodeIds, measured } = get();
    if (!selectedNodeIds.length) return;
    const fragment = ops.copyFragment(doc, selectedNodeIds);
    const pasted = ops.pasteFragment(doc, registry, fragment, pasteOffset(fragment.nodes, measured));
    set({ doc: pasted.doc, selectedNodeIds: pasted.ids, selectedEdgeIds: [] });
  },
});

let noticeSeq = 0;
const viewSlice =
  (drag: DragStore): SliceCreator<ViewSlice> =>
  (set, get) => ({
    measured: {},
    theme: 'light',
    overlay: null,
    openBlockId: null,
    dock: { tab: 'problems', open: true, sizes: { problems: 0.2, run: 0.55 }, maximized: false },
    frameRequest: null,
    notices: [],
    saveStatus: 'idle',
    saveError: null,
    conflict: false,
    setDragPositions: (positions) => drag.setState({ positions }),
    setMeasured: (measured) => set({ measured }),
    setTheme: (theme) => set({ theme }),
    setOverlay: (overlay) => set({ overlay }),
    openBlock: (openBlockId) => set({ openBlockId }),
    setDock: (d) => set({ dock: { ...get().dock, ...d } }),
    frameNode: (nodeId) =>
      set({
        frameRequest: { nodeId, seq: (get().frameRequest?.seq ?? 0) + 1 },
        ...(nodeId ? { selectedNodeIds: [nodeId], selectedEdgeIds: [] } : {}),
      }),
    frameOpened: (nodeIds) =>
      set({ frameRequest: { nodeId: null, seq: (get().frameRequest?.seq ?? 0) + 1, readable: true, ...(nodeIds ? { nodeIds } : {}) } }),
    notify: (kind, text) => set({ notices: [...get().notices, { id: ++noticeSeq, kind, text }].slice(-4) }),
    dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
    setSaveState: (s) => set(s),
    exerciseRole: 'author',
    mayAuthor: false,
    exerciseAnswers: {},
    hintsShown: {},
    setExerciseRole: (exerciseRole) => set({ exerciseRole }),
    allowAuthoring: () => set({ mayAuthor: true, ...(get().doc.exercise ? { exerciseRole: 'author' as const } : {}) }),
    setExerciseAnswer: (taskId, answer) => set({ exerciseAnswers: { ...get().exerciseAnswers, [taskId]: answer } }),
    showNextHint: (taskId) => set({ hintsShown: { ...get().hintsShown, [taskId]: (get().hintsShown[taskId] ?? 0) + 1 } }),
  });

export function createEditorStore(registry: Registry = defaultRegistry, initial: GraphDocument = emptyDocument()): EditorStore {
  const drag: DragStore = createStore(() => ({ positions: {} }));
  const store = createStore<EditorState>()(
    temporal(
      (set, get) => ({
        ...documentSlice(registry, initial, drag)(set, get),
        ...selectionSlice(set, get),
        ...viewSlice(drag)(set, get),
        ...blockSlice(set, get),
      }),
      {
        partialize: (s) => ({ doc: s.doc }),
        // Only a new document object is a step; selection and view changes are not.
        equality: (a, b) => a.doc === b.doc,
        limit: 500,
      },
    ),
  );
  return Object.assign(store, { drag });
}

export function undo(store: EditorStore) {
  store.temporal.getState().undo();
}
export function redo(store: EditorStore) {
  store.temporal.getState().redo();
}
