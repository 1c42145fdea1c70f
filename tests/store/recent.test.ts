import { describe, expect, it } from 'vitest';
import ae from '../../presets/ae.json';
import vae from '../../presets/vae.json';
import { createEditorStore } from '../../src/store/editorStore';
import { startAutosave, storageKey, type Storage } from '../../src/store/autosave';
import { listRecent, removeRecent, savedAgo, type RecentStorage } from '../../src/store/recent';
import { loadDocumentValue } from '../../src/graph/load';
import { registry } from '../../nodes/index';

function memoryStorage(entries: [string, unknown][] = []): Storage & RecentStorage & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>(entries);
  return {
    data,
    get: async (k) => structuredClone(data.get(k)),
    set: async (k, v) => void data.set(k, structuredClone(v)),
    keys: async () => [...data.keys()],
    getMany: async (ks) => ks.map((k) => structuredClone(data.get(String(k)))),
    del: async (k) => void data.delete(String(k)),
  };
}

const saved = (doc: unknown, savedAt: number) => ({ doc, rev: 1, tabId: 't', savedAt });

describe('recent graphs', () => {
  it('lists saved graphs newest first with their titles and node counts', async () => {
    const storage = memoryStorage([
      [storageKey('old'), saved(vae, 1000)],
      [storageKey('new'), saved(ae, 3000)],
      [storageKey('mid'), saved({ ...vae, meta: { ...vae.meta, title: '  My VAE  ' } }, 2000)],
    ]);
    expect(await listRecent(storage)).toEqual([
      { graphId: 'new', title: 'Deep autoencoder', savedAt: 3000, nodeCount: ae.nodes.length },
      { graphId: 'mid', title: 'My VAE', savedAt: 2000, nodeCount: vae.nodes.length },
      { graphId: 'old', title: 'Variational autoencoder (VAE)', savedAt: 1000, nodeCount: vae.nodes.length },
    ]);
  });

  it('ignores other keys and corrupt records, and names an untitled graph', async () => {
    const storage = memoryStorage([
      ['latent-lab:checkpoint:abc', saved(vae, 9000)],
      ['latent-lab:theme', 'dark'],
      [storageKey('no-rev'), { doc: vae, tabId: 't', savedAt: 8000 }],
      [storageKey('no-time'), { doc: vae, rev: 1, tabId: 't' }],
      [storageKey('not-a-doc'), saved('garbage', 7000)],
      [storageKey('null'), null],
      [storageKey(''), saved(vae, 6000)],
      [storageKey('bare'), saved({ nodes: 'x' }, 5000)],
      [storageKey('ok'), saved(ae, 4000)],
    ]);
    expect(await listRecent(storage)).toEqual([
      { graphId: 'bare', title: 'Untitled graph', savedAt: 5000, nodeCount: 0 },
      { graphId: 'ok', title: 'Deep autoencoder', savedAt: 4000, nodeCount: ae.nodes.length },
    ]);
  });

  it('deletes one graph and leaves the others', async () => {
    const storage = memoryStorage([
      [storageKey('a'), saved(ae, 1)],
      [storageKey('b'), saved(vae, 2)],
      ['latent-lab:theme', 'dark'],
    ]);
    await removeRecent('b', storage);
    expect((await listRecent(storage)).map((g) => g.graphId)).toEqual(['a']);
    expect(storage.data.has('latent-lab:theme')).toBe(true);
  });

  it('lists what autosave writes, and a graph from a link before its first edit', async () => {
    const loaded = loadDocumentValue(ae, 'preset', registry);
    if (!loaded.ok) throw new Error('bad preset');
    const storage = memoryStorage();
    const store = createEditorStore(registry, loaded.doc);
    const saver = startAutosave({ store, graphId: 'linked', rev: 0, storage, tabId: 'a', unsaved: true });
    await saver.flush();
    const [g] = await listRecent(storage);
    expect(g).toMatchObject({ graphId: 'linked', title: 'Deep autoencoder', nodeCount: ae.nodes.length });
    expect(Date.now() - g!.savedAt).toBeLessThan(5000);
    saver.stop();
  });

  it('says how long ago in words', () => {
    const now = Date.UTC(2025, 0, 10, 12);
    expect(savedAgo(now - 20_000, now)).toBe('just now');
    expect(savedAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(savedAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(savedAgo(now - 30 * 3_600_000, now)).toBe('yesterday');
    expect(savedAgo(now - 4 * 86_400_000, now)).toBe('4 days ago');
    expect(savedAgo(now - 30 * 86_400_000, now)).toMatch(/^on /);
  });
});
