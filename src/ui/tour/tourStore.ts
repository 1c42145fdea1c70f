/** The guided tour: which step of the open graph's tour shows, if any. Not saved, not undone. */
import { createStore, useStore } from 'zustand';
import { editorStore } from '../../store';

interface TourState {
  /** The index of the step on show; null when the tour is closed. */
  step: number | null;
  go(step: number): void;
  close(): void;
}

export const tourStore = createStore<TourState>((set) => ({
  step: null,
  go: (step) => set({ step }),
  close: () => set({ step: null }),
}));

export const useTour = <T>(selector: (s: TourState) => T): T => useStore(tourStore, selector);

// Another graph (a preset, an import, a file) brings its own tour, or none: the open one ends. Edits keep the tour object.
editorStore.subscribe((now, before) => {
  if (now.doc.tour !== before.doc.tour) tourStore.getState().close();
});
