/**
 * The split between the canvas and the dock below it: a fraction of the
 * centre column's height, set by dragging the dock's top edge (or the arrow
 * keys on it), remembered across reloads.
 */
export const DOCK_MIN = 0.15;
export const DOCK_MAX = 0.9;
export const DOCK_DEFAULT = 0.5;
export const DOCK_SIZE_KEY = 'latent-lab:dock-sizes';
export type DockSizes = { problems: number; run: number };

export function clampDock(f: number): number {
  return Number.isFinite(f) ? Math.min(DOCK_MAX, Math.max(DOCK_MIN, f)) : DOCK_DEFAULT;
}

/** The dock fraction for a pointer at `clientY` over a column spanning [top, bottom]. */
export function dockFractionAt(clientY: number, column: { top: number; bottom: number }): number {
  const height = column.bottom - column.top;
  return height > 0 ? clampDock((column.bottom - clientY) / height) : DOCK_DEFAULT;
}

/** Stored per-tab fractions over `defaults`; a missing or damaged value keeps its default. */
export function parseDockSizes(stored: string | null, defaults: DockSizes): DockSizes {
  let raw: unknown;
  try {
    raw = stored === null ? null : JSON.parse(stored);
  } catch {
    raw = null;
  }
  const get = (k: keyof DockSizes) => {
    const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[k] : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? clampDock(v) : defaults[k];
  };
  return { problems: get('problems'), run: get('run') };
}
