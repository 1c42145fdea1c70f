/**
 * A preset pack: several graph documents, ordered and titled, in one JSON file
 * (or one `#pack=` link), so an instructor hands a class a whole week at once.
 * The envelope is checked here; every document inside goes through the one
 * load path (loadDocumentValue), so an old document migrates and a bad one is
 * refused exactly as it would be on its own, with the pack and the preset
 * named in front of its error. Like that path, this never throws.
 */
import { z } from 'zod';
import type { GraphDocument } from './document';
import { loadDocumentValue, MAX_NESTING, stripDangerousKeys, type LoadError } from './load';
import type { NodeTypeVersions } from './nodeMigrations';

export const PACK_FORMAT = 'latent-lab-pack';
export const PACK_VERSION = 1;
/** A class's worth of graphs; more is a mistake (or not a pack) and would be slow to list. */
export const MAX_PACK_PRESETS = 100;
/** Characters of pack text: 100 presets of ~50 kB each, with room to spare. */
export const MAX_PACK_CHARS = 8_000_000;

export interface PackPreset {
  name: string;
  doc: GraphDocument;
}
export interface PresetPack {
  format: typeof PACK_FORMAT;
  version: typeof PACK_VERSION;
  title: string;
  description?: string;
  presets: PackPreset[];
}

export type PackLoadResult =
  | {
      ok: true;
      pack: PresetPack;
      /** 1-based positions of presets that were upgraded from an older document version. */
      migrated: number[];
      /** Keys this version does not know, by JSON path from the pack's root: not kept, and said so. */
      droppedKeys: string[];
    }
  | { ok: false; error: LoadError };

const entrySchema = z.object({ name: z.string().trim().min(1).max(200), doc: z.unknown() });
const envelopeSchema = z.object({
  format: z.literal(PACK_FORMAT),
  version: z.literal(PACK_VERSION),
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).optional(),
  presets: z.array(z.unknown()).min(1).max(MAX_PACK_PRESETS),
});
const ENVELOPE_KEYS = new Set(Object.keys(envelopeSchema.shape));
const ENTRY_KEYS = new Set(Object.keys(entrySchema.shape));

export function makePack(title: string, presets: PackPreset[], description?: string): PresetPack {
  const pack: PresetPack = { format: PACK_FORMAT, version: PACK_VERSION, title: title.trim(), presets };
  if (description?.trim()) pack.description = description.trim();
  return pack;
}

export function packText(pack: PresetPack): string {
  return JSON.stringify(pack, null, 2) + '\n';
}

/** `week-3.pack.json` for the pack "Week 3": says what it is in a downloads folder. */
export function packFileName(pack: Pick<PresetPack, 'title'>): string {
  const slug =
    pack.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'presets';
  return `${slug}.pack.json`;
}

/** Whether parsed JSON means to be a pack (valid or not), as opposed to a single graph document. */
export function looksLikePack(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object') return false;
  const r = raw as Record<string, unknown>;
  return r.format === PACK_FORMAT || Array.isArray(r.presets);
}

/** `source` names where the text came from: a file name or "pack link". */
export function loadPackText(text: string, source: string, nodeTypes?: NodeTypeVersions): PackLoadResult {
  if (text.length > MAX_PACK_CHARS)
    return fail(source, {
      code: 'parse',
      message: `the pack is ${(text.length / 1e6).toFixed(1)} MB, more than the ${MAX_PACK_CHARS / 1e6} MB a pack may be`,
      hint: 'split it into smaller packs',
    });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(source, {
      code: 'parse',
      message: text.trim() ? `not valid JSON: ${(e as Error).message}` : 'the file is empty',
      hint: 'export the pack from Latent Lab again',
    });
  }
  return loadPackValue(raw, source, nodeTypes);
}

export function loadPackValue(raw: unknown, source: string, nodeTypes?: NodeTypeVersions): PackLoadResult {
  let value: unknown;
  try {
    value = stripDangerousKeys(raw);
  } catch {
    return fail(source, { code: 'too-deep', message: `arrays and objects are nested more than ${MAX_NESTING} levels deep` });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return fail(source, {
      code: 'not-object',
      message: 'a preset pack must be a JSON object',
      hint: 'export a pack from Latent Lab to see the format',
    });
  const top = value as Record<string, unknown>;
  if (top.format !== PACK_FORMAT) {
    const isGraph = 'schemaVersion' in top || 'nodes' in top;
    return fail(source, {
      code: 'schema',
      path: 'format',
      message: isGraph ? 'this is a single graph, not a preset pack' : `a preset pack says "format": "${PACK_FORMAT}"`,
      hint: isGraph ? 'open it with Import in the toolbar' : 'export a pack from Latent Lab to see the format',
    });
  }
  if (typeof top.version === 'number' && top.version > PACK_VERSION)
    return fail(source, {
      code: 'too-new',
      path: 'version',
      message: `the pack is version ${top.version}, newer than this Latent Lab reads (version ${PACK_VERSION})`,
      hint: 'update Latent Lab to open it',
    });
  const envelope = envelopeSchema.safeParse(top);
  const title = typeof top.title === 'string' && top.title.trim() ? top.title.trim() : null;
  const where = title ? `${source} (pack “${title}”)` : source;
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    const path = formatPath(issue.path);
    return fail(where, { code: 'schema', path, message: `${path || 'pack'}: ${issue.message}` });
  }
  const droppedKeys = Object.keys(top).filter((k) => !ENVELOPE_KEYS.has(k));
  const migrated: number[] = [];
  const presets: PackPreset[] = [];
  for (const [i, item] of envelope.data.presets.entries()) {
    const entry = entrySchema.safeParse(item);
    if (!entry.success) {
      const issue = entry.error.issues[0];
      const path = formatPath(['presets', i, ...issue.path]);
      return fail(`${where}, preset ${i + 1}`, { code: 'schema', path, message: `${path}: ${issue.message}` });
    }
    const { name, doc } = entry.data;
    if (item && typeof item === 'object')
      droppedKeys.push(
        ...Object.keys(item)
          .filter((k) => !ENTRY_KEYS.has(k))
          .map((k) => `presets[${i}].${k}`),
      );
    const loaded = loadDocumentValue(doc, `${where}, preset ${i + 1} “${name}”`, nodeTypes);
    if (!loaded.ok) return loaded;
    if (loaded.migratedFrom !== undefined) migrated.push(i + 1);
    droppedKeys.push(...(loaded.droppedKeys ?? []).map((k) => `presets[${i}].doc.${k}`));
    presets.push({ name, doc: loaded.doc });
  }
  return { ok: true, pack: makePack(envelope.data.title, presets, envelope.data.description), migrated, droppedKeys };
}

function fail(source: string, error: Omit<LoadError, 'source'>): PackLoadResult {
  return { ok: false, error: { source, ...error } };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
}
