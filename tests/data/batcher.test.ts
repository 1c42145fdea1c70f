import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../src/data/batcher.js';
import { DataError } from '../../src/data/errors.js';
import { makeMixture2D } from '../../src/data/mixtures.js';
import type { DataSet } from '../../src/data/types.js';

function tinySet(count: number): DataSet {
  // Example i holds (i, -i) and label i mod 3, so batches can be checked by value.
  const x = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) [x[2 * i], x[2 * i + 1]] = [i, -i];
  return { name: 'tiny', kind: 'points', shape: [2], count, x, labels: Uint8Array.from({ length: count }, (_, i) => i % 3), numClasses: 3 };
}

describe('createBatcher', () => {
  it('visits every example exactly once per epoch, in a new order each epoch', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (count, batch, seed) => {
        const b = createBatcher(tinySet(count), batch, seed);
        const seen: number[] = [];
        const epochs = 3;
        while (seen.length < epochs * count) seen.push(...b.next().indices);
        for (let e = 0; e < epochs; e++) {
          const epoch = seen.slice(e * count, (e + 1) * count).sort((p, q) => p - q);
          expect(epoch).toEqual(Array.from({ length: count }, (_, i) => i));
        }
      }),
    );
    const b = createBatcher(tinySet(100), 100, 1);
    expect(Array.from(b.next().indices)).not.toEqual(Array.from(b.next().indices));
  });

  it('returns the examples, labels and one-hot rows its indices name', () => {
    const b = createBatcher(tinySet(10), 4, 5);
    const { x, labels, oneHot, indices } = b.next();
    expect(x.length).toBe(8);
    indices.forEach((i, k) => {
      expect([x[2 * k], x[2 * k + 1]]).toEqual([i, -i]);
      expect(labels![k]).toBe(i % 3);
      expect(Array.from(oneHot!.subarray(3 * k, 3 * k + 3))).toEqual([0, 1, 2].map((c) => (c === i % 3 ? 1 : 0)));
    });
  });

  it('counts steps and epochs, and is deterministic from the seed', () => {
    const ds = makeMixture2D('ring', 10, 0);
    const a = createBatcher(ds, 4, 9);
    const b = createBatcher(ds, 4, 9);
    for (let s = 0; s < 5; s++) expect(a.next().indices).toEqual(b.next().indices);
    expect(a.step).toBe(5);
    expect(a.epoch).toBe(1); // 20 examples drawn from 10: the cursor is inside epoch 1 after wrapping
    expect(createBatcher(ds, 4, 10).next().indices).not.toEqual(createBatcher(ds, 4, 9).next().indices);
  });

  it('restores its position from a JSON state', () => {
    const ds = tinySet(13);
    const a = createBatcher(ds, 5, 3);
    for (let s = 0; s < 7; s++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const expected = [a.next(), a.next(), a.next()].map((bt) => Array.from(bt.indices));
    const b = createBatcher(ds, 5, 3);
    b.restore(saved);
    expect(b.step).toBe(7);
    expect([b.next(), b.next(), b.next()].map((bt) => Array.from(bt.indices))).toEqual(expected);
    expect(() => createBatcher(ds, 6, 3).restore(saved)).toThrow(DataError);
    expect(() => createBatcher(tinySet(12), 5, 3).restore(saved)).toThrow(DataError);
  });

  it('rejects empty sets and bad batch sizes with DataErrors', () => {
    expect(() => createBatcher(tinySet(0), 4, 0)).toThrow(DataError);
    expect(() => createBatcher(tinySet(3), 0, 0)).toThrow(DataError);
    expect(() => createBatcher(tinySet(3), 1.5, 0)).toThrow(DataError);
  });
});
