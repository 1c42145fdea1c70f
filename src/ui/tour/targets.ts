/**
 * Where a tour step points, in the page: a node on the canvas, or a view of
 * the bottom dock opened through the dock's and the run panel's own actions.
 * Elements are found by the attributes the canvas and the views already
 * carry, compared as values, so no document id is ever put into a selector.
 */
import type { TourView } from '../../graph/document';
import { editorStore } from '../../store';
import { runHistory } from '../run/historyStore';

/** The attribute the highlighted element carries while its step shows. */
export const TARGET_ATTRIBUTE = 'data-tour-target';

interface ViewPlace {
  /** What the card calls it. */
  name: string;
  /** The element to highlight; for a training view, something always drawn inside it. */
  selector: string;
  /** A training view: the highlight goes on its box (`.run-view`). */
  inRunView?: boolean;
}

export const VIEW_PLACES: Record<TourView, ViewPlace> = {
  problems: { name: 'the Problems tab', selector: '#dock-panel' },
  training: { name: 'the Run tab', selector: '#dock-panel' },
  history: { name: 'the runs of this graph (Run tab)', selector: '#dock-panel' },
  loss: { name: 'the loss chart (Run tab)', selector: '[data-testid="loss-chart"]', inRunView: true },
  samples: { name: 'the samples (Run tab)', selector: '[data-testid="samples-refresh"]', inRunView: true },
  reconstructions: { name: 'the reconstructions (Run tab)', selector: '[data-testid="recon-legend"]', inRunView: true },
  latent: { name: 'the latent map (Run tab)', selector: '[data-testid="latent-map"]', inRunView: true },
  metrics: { name: 'the Metrics view (Run tab)', selector: '[data-testid="metrics-view"]', inRunView: true },
  diffusion: { name: 'the denoising trajectory (Run tab)', selector: '[data-testid="diffusion-view"]', inRunView: true },
  playground: { name: 'the 2-D playground (Run tab)', selector: '[data-testid="playground"]', inRunView: true },
  gradients: { name: 'the gradient flow (Run tab)', selector: '[data-testid="gradient-flow"]', inRunView: true },
};

/** Opens the dock on the view: the Problems tab, or the Run tab on the panel view that holds it. */
export function openView(view: TourView) {
  const s = editorStore.getState();
  s.setDock({ tab: view === 'problems' ? 'problems' : 'run', open: true });
  if (view !== 'problems') runHistory.show(view === 'history' ? 'history' : 'training');
}

export function findView(view: TourView): HTMLElement | null {
  const place = VIEW_PLACES[view];
  const el = document.querySelector<HTMLElement>(place.selector);
  return place.inRunView ? (el?.closest<HTMLElement>('.run-view') ?? null) : el;
}

/** Frames and selects the node (the inspector then shows it); the canvas must be in sight, so a maximized dock steps back. */
export function showNode(nodeId: string) {
  const s = editorStore.getState();
  if (s.dock.maximized) s.setDock({ maximized: false });
  s.frameNode(nodeId);
}

export function findNode(nodeId: string): HTMLElement | null {
  for (const el of document.querySelectorAll<HTMLElement>('.react-flow__node')) if (el.dataset.id === nodeId) return el;
  return null;
}

/** Marks the element; returns what undoes it. */
export function highlight(el: HTMLElement): () => void {
  el.setAttribute(TARGET_ATTRIBUTE, '');
  return () => el.removeAttribute(TARGET_ATTRIBUTE);
}
