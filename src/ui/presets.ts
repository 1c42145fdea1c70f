/**
 * Every graph in presets/, loaded through the same path as files and links.
 * New preset files appear in the gallery without code changes.
 */
import type { GraphDocument } from '../graph/document';
import { formatLoadError, loadDocumentValue } from '../graph/load';
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
