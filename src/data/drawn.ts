/**
 * Points drawn by hand on the 2-D playground. They live in the document (the
 * Dataset node's `points` text, source 'drawn'), so a reload, an exported file
 * and a share link all train on the same points the screen shows. The text is
 * "x,y" pairs separated by spaces, two decimals each: small enough that the
 * cap below keeps a document well inside a share link.
 */
import { DataError } from './errors.js';
import { pointsDataSet } from './mixtures.js';
import type { DataSet } from './types.js';

/** The most points a drawing may hold: ~11 characters each, so the text stays under DRAWN_MAX_CHARS. */
export const DRAWN_MAX_POINTS = 500;
/** The Dataset parameter's length limit (DRAWN_MAX_POINTS pairs at the widest, "-99.99,-99.99 "). */
export const DRAWN_MAX_CHARS = DRAWN_MAX_POINTS * 14;
/** Coordinates must lie in [−LIMIT, LIMIT]: drawn on the playground's plane, nothing further. */
export const DRAWN_COORD_LIMIT = 99;

export type Point2 = [number, number];

/** Points as the document stores them (rounded to 0.01). */
export function formatDrawnPoints(points: readonly Point2[]): string {
  const r = (v: number) => String(Math.round(v * 100) / 100);
  return points.map(([x, y]) => `${r(x)},${r(y)}`).join(' ');
}

/** The document's text as points; a clear DataError for anything else. */
export function parseDrawnPoints(text: string): Point2[] {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (parts.length > DRAWN_MAX_POINTS)
    throw new DataError('drawn points', `${parts.length} points; at most ${DRAWN_MAX_POINTS} may be drawn`, 'clear some and draw fewer');
  return parts.map((part, i) => {
    const xy = part.split(',');
    const [x, y] = xy.map(Number);
    if (xy.length !== 2 || !xy.every((v) => v.trim() !== '') || !Number.isFinite(x) || !Number.isFinite(y))
      throw new DataError(
        'drawn points',
        `point ${i + 1} ("${part.slice(0, 30)}") is not two numbers "x,y"`,
        'write each point as x,y, separated by spaces',
      );
    if (Math.abs(x) > DRAWN_COORD_LIMIT || Math.abs(y) > DRAWN_COORD_LIMIT)
      throw new DataError(
        'drawn points',
        `point ${i + 1} (${x}, ${y}) lies outside ±${DRAWN_COORD_LIMIT}`,
        'draw points on the playground',
      );
    return [x, y] as Point2;
  });
}

let last: { text: string; ds: DataSet } | null = null;

/**
 * The drawn points as a data set. Both splits get the very same set (one
 * object), so evaluation sees they are one set and draws its floor from two
 * halves of it instead of comparing the points with themselves.
 */
export function drawnDataSet(text: string): DataSet {
  if (last?.text === text) return last.ds;
  const points = parseDrawnPoints(text);
  if (points.length === 0)
    throw new DataError('drawn points', 'no points drawn yet', 'click or drag on the 2-D playground in the run panel to add points');
  last = { text, ds: pointsDataSet(points, 'drawn') };
  return last.ds;
}
