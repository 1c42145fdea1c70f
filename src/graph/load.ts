/**
 * The one load path for every source (file, autosave, preset, share link, CLI):
 * parse → drop dangerous keys → migrate step by step → validate. It returns a
 * typed document or a typed error that says where; it never throws.
 */
import { CURRENT_SCHEMA_VERSION, documentSchema, type GraphDocument } from './document';
import { migrations, versionOf } from './migrations';
import { migrateNodeParams, type NodeTypeVersions } from './nodeMigrations';

export type LoadErrorCode = 'parse' | 'too-deep' | 'not-object' | 'no-version' | 'too-new' | 'migration' | 'schema';
export interface LoadError {
  code: LoadErrorCode;
  /** Where: a source name (file, "preset vae.json", "share link"). */
  source: string;
  /** JSON path to the bad value, e.g. `nodes[3].position.x`. */
  path?: string;
  line?: number;
  column?: number;
  message: string;
  hint?: string;
}
export type LoadResult =
  | {
      ok: true;
      doc: GraphDocument;
      migratedFrom?: number;
      /** Keys this version does not know (e.g. a newer editor's fields), by JSON path: not kept, and said so, never silently. */
      droppedKeys?: string[];
    }
  | { ok: false; error: LoadError };

const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * How deeply arrays and objects may nest. A graph document needs about 6
 * levels; 200,000 would overflow the stack of every recursive step after parsing.
 */
export const MAX_NESTING = 64;

class TooDeep extends Error {}

/** A deep copy without keys that could reach Object.prototype when the document is used later. */
export function stripDangerousKeys(value: unknown, depth = 0): unknown {
  if (depth > MAX_NESTING && value && typeof value === 'object') throw new TooDeep();
  if (Array.isArray(value)) return value.map((v) => stripDangerousKeys(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!DANGEROUS_KEYS.has(k)) out[k] = stripDangerousKeys(v, depth + 1);
    return out;
  }
  return value;
}

/** The offset of the first bracket nested deeper than MAX_NESTING (outside strings), or -1. */
function tooDeepAt(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_NESTING) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

const tooDeep = (): Omit<LoadError, 'source'> => ({
  code: 'too-deep',
  message: `arrays and objects are nested more than ${MAX_NESTING} levels deep; a graph document needs far fewer`,
  hint: 'this is not a Latent Lab graph; export one from Latent Lab to see the format',
});

/**
 * `nodeTypes` (the node registry) upgrades each node's parameters to its
 * type's current version; every product path passes it.
 */
export function loadDocumentText(text: string, source: string, nodeTypes?: NodeTypeVersions): LoadResult {
  // Editors on Windows may save a byte-order mark, which JSON.parse refuses.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const deep = tooDeepAt(text);
  if (deep >= 0) {
    const { line, column } = lineAndColumn(text, deep);
    return { ok: false, error: { source, line, column, ...tooDeep() } };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: parseError(text, source, e as Error) };
  }
  return loadDocumentValue(raw, source, nodeTypes);
}

export function loadDocumentValue(raw: unknown, source: string, nodeTypes?: NodeTypeVersions): LoadResult {
  const fail = (error: Omit<LoadError, 'source'>): LoadResult => ({ ok: false, error: { source, ...error } });
  let value: unknown;
  try {
    value = stripDangerousKeys(raw);
  } catch (e) {
    if (e instanceof TooDeep) return fail(tooDeep());
    throw e;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return fail({
      code: 'not-object',
      message: 'a graph document must be a JSON object',
      hint: 'export a graph from Latent Lab to see the format',
    });
  let doc = value as Record<string, unknown>;
  const version = versionOf(doc);
  if (version === null)
    return fail({
      code: 'no-version',
      path: 'schemaVersion',
      message: 'the document has no schemaVersion',
      hint: `add "schemaVersion": ${CURRENT_SCHEMA_VERSION}`,
    });
  if (version > CURRENT_SCHEMA_VERSION)
    return fail({
      code: 'too-new',
      path: 'schemaVersion',
      message: `the document is version ${version}, newer than this Latent Lab (version ${CURRENT_SCHEMA_VERSION})`,
      hint: 'update Latent Lab to open it',
    });
  for (let v = version; v < CURRENT_SCHEMA_VERSION; v++) {
    try {
      doc = migrations[v](doc);
    } catch (e) {
      return fail({ code: 'migration', message: `upgrading from version ${v} to ${v + 1} failed: ${(e as Error).message}` });
    }
  }
  const parsed = documentSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail({ code: 'schema', path: formatPath(issue.path), message: `${formatPath(issue.path) || 'document'}: ${issue.message}` });
  }
  const migrated = nodeTypes ? migrateNodeParams(parsed.data, nodeTypes) : { ok: true as const, doc: parsed.data };
  if (!migrated.ok) return fail(migrated.error);
  const dropped = droppedKeys(doc, parsed.data);
  return {
    ok: true,
    doc: migrated.doc,
    ...(version < CURRENT_SCHEMA_VERSION ? { migratedFrom: version } : {}),
    ...(dropped.length ? { droppedKeys: dropped } : {}),
  };
}

const MAX_DROPPED_LISTED = 20;

/** JSON paths of keys in `raw` that the schema did not keep in `kept`. */
function droppedKeys(raw: unknown, kept: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= MAX_DROPPED_LISTED || !raw || typeof raw !== 'object' || !kept || typeof kept !== 'object') return out;
  if (Array.isArray(raw)) {
    if (Array.isArray(kept)) raw.forEach((v, i) => droppedKeys(v, kept[i], `${path}[${i}]`, out));
    return out;
  }
  const keptObject = kept as Record<string, unknown>;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const at = path ? `${path}.${k}` : k;
    if (!Object.hasOwn(keptObject, k)) {
      if (out.length < MAX_DROPPED_LISTED) out.push(at);
    } else droppedKeys(v, keptObject[k], at, out);
  }
  return out;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
}

/** JSON.parse messages differ by engine; find the position ourselves so we can give line and column. */
function parseError(text: string, source: string, e: Error): LoadError {
  const m = /position (\d+)/.exec(e.message);
  let offset = m ? Number(m[1]) : text.length;
  if (/Unexpected end|unterminated|end of (JSON )?input/i.test(e.message)) offset = text.length;
  const { line, column } = lineAndColumn(text, offset);
  const empty = text.trim() === '';
  return {
    code: 'parse',
    source,
    line,
    column,
    message: empty ? 'the file is empty' : `not valid JSON at line ${line}, column ${column}: ${e.message}`,
    hint: offset >= text.length ? 'the file looks cut off; save or download it again' : undefined,
  };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

export function formatLoadError(e: LoadError): string {
  // A schema message already starts with its path (the CLI prints the message alone); say it once.
  const path = e.path && !e.message.startsWith(e.path) ? e.path : '';
  const where = [e.source, e.line !== undefined ? `line ${e.line}, column ${e.column}` : '', path].filter(Boolean).join(': ');
  return `${where}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
}
