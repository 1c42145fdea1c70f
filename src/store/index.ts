/**
 * The editor's store instance and the hooks components read it with.
 * Other panels (the run panel) read the graph the same way:
 *   useEditor((s) => s.doc), useEditor((s) => s.selectedNodeIds), useCompiled().
 */
import { useStore } from 'zustand';
import { createEditorStore, type EditorState } from './editorStore';
import { compileDocument } from './compiled';
import { pageDataLookup, uploadsStore } from './uploads';

export const editorStore = createEditorStore();

export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(editorStore, selector);
}

/** Positions of the nodes being dragged (the canvas alone reads them each frame). */
export function useDragPositions() {
  return useStore(editorStore.drag, (s) => s.positions);
}

/** Undo/redo availability, for buttons. */
export function useHistory(): { canUndo: boolean; canRedo: boolean } {
  const canUndo = useStore(editorStore.temporal, (t) => t.pastStates.length > 0);
  const canRedo = useStore(editorStore.temporal, (t) => t.futureStates.length > 0);
  return { canUndo, canRedo };
}

/** Shapes, errors, parameter counts and who-trains-what for the current document. */
export function useCompiled() {
  const doc = useEditor((s) => s.doc);
  const uploads = useStore(uploadsStore);
  return compileDocument(doc, undefined, pageDataLookup(uploads));
}

/** The data sets picked in this browser. */
export function useUploads() {
  return useStore(uploadsStore, (s) => s.summaries);
}

export { undo, redo } from './editorStore';
export type { EditorState, EditorStore } from './editorStore';
