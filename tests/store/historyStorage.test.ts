import { describe, expect, it } from 'vitest';
import { emptyDocument } from '../../src/graph/document';
import type { StoredCheckpoint } from '../../src/runtime/protocol';
import { memoryHistoryStorage, RunHistory } from '../../src/store/historyStorage';
import { estimateBytes, newRun, toThumbnail, type RunRecord } from '../../src/store/runHistory';

function record(id: string, now: number, graphId = 'g'): RunRecord {
  return newRun({
    id,
    graphId,
    familyId: graphId,
    doc: emptyDocument(),
    data: 'mnist',
    backend: 'cpu',
    now,
    namesOfGraph: [],
    coloursInFamily: [],
  });
}

function checkpoint(step: number, values: number): StoredCheckpoint {
  return {
    info: { step, savedAt: 0, backend: 'cpu' },
    docKey: 'k',
    state: { step, randomCounter: 0, tensors: { 'var:w': { shape: [values], data: new Float32Array(values) } } },
    batcher: { epoch: 0, cursor: 0, order: [] },
    batchSize: 8,
    learningRates: {},
  } as unknown as StoredCheckpoint;
}

const storedBytes = (map: Map<string, unknown>) => [...map.values()].reduce((s: number, v) => s + estimateBytes(v), 0);

describe('run history storage', () => {
  it('survives a reload: a new history over the same storage lists the runs, checkpoints and thumbnails', async () => {
    const storage = memoryHistoryStorage();
    const before = new RunHistory(storage);
    const r = { ...record('r1', 1), step: 30, curves: { steps: [10, 30], series: { loss: [2, 1] } } };
    const thumbs = [toThumbnail(30, 1, [2, 2, 1], new Float32Array([0, 0.5, 1, 0]))];
    expect((await before.put(r, { checkpoint: checkpoint(30, 100), thumbnails: thumbs })).ok).toBe(true);
    await before.rename('r1', 'hinge loss');

    const after = new RunHistory(storage);
    const [listed] = await after.list();
    expect(listed).toMatchObject({ id: 'r1', name: 'hinge loss', step: 30, checkpointStep: 30, thumbnailCount: 1 });
    expect(listed.curves).toEqual(r.curves);
    expect((await after.checkpoint('r1'))!.info.step).toBe(30);
    expect((await after.thumbnails('r1'))[0].pixels).toEqual(thumbs[0].pixels);
  });

  it('listing reads no checkpoint: runs and weights sit under their own keys', async () => {
    const storage = memoryHistoryStorage();
    const h = new RunHistory(storage);
    await h.put(record('r1', 1), { checkpoint: checkpoint(5, 1000) });
    const [listed] = await new RunHistory(storage).list();
    expect(estimateBytes(listed)).toBeLessThan(2000);
    expect(listed.bytes.checkpoint).toBeGreaterThanOrEqual(4000);
  });

  it('deleting a run frees its record, checkpoint and thumbnails', async () => {
    const storage = memoryHistoryStorage();
    const h = new RunHistory(storage);
    const thumbs = [toThumbnail(1, 1, [4], new Float32Array(4))];
    await h.put(record('keep', 1), { checkpoint: checkpoint(1, 10) });
    await h.put(record('gone', 2), { checkpoint: checkpoint(1, 50_000), thumbnails: thumbs });
    const keysBefore = storage.map.size;
    const bytesBefore = storedBytes(storage.map);
    const usedBefore = await h.usedBytes();

    await h.remove('gone');
    expect(storage.map.size).toBe(keysBefore - 3);
    expect(storedBytes(storage.map)).toBeLessThan(bytesBefore - 200_000);
    expect(await h.usedBytes()).toBeLessThan(usedBefore - 200_000);
    expect([...storage.map.keys()].some((k) => k.includes('gone'))).toBe(false);
    expect((await new RunHistory(storage).list()).map((r) => r.id)).toEqual(['keep']);
  });

  it('refuses a write past the cap, writes nothing, and names the oldest run to delete', async () => {
    const storage = memoryHistoryStorage();
    const h = new RunHistory(storage, 300_000);
    await h.put(record('old', 1), { checkpoint: checkpoint(1, 50_000) });
    await h.put(record('mid', 2), { checkpoint: checkpoint(1, 10_000) });
    const keys = storage.map.size;
    const verdict = await h.put(record('new', 3), { checkpoint: checkpoint(1, 40_000) });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.oldest.map((o) => o.id)).toEqual(['old']);
    expect(storage.map.size).toBe(keys);
    await h.remove('old');
    expect((await h.put(record('new', 3), { checkpoint: checkpoint(1, 40_000) })).ok).toBe(true);
  });

  it('skips records that are not runs', async () => {
    const storage = memoryHistoryStorage();
    storage.map.set('latent-lab:run:broken', { id: 3 });
    storage.map.set('latent-lab:graph:g', { doc: {} });
    expect(await new RunHistory(storage).list()).toEqual([]);
  });

  it('keeps a variant’s family: the original and every variant', async () => {
    const storage = memoryHistoryStorage();
    const h = new RunHistory(storage);
    expect(await h.familyOf('g')).toBe('g');
    await h.setFamily('v1', 'g');
    await h.setFamily('v2', 'g');
    expect(await h.familyOf('v2')).toBe('g');
    expect((await h.graphsInFamily('g')).sort()).toEqual(['g', 'v1', 'v2']);
  });
});
