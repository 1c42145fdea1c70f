/** Explain mode: whether nodes show their equations (on the canvas and, large, in the inspector). */
import { createStore, useStore } from 'zustand';

interface ExplainState {
  on: boolean;
  setOn(on: boolean): void;
}

export const explainStore = createStore<ExplainState>((set) => ({
  on: false,
  setOn: (on) => set({ on }),
}));

export const useExplain = <T>(selector: (s: ExplainState) => T): T => useStore(explainStore, selector);
