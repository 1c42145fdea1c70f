/** Hand-drawn points: the document's text round-trips, bad text is a DataError that names the point, the size limit holds. */
import { describe, expect, it } from 'vitest';
import dataset from '../../nodes/dataset';
import { DRAWN_MAX_CHARS, DRAWN_MAX_POINTS, drawnDataSet, formatDrawnPoints, parseDrawnPoints } from '../../src/data/drawn';
import { DataError } from '../../src/data/errors';
import { loadDataSet } from '../../src/data/registry';

describe('drawn points', () => {
  it('round-trips through the document text at 0.01', () => {
    const text = formatDrawnPoints([
      [1.234, -0.5],
      [-2, 3.999],
    ]);
    expect(text).toBe('1.23,-0.5 -2,4');
    expect(parseDrawnPoints(text)).toEqual([
      [1.23, -0.5],
      [-2, 4],
    ]);
    expect(parseDrawnPoints('  ')).toEqual([]);
  });

  it('refuses text that is not x,y pairs, far-away points and too many points, each with what to do', () => {
    const problem = (text: string) => {
      try {
        parseDrawnPoints(text);
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        return `${(e as DataError).message} | ${(e as DataError).hint}`;
      }
      return 'accepted';
    };
    expect(problem('1,2 3')).toMatch(/point 2 \("3"\) is not two numbers.*\| write each point as x,y/);
    expect(problem('1,2 a,b')).toMatch(/point 2/);
    expect(problem('1,')).toMatch(/point 1/);
    expect(problem('500,0')).toMatch(/outside ±99/);
    expect(
      problem(
        Array(DRAWN_MAX_POINTS + 1)
          .fill('0,0')
          .join(' '),
      ),
    ).toMatch(/at most 500/);
    expect(problem(Array(DRAWN_MAX_POINTS).fill('0,0').join(' '))).toBe('accepted');
  });

  it('the widest allowed drawing fits the Dataset parameter', () => {
    const widest = formatDrawnPoints(Array.from({ length: DRAWN_MAX_POINTS }, () => [-98.99, -98.99] as [number, number]));
    expect(widest.length).toBeLessThanOrEqual(DRAWN_MAX_CHARS);
    const decl = dataset.params.drawnPoints;
    expect(decl.kind === 'text' && decl.maxLength).toBe(DRAWN_MAX_CHARS);
  });

  it('loads as the same unlabelled points for both splits; an empty drawing says how to draw', async () => {
    const spec = { source: 'drawn' as const, points: '0,1 2,3', seed: 1 };
    const train = await loadDataSet({ ...spec, split: 'train' });
    const test = await loadDataSet({ ...spec, split: 'test' });
    expect(Array.from(train.x)).toEqual([0, 1, 2, 3]);
    // One object for both splits, so a floor is never the points against themselves.
    expect(test.x).toBe(train.x);
    expect(train).toMatchObject({ kind: 'points', shape: [2], count: 2, numClasses: 0 });
    expect(() => drawnDataSet('')).toThrow(/no points drawn yet/);
  });
});
