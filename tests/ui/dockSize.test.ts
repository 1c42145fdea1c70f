import { describe, expect, it } from 'vitest';
import { DOCK_DEFAULT, DOCK_MAX, DOCK_MIN, dockFractionAt, parseDockSizes } from '../../src/ui/panels/dockSize';

describe('canvas / dock split', () => {
  it('follows the pointer within its limits', () => {
    const column = { top: 100, bottom: 900 };
    expect(dockFractionAt(500, column)).toBeCloseTo(0.5);
    expect(dockFractionAt(700, column)).toBeCloseTo(0.25);
    expect(dockFractionAt(890, column)).toBe(DOCK_MIN);
    expect(dockFractionAt(0, column)).toBe(DOCK_MAX);
    expect(dockFractionAt(500, { top: 10, bottom: 10 })).toBe(DOCK_DEFAULT);
  });

  it('reads back what it stored, and survives damage', () => {
    const defaults = { problems: 0.2, run: 0.55 };
    expect(parseDockSizes(JSON.stringify({ problems: 0.3, run: 0.6 }), defaults)).toEqual({ problems: 0.3, run: 0.6 });
    expect(parseDockSizes(null, defaults)).toEqual(defaults);
    expect(parseDockSizes('banana', defaults)).toEqual(defaults);
    expect(parseDockSizes(JSON.stringify({ problems: 7, run: 'x' }), defaults)).toEqual({ problems: DOCK_MAX, run: 0.55 });
  });
});
