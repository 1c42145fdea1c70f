import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDocumentValue } from '../../src/graph/load';
import { makePack } from '../../src/graph/presetPack';
import {
  addPack,
  decodePackHash,
  deleteMyPreset,
  encodePackHash,
  isPackHash,
  listMyPresets,
  listPacks,
  MAX_MY_PRESETS,
  memoryPresetsStorage,
  moved,
  moveMyPreset,
  removePack,
  renameMyPreset,
  saveMyPreset,
} from '../../src/store/myPresets';
import { decodeShareHash, encodeShareHash } from '../../src/store/share';
import { registry } from '../../nodes/index';

const json = (path: string): unknown => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const doc = (name: string) => {
  const r = loadDocumentValue(json(`../../presets/${name}.json`), name, registry);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
};
const vae = doc('vae');
const gan = doc('gan');
const ae = doc('ae');

describe('My presets', () => {
  it('saves, renames, reorders and deletes, keeping the order the user chose', async () => {
    const storage = memoryPresetsStorage();
    const a = await saveMyPreset(vae, '  ', storage);
    const b = await saveMyPreset(gan, ' My GAN ', storage);
    const c = await saveMyPreset(ae, 'AE', storage);
    const names = async () => (await listMyPresets(storage)).map((p) => p.name);
    expect(await names()).toEqual([vae.meta.title, 'My GAN', 'AE']);
    expect((await listMyPresets(storage))[1].doc).toEqual(gan);
    await renameMyPreset(b.id, 'GAN, week 2', storage);
    await renameMyPreset(a.id, '   ', storage);
    expect(await names()).toEqual([vae.meta.title, 'GAN, week 2', 'AE']);
    await moveMyPreset(c.id, -1, storage);
    expect(await names()).toEqual([vae.meta.title, 'AE', 'GAN, week 2']);
    await moveMyPreset(a.id, -1, storage);
    expect(await names()).toEqual([vae.meta.title, 'AE', 'GAN, week 2']);
    await deleteMyPreset(c.id, storage);
    expect(await names()).toEqual([vae.meta.title, 'GAN, week 2']);
  });

  it('lists a damaged record with its error (so it can be deleted) and migrates an old one', async () => {
    const storage = memoryPresetsStorage();
    storage.map.set('latent-lab:my-presets', [
      { id: 'old', name: 'Tiny', savedAt: 1, doc: json('../graph/fixtures/v1-tiny-ae.json') },
      { id: 'bad', name: 'Bad', savedAt: 2, doc: { schemaVersion: 2, nodes: 'no' } },
      'not a record',
    ]);
    const [old, bad, ...rest] = await listMyPresets(storage);
    expect(old.doc?.schemaVersion).toBe(2);
    expect(bad.doc).toBeNull();
    expect(bad.error).toMatch(/^my preset “Bad”: meta/);
    expect(rest).toEqual([]);
    storage.map.set('latent-lab:my-presets', { not: 'a list' });
    expect(await listMyPresets(storage)).toEqual([]);
  });

  it('refuses to save past the cap, saying what to do', async () => {
    const storage = memoryPresetsStorage();
    storage.map.set(
      'latent-lab:my-presets',
      Array.from({ length: MAX_MY_PRESETS }, (_, i) => ({ id: `p${i}`, name: 'x', savedAt: 0, doc: vae })),
    );
    await expect(saveMyPreset(gan, 'one more', storage)).rejects.toThrow(/at most 200 graphs; delete some first/);
  });

  it('moves an item within a list, clamped at both ends', () => {
    expect(moved(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moved(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moved(['a', 'b', 'c'], 1, 9)).toEqual(['a', 'c', 'b']);
    expect(moved(['a', 'b', 'c'], -1, 0)).toEqual(['a', 'b', 'c']);
  });
});

describe('imported packs', () => {
  const pack = makePack('Week 1', [
    { name: 'VAE', doc: vae },
    { name: 'GAN', doc: gan },
  ]);

  it('adds a pack once, lists it validated, and removes it', async () => {
    const storage = memoryPresetsStorage();
    const added = await addPack(pack, storage);
    expect(added.added).toBe(true);
    expect(await addPack(structuredClone(pack), storage)).toEqual({ added: false, reason: 'the pack “Week 1” is already in the gallery' });
    const list = await listPacks(storage);
    expect(list.map((p) => [p.title, p.pack])).toEqual([['Week 1', pack]]);
    await removePack(list[0].id, storage);
    expect(await listPacks(storage)).toEqual([]);
  });

  it('lists a stored pack that no longer loads with its title and error', async () => {
    const storage = memoryPresetsStorage();
    storage.map.set('latent-lab:packs', [
      { id: 'x', addedAt: 1, pack: { ...pack, presets: [{ name: 'VAE', doc: { schemaVersion: 99 } }] } },
    ]);
    const [broken] = await listPacks(storage);
    expect(broken.pack).toBeNull();
    expect(broken.title).toBe('Week 1');
    expect(broken.error).toMatch(/^imported pack \(pack “Week 1”\), preset 1 “VAE”: schemaVersion: the document is version 99/);
  });
});

describe('pack links', () => {
  it('round-trip a pack in the share links’ encoding, and leave share links as they were', () => {
    const pack = makePack('Week 1', [
      { name: 'VAE', doc: vae },
      { name: 'GAN', doc: gan },
    ]);
    const link = encodePackHash(pack);
    expect(link.ok && link.hash).toMatch(/^#pack=1\.[A-Za-z0-9_-]+$/);
    if (!link.ok) return;
    expect(isPackHash(link.hash)).toBe(true);
    expect(decodePackHash(link.hash)).toEqual({ ok: true, pack, migrated: [], droppedKeys: [] });
    const share = encodeShareHash(vae);
    expect(share.ok && decodeShareHash(share.hash)).toEqual({ ok: true, doc: vae });
  });

  it('say what is wrong with a damaged, foreign or oversized link', () => {
    expect(decodePackHash('#pack=1.%%%')).toMatchObject({ ok: false, error: { source: 'pack link', message: /damaged/ } });
    expect(decodePackHash('#pack=abc')).toMatchObject({ ok: false, error: { message: /damaged/ } });
    expect(decodePackHash(`#pack=${'a'.repeat(40_000)}`)).toMatchObject({ ok: false, error: { message: /longer than 32 kB/ } });
    const graph = encodeShareHash(vae);
    const asPack = graph.ok ? graph.hash.replace('#graph=', '#pack=') : '';
    expect(decodePackHash(asPack)).toMatchObject({ ok: false, error: { message: 'this is a single graph, not a preset pack' } });
  });

  it('refuse a pack too large for a link, pointing to the file', () => {
    // Pseudo-random text does not compress, so the link passes the cap.
    let seed = 7;
    const noise = (n: number) =>
      Array.from({ length: n }, () => String.fromCharCode(97 + ((seed = (seed * 16807) % 2147483647) % 26))).join('');
    const presets = Array.from({ length: 40 }, () => ({ name: noise(200), doc: vae }));
    const big = encodePackHash(makePack('Big', presets, noise(50_000)));
    expect(big.ok ? '' : big.message).toMatch(/kB link; links are capped at 32 kB .* Send the pack file instead/);
  });
});
