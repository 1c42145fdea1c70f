/**
 * Every graph in presets/, loaded through the same path as files and links.
 * New preset files appear in the gallery without code changes. Also the
 * gallery's traffic with files: packs downloaded, and pack or graph files
 * picked or dropped, each read through its one load path.
 */
import { createStore, useStore } from 'zustand';
import type { GraphDocument } from '../graph/document';
import { formatLoadError, loadDocumentText, loadDocumentValue } from '../graph/load';
import { loadPackText, looksLikePack, packFileName, packText, type PackLoadResult, type PresetPack } from '../graph/presetPack';
import { editorStore } from '../store';
import { addPack, saveMyPreset } from '../store/myPresets';
import { registry } from '../../nodes/index';

export interface Preset {
  name: string;
  doc: GraphDocument;
}
export interface BrokenPreset {
  name: string;
  error: string;
}

const files = import.meta.glob('../../presets/*.json', { eager: true, import: 'default' }) as Record<string, unknown>;

export const presets: Preset[] = [];
export const brokenPresets: BrokenPreset[] = [];
for (const [path, raw] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
  const name = path.slice(path.lastIndexOf('/') + 1, -'.json'.length);
  const loaded = loadDocumentValue(raw, `preset ${name}.json`, registry);
  if (loaded.ok) presets.push({ name, doc: loaded.doc });
  else brokenPresets.push({ name, error: formatLoadError(loaded.error) });
}

/** The graph a first visit opens with. */
export const DEFAULT_PRESET = 'vae';

export function findPreset(name: string): Preset | undefined {
  return presets.find((p) => p.name === name);
}

/** A pack a `#pack=` link brought: shown in the gallery until the user adds it or says not now. */
export const packOffer = createStore<{ offer: Extract<PackLoadResult, { ok: true }> | null }>(() => ({ offer: null }));
export const usePackOffer = () => useStore(packOffer, (s) => s.offer);

/** What a successful read adds to its notice: upgraded presets and fields not kept, said, never silent. */
export function packNotes(loaded: Extract<PackLoadResult, { ok: true }>): string {
  const notes: string[] = [];
  if (loaded.migrated.length) notes.push(`preset ${loaded.migrated.join(', ')} upgraded from an older version`);
  if (loaded.droppedKeys.length) notes.push(`fields this Latent Lab does not know were not kept: ${loaded.droppedKeys.join(', ')}`);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

export function downloadPack(pack: PresetPack) {
  const url = URL.createObjectURL(new Blob([packText(pack)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = packFileName(pack);
  a.click();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Adds a read pack to the gallery and says so; false when it was not added. */
export async function addOfferedPack(loaded: Extract<PackLoadResult, { ok: true }>): Promise<boolean> {
  const notify = editorStore.getState().notify;
  try {
    const added = await addPack(loaded.pack);
    if (!added.added) {
      notify('warn', `Not added: ${added.reason}.`);
      return false;
    }
    notify('info', `Added the pack “${loaded.pack.title}” (${loaded.pack.presets.length} presets) to the gallery${packNotes(loaded)}.`);
    return true;
  } catch (e) {
    notify('error', `Could not store the pack in this browser: ${(e as Error)?.message || String(e)}`);
    return false;
  }
}

/**
 * Files picked or dropped on the gallery: a pack joins the gallery as its
 * own group, a single graph joins My presets. Bad files are reported one by
 * one; the open graph is never touched. Resolves once all are stored.
 */
export async function importGalleryFiles(files: File[]): Promise<void> {
  const notify = editorStore.getState().notify;
  for (const file of files) {
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      notify('error', `Could not read ${file.name}: ${(e as Error).message}`);
      continue;
    }
    let raw: unknown = null;
    try {
      raw = JSON.parse(text);
    } catch {
      // Not JSON: the pack reader below says where and why.
    }
    if (raw === null || looksLikePack(raw)) {
      const loaded = loadPackText(text, file.name, registry);
      if (loaded.ok) await addOfferedPack(loaded);
      else notify('error', `Could not import ${formatLoadError(loaded.error)}`);
      continue;
    }
    const graph = loadDocumentText(text, file.name, registry);
    if (!graph.ok) {
      notify('error', `Could not import ${formatLoadError(graph.error)}`);
      continue;
    }
    try {
      const saved = await saveMyPreset(graph.doc, graph.doc.meta.title);
      const dropped = graph.droppedKeys ? ` (fields this Latent Lab does not know were not kept: ${graph.droppedKeys.join(', ')})` : '';
      notify('info', `${file.name} is a single graph: added it to My presets as “${saved.name}”${dropped}.`);
    } catch (e) {
      notify('error', `Could not store ${file.name} in this browser: ${(e as Error)?.message || String(e)}`);
    }
  }
}
