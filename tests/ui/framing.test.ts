import { describe, expect, it } from 'vitest';
import { boundsOf, readableViewport, READABLE_ZOOM } from '../../src/ui/canvas/framing';

const pane = { width: 810, height: 585 };
/** Where a graph point lands on screen. */
const at = (v: { x: number; y: number; zoom: number }, p: { x: number; y: number }) => ({ x: v.x + p.x * v.zoom, y: v.y + p.y * v.zoom });

describe('opening framing', () => {
  it('centres a small graph and never zooms in past the maximum', () => {
    const v = readableViewport({ x: 0, y: 0, width: 200, height: 100 }, null, pane);
    expect(v.zoom).toBe(1.2);
    const c = at(v, { x: 100, y: 50 });
    expect(c.x).toBeCloseTo(405);
    expect(c.y).toBeCloseTo(292.5);
  });

  it('fits a graph that fits at a readable zoom, whole', () => {
    const v = readableViewport({ x: 100, y: 50, width: 700, height: 400 }, null, pane);
    expect(v.zoom).toBeGreaterThan(READABLE_ZOOM);
    expect(at(v, { x: 100, y: 50 }).x).toBeGreaterThanOrEqual(0);
    expect(at(v, { x: 800, y: 450 }).x).toBeLessThanOrEqual(pane.width);
  });

  it('stops at the readable zoom for a wide graph and starts at its data (left) side', () => {
    const v = readableViewport({ x: -40, y: 0, width: 4000, height: 300 }, { x: -40, y: 100, width: 180, height: 80 }, pane);
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(at(v, { x: -40, y: 0 }).x).toBeCloseTo(32);
    // Vertically it fits, so it is centred.
    expect(at(v, { x: 0, y: 150 }).y).toBeCloseTo(292.5);
  });

  it('keeps the data side in view vertically when the graph is too tall', () => {
    const anchor = { x: 0, y: 1500, width: 180, height: 80 };
    const v = readableViewport({ x: 0, y: 0, width: 3000, height: 3000 }, anchor, pane);
    expect(v.zoom).toBe(READABLE_ZOOM);
    const mid = at(v, { x: 90, y: 1540 });
    expect(mid.y).toBeCloseTo(292.5);
    // An anchor at the very top does not leave empty space above the graph.
    const top = readableViewport({ x: 0, y: 0, width: 3000, height: 3000 }, { x: 0, y: 0, width: 180, height: 80 }, pane);
    expect(at(top, { x: 0, y: 0 }).y).toBeCloseTo(32);
  });

  it('never opens below zoom 1, where 11 px canvas text renders at 11 px', () => {
    const v = readableViewport({ x: 0, y: 0, width: 2200, height: 600 }, { x: 0, y: 200, width: 180, height: 100 }, pane);
    expect(v.zoom).toBe(1);
  });

  it('bounds of rectangles', () => {
    expect(
      boundsOf([
        { x: 0, y: 10, width: 5, height: 5 },
        { x: -5, y: 0, width: 5, height: 30 },
      ]),
    ).toEqual({ x: -5, y: 0, width: 10, height: 30 });
    expect(boundsOf([])).toBeNull();
  });
});
