/**
 * Where the view goes when a graph opens. Fitting a wide graph into a 1280×800
 * window shrinks node text below reading size (11 px), so an opened graph is
 * fitted only down to READABLE_ZOOM; past that, the view starts at the data
 * (left) side, where data flow begins, and the minimap and Fit show the rest.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** No canvas text is set under 11 px (styles.css), so at zoom 1 all of it renders at 11 px or more; below, it would not. */
export const READABLE_ZOOM = 1;
export const MAX_OPEN_ZOOM = 1.2;
/** Screen pixels kept free around the framed graph. */
export const FRAME_PAD = 32;

/**
 * A viewport for `bounds` (graph coordinates) in a pane of `pane` pixels.
 * `anchor` is the data side: the part kept in view vertically when the graph
 * is too tall to fit at readable zoom.
 */
export function readableViewport(
  bounds: Rect,
  anchor: Rect | null,
  pane: { width: number; height: number },
  opts: { minZoom?: number; maxZoom?: number; pad?: number } = {},
): Viewport {
  const minZoom = opts.minZoom ?? READABLE_ZOOM;
  const maxZoom = opts.maxZoom ?? MAX_OPEN_ZOOM;
  const pad = opts.pad ?? FRAME_PAD;
  const availW = Math.max(1, pane.width - 2 * pad);
  const availH = Math.max(1, pane.height - 2 * pad);
  const fit = Math.min(availW / Math.max(1, bounds.width), availH / Math.max(1, bounds.height));
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  const w = bounds.width * zoom;
  const h = bounds.height * zoom;
  // Horizontally: centred when it fits, else its left (data) edge at the left.
  const x = w <= availW ? (pane.width - w) / 2 - bounds.x * zoom : pad - bounds.x * zoom;
  let y: number;
  if (h <= availH) y = (pane.height - h) / 2 - bounds.y * zoom;
  else {
    // Too tall: centre the data side, but never leave empty space above or below the graph.
    const a = anchor ?? bounds;
    y = pane.height / 2 - (a.y + a.height / 2) * zoom;
    const top = pad - bounds.y * zoom;
    const bottom = pane.height - pad - (bounds.y + bounds.height) * zoom;
    y = Math.min(top, Math.max(bottom, y));
  }
  return { x, y, zoom };
}

export function boundsOf(rects: Rect[]): Rect | null {
  if (!rects.length) return null;
  const x0 = Math.min(...rects.map((r) => r.x));
  const y0 = Math.min(...rects.map((r) => r.y));
  const x1 = Math.max(...rects.map((r) => r.x + r.width));
  const y1 = Math.max(...rects.map((r) => r.y + r.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
