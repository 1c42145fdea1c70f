import { describe, expect, it } from 'vitest';
import vae from '../../presets/vae.json';
import { loadDocumentValue } from '../../src/graph/load';
import { createEditorStore } from '../../src/store/editorStore';
import { loadSaved, startAutosave, storageKey, type Storage } from '../../src/store/autosave';
import { registry } from '../../nodes/index';

const doc = (() => {
  const r = loadDocumentValue(vae, 'preset');
  if (!r.ok) throw new Error('bad preset');
  return r.doc;
})();

function memoryStorage(): Storage & { data: Map<string, unknown>; failing: boolean } {
  const data = new Map<string, unknown>();
  const s = {
    data,
    failing: false,
    get: async (k: string) => structuredClone(data.get(k)),
    set: async (k: string, v: unknown) => {
      if (s.failing) throw new Error('quota exceeded');
      data.set(k, structuredClone(v));
    },
  };
  return s;
}

describe('autosave', () => {
  it('saves within a second of a change and restores the same document', async () => {
    const storage = memoryStorage();
    const store = createEditorStore(registry, doc);
    const saver = startAutosave({ store, graphId: 'g', rev: 0, storage, tabId: 'a' });
    store.getState().setParam('enc', 'units', 128);
    expect(store.getState().saveStatus).toBe('saving');
    await new Promise((r) => setTimeout(r, 1000));
    expect(store.getState().saveStatus).toBe('saved');
    const restored = await loadSaved(storage, 'g');
    expect(restored?.result.ok && restored.result.doc).toEqual(store.getState().doc);
    saver.stop();
  });

  it('shows "not saved" when storage fails', async () => {
    const storage = memoryStorage();
    storage.failing = true;
    const store = createEditorStore(registry, doc);
    const saver = startAutosave({ store, graphId: 'g', rev: 0, storage, tabId: 'a' });
    store.getState().setParam('enc', 'units', 128);
    await saver.flush();
    expect(store.getState().saveStatus).toBe('failed');
    expect(store.getState().saveError).toMatch(/quota/);
    saver.stop();
  });

  it('never silently overwrites a newer save from another tab', async () => {
    const storage = memoryStorage();
    const a = createEditorStore(registry, doc);
    const b = createEditorStore(registry, doc);
    const saveA = startAutosave({ store: a, graphId: 'g', rev: 0, storage, tabId: 'a' });
    const saveB = startAutosave({ store: b, graphId: 'g', rev: 0, storage, tabId: 'b' });
    a.getState().setParam('enc', 'units', 100);
    await saveA.flush();
    b.getState().setParam('enc', 'units', 200);
    await saveB.flush();
    expect(b.getState().conflict).toBe(true);
    expect((storage.data.get(storageKey('g')) as { doc: typeof doc }).doc.nodes.find((n) => n.id === 'enc')!.params.units).toBe(100);
    await saveB.keepMine();
    expect((storage.data.get(storageKey('g')) as { doc: typeof doc }).doc.nodes.find((n) => n.id === 'enc')!.params.units).toBe(200);
    expect(b.getState().conflict).toBe(false);
    saveA.stop();
    saveB.stop();
  });
});
