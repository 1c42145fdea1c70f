/**
 * Keyboard shortcuts: one table drives both the handler and the help overlay,
 * so the overlay cannot list a key that does nothing.
 */
import { useEffect } from 'react';
import { editorStore, redo, undo } from '../store';
import { runAutoLayout } from './layoutAction';

export interface Shortcut {
  keys: string;
  label: string;
  match(e: KeyboardEvent): boolean;
  /** When false the key is left to the browser (e.g. Ctrl C copies selected text). */
  applies?(): boolean;
  run(): void;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const plain = (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey;
const s = () => editorStore.getState();

export const SHORTCUTS: Shortcut[] = [
  {
    keys: 'A',
    label: 'Quick-add a node (type, then Enter)',
    match: (e) => plain(e) && e.key.toLowerCase() === 'a',
    run: () => s().setOverlay('quickAdd'),
  },
  {
    keys: 'Delete / Backspace',
    label: 'Delete the selection',
    match: (e) => plain(e) && (e.key === 'Delete' || e.key === 'Backspace'),
    run: () => s().deleteSelection(),
  },
  { keys: 'Ctrl Z', label: 'Undo', match: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'z', run: () => undo(editorStore) },
  {
    keys: 'Ctrl Shift Z / Ctrl Y',
    label: 'Redo',
    match: (e) => mod(e) && ((e.shiftKey && e.key.toLowerCase() === 'z') || e.key.toLowerCase() === 'y'),
    run: () => redo(editorStore),
  },
  {
    keys: 'Ctrl C',
    label: 'Copy the selected nodes (selected text is copied as text)',
    match: (e) => mod(e) && e.key.toLowerCase() === 'c',
    applies: () => !hasTextSelection() && s().selectedNodeIds.length > 0,
    run: () => s().copySelection(),
  },
  {
    keys: 'Ctrl V',
    label: 'Paste (edges between copied nodes come along)',
    match: (e) => mod(e) && e.key.toLowerCase() === 'v',
    run: () => s().paste(),
  },
  {
    keys: 'Ctrl D',
    label: 'Duplicate the selection',
    match: (e) => mod(e) && e.key.toLowerCase() === 'd',
    run: () => s().duplicateSelection(),
  },
  { keys: 'Ctrl A', label: 'Select all nodes', match: (e) => mod(e) && e.key.toLowerCase() === 'a', run: () => s().selectAll() },
  {
    keys: 'L',
    label: 'Auto-layout, left to right',
    match: (e) => plain(e) && e.key.toLowerCase() === 'l',
    run: () => void runAutoLayout(),
  },
  { keys: 'F', label: 'Fit the graph in view', match: (e) => plain(e) && e.key.toLowerCase() === 'f', run: () => s().frameNode(null) },
  { keys: '?', label: 'Show this help', match: (e) => e.key === '?', run: () => s().setOverlay('help') },
  {
    keys: 'Esc',
    label: 'Close a dialog, or clear the selection',
    match: (e) => e.key === 'Escape',
    // A dialog closes itself on Escape; without one, Escape clears the selection.
    applies: () => !s().overlay && !s().openBlockId,
    run: () => s().select([]),
  },
];

/** Mouse gestures, listed in the help overlay beside the keys. */
export const GESTURES: [string, string][] = [
  ['Drag the background', 'Pan'],
  ['Scroll / pinch', 'Zoom'],
  ['Shift-drag', 'Select with a box'],
  ['Shift-click', 'Add to or remove from the selection'],
  ['Drag from a port', 'Connect; a refused connection says why at the cursor'],
  ['Drag a palette item', 'Add a node where you drop it'],
  ['Palette search, ↑ / ↓, Enter', 'Add the highlighted node without the mouse'],
  ['Inspector → Inputs: “x ← source”, Connect', 'Wire a node’s input from the keyboard'],
  ['Tab / Shift-Tab', 'Move between nodes and edges; Enter selects, Delete removes'],
];

function hasTextSelection(): boolean {
  const sel = globalThis.getSelection?.();
  return !!sel && !sel.isCollapsed && sel.toString().trim() !== '';
}

/** A dialog (help, quick-add, a block's layer view) owns the keyboard: the canvas's keys must not act behind it. */
function dialogOpen(): boolean {
  return !!s().overlay || !!s().openBlockId;
}

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export function useShortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e.target)) return;
      // While a dialog is open only Escape reaches the editor.
      if (dialogOpen() && e.key !== 'Escape') return;
      const hit = SHORTCUTS.find((sc) => sc.match(e));
      if (!hit || (hit.applies && !hit.applies())) return;
      e.preventDefault();
      hit.run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
