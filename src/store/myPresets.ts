/**
 * The gallery's own shelves in this browser: "My presets" (graphs saved from
 * the editor, in the order the user keeps them) and the packs imported from
 * files or links. Each shelf is one IndexedDB record, changed with
 * idb-keyval's `update` (one transaction), so two tabs saving at once both
 * land. Everything read back goes through the one load path again: a record
 * from an older version migrates, a damaged one is listed with its error so
 * it can be deleted, never crashes the gallery. Pack links (`#pack=`) use the
 * share links' encoding.
 */
import { get, update } from 'idb-keyval';
import type { GraphDocument } from '../graph/document';
import { formatLoadError, loadDocumentValue } from '../graph/load';
import { loadPackText, loadPackValue, packText, type PackLoadResult, type PresetPack } from '../graph/presetPack';
import { decodeLinkPayload, encodeLinkPayload, SHARE_LINK_CAP } from './share';
import { registry } from '../../nodes/index';

export interface PresetsStorage {
  get(key: string): Promise<unknown>;
  update(key: string, change: (old: unknown) => unknown): Promise<void>;
}
export const idbPresetsStorage: PresetsStorage = { get: (k) => get(k), update: (k, change) => update(k, change) };

/** A storage over a Map, for tests: values are cloned on the way in and out, as IndexedDB does. */
export function memoryPresetsStorage(): PresetsStorage & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async (k) => structuredClone(map.get(k)),
    update: async (k, change) => void map.set(k, structuredClone(change(structuredClone(map.get(k))))),
  };
}

const MY_PRESETS_KEY = 'latent-lab:my-presets';
const PACKS_KEY = 'latent-lab:packs';
/** Enough for a term of classes; past it the gallery would be a wall of cards. */
export const MAX_MY_PRESETS = 200;
export const MAX_PACKS = 50;

export interface MyPreset {
  id: string;
  name: string;
  savedAt: number;
  /** Null when the stored graph no longer loads; `error` says why. */
  doc: GraphDocument | null;
  error?: string;
}
export interface ImportedPack {
  id: string;
  addedAt: number;
  /** Null when the stored pack no longer loads; `error` says why and `title` is what could be read. */
  pack: PresetPack | null;
  title: string;
  error?: string;
}

interface StoredPreset {
  id: string;
  name: string;
  savedAt: number;
  doc: unknown;
}
interface StoredPack {
  id: string;
  addedAt: number;
  pack: unknown;
}

const newId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** The records of a shelf: anything that is not a list of records with an id (a damaged or foreign value) reads as empty. */
function records<T extends { id: string }>(value: unknown): T[] {
  return Array.isArray(value) ? value.filter((r): r is T => !!r && typeof r === 'object' && typeof (r as T).id === 'string') : [];
}

/** `list` with the item at `from` moved to `to` (clamped); the same list when nothing moves. */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const target = Math.max(0, Math.min(list.length - 1, to));
  if (from < 0 || from >= list.length || target === from) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(target, 0, item);
  return out;
}

export async function listMyPresets(storage: PresetsStorage = idbPresetsStorage): Promise<MyPreset[]> {
  return records<StoredPreset>(await storage.get(MY_PRESETS_KEY)).map((r) => {
    const name = typeof r.name === 'string' && r.name.trim() ? r.name : 'Untitled preset';
    const savedAt = typeof r.savedAt === 'number' ? r.savedAt : 0;
    const loaded = loadDocumentValue(r.doc, `my preset “${name}”`, registry);
    return loaded.ok
      ? { id: r.id, name, savedAt, doc: loaded.doc }
      : { id: r.id, name, savedAt, doc: null, error: formatLoadError(loaded.error) };
  });
}

/** Adds `doc` at the end of My presets; the name is trimmed and falls back to the graph's title. */
export async function saveMyPreset(doc: GraphDocument, name: string, storage: PresetsStorage = idbPresetsStorage): Promise<MyPreset> {
  const preset = { id: newId(), name: name.trim() || doc.meta.title.trim() || 'Untitled preset', savedAt: Date.now(), doc };
  let full = false;
  await storage.update(MY_PRESETS_KEY, (old) => {
    const list = records<StoredPreset>(old);
    full = list.length >= MAX_MY_PRESETS;
    return full ? old : [...list, preset];
  });
  if (full) throw new Error(`My presets holds at most ${MAX_MY_PRESETS} graphs; delete some first`);
  return preset;
}

export function renameMyPreset(id: string, name: string, storage: PresetsStorage = idbPresetsStorage): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) return Promise.resolve();
  return storage.update(MY_PRESETS_KEY, (old) => records<StoredPreset>(old).map((r) => (r.id === id ? { ...r, name: trimmed } : r)));
}

export function deleteMyPreset(id: string, storage: PresetsStorage = idbPresetsStorage): Promise<void> {
  return storage.update(MY_PRESETS_KEY, (old) => records<StoredPreset>(old).filter((r) => r.id !== id));
}

/** Moves the preset `id` by `delta` places (−1 earlier, +1 later). */
export function moveMyPreset(id: string, delta: number, storage: PresetsStorage = idbPresetsStorage): Promise<void> {
  return storage.update(MY_PRESETS_KEY, (old) => {
    const list = records<StoredPreset>(old);
    const from = list.findIndex((r) => r.id === id);
    return moved(list, from, from + delta);
  });
}

export async function listPacks(storage: PresetsStorage = idbPresetsStorage): Promise<ImportedPack[]> {
  return records<StoredPack>(await storage.get(PACKS_KEY)).map((r) => {
    const loaded = loadPackValue(r.pack, 'imported pack', registry);
    const addedAt = typeof r.addedAt === 'number' ? r.addedAt : 0;
    if (loaded.ok) return { id: r.id, addedAt, pack: loaded.pack, title: loaded.pack.title };
    const raw = r.pack as { title?: unknown } | null;
    const title = raw && typeof raw.title === 'string' && raw.title.trim() ? raw.title : 'Unreadable pack';
    return { id: r.id, addedAt, pack: null, title, error: formatLoadError(loaded.error) };
  });
}

/** Adds a validated pack to the gallery; one with the same contents already there is not added twice. */
export async function addPack(
  pack: PresetPack,
  storage: PresetsStorage = idbPresetsStorage,
): Promise<{ added: true; id: string } | { added: false; reason: string }> {
  const id = newId();
  const text = packText(pack);
  let refused: string | null = null;
  await storage.update(PACKS_KEY, (old) => {
    const list = records<StoredPack>(old);
    if (list.some((r) => r.pack && typeof r.pack === 'object' && packText(r.pack as PresetPack) === text))
      refused = `the pack “${pack.title}” is already in the gallery`;
    else if (list.length >= MAX_PACKS) refused = `the gallery holds at most ${MAX_PACKS} packs; remove one first`;
    return refused ? old : [...list, { id, addedAt: Date.now(), pack } satisfies StoredPack];
  });
  return refused ? { added: false, reason: refused } : { added: true, id };
}

export function removePack(id: string, storage: PresetsStorage = idbPresetsStorage): Promise<void> {
  return storage.update(PACKS_KEY, (old) => records<StoredPack>(old).filter((r) => r.id !== id));
}

export const PACK_PREFIX = '#pack=';

export function isPackHash(hash: string): boolean {
  return hash.startsWith(PACK_PREFIX);
}

/** A `#pack=` hash, or why not: past the share links' cap a link would be cut when pasted. */
export function encodePackHash(pack: PresetPack): { ok: true; hash: string } | { ok: false; message: string } {
  const hash = PACK_PREFIX + encodeLinkPayload(JSON.stringify(pack));
  if (hash.length > SHARE_LINK_CAP)
    return {
      ok: false,
      message: `This pack needs a ${Math.ceil(hash.length / 1000)} kB link; links are capped at ${SHARE_LINK_CAP / 1000} kB so they survive being pasted. Send the pack file instead.`,
    };
  return { ok: true, hash };
}

/** Decodes and validates exactly like a pack file. */
export function decodePackHash(hash: string): PackLoadResult {
  const source = 'pack link';
  if (hash.length > SHARE_LINK_CAP)
    return {
      ok: false,
      error: { code: 'parse', source, message: `the link is longer than ${SHARE_LINK_CAP / 1000} kB`, hint: 'ask for the pack file' },
    };
  const text = decodeLinkPayload(hash.slice(PACK_PREFIX.length));
  if (text === null)
    return {
      ok: false,
      error: { code: 'parse', source, message: 'the link is damaged and cannot be decoded', hint: 'copy the whole link again' },
    };
  return loadPackText(text, source, registry);
}
