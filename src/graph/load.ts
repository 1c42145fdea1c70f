/**
 * The one load path for every source (file, autosave, preset, share link, CLI):
 * parse → drop dangerous keys → migrate step by step → validate. It returns a
 * typed document or a typed error that says where; it never throws.
 */
import { CURRENT_SCHEMA_VERSION, documentSchema, type GraphDocument } from './document';
import { migrations, versionOf } from './migrations';
import { migrateNodeParams, type NodeTypeVersions } from './nodeMigrations';

export type LoadErrorCode = 'parse' | 'not-object' | 'no-version' | 'too-new' | 'migration' | 'schema';
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
export type LoadResult = { ok: true; doc: GraphDocument; migratedFrom?: number } | { ok: false; error: LoadError };

const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A deep copy without keys that could reach Object.prototype when the document is used later. */
export function stripDangerousKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDangerousKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!DANGEROUS_KEYS.has(k)) out[k] = stripDangerousKeys(v);
    return out;
  }
  return value;
}

/**
 * `nodeTypes` (the node registry) upgrades each node's parameters to its
 * type's current version; every product path passes it.
 */
export function loadDocumentText(text: string, source: string, nodeTypes?: NodeTypeVersions): LoadResult {
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
  const value = stripDangerousKeys(raw);
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
  return { ok: true, doc: migrated.doc, ...(version < CURRENT_SCHEMA_VERSION ? { migratedFrom: version } : {}) };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
}

/** JSON.parse messages differ by engine; find the position ourselves so we can give line and column. */
function parseError(text: string, source: string, e: Error): LoadError {
  const m = /position (\d+)/.exec(e.message);
  let offset = m ? Number(m[1]) : text.length;
  if (/Unexpected end|unterminated|end of (JSON )?input/i.test(e.message)) offset = text.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
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

export function formatLoadError(e: LoadError): string {
  const where = [e.source, e.line !== undefined ? `line ${e.line}, column ${e.column}` : '', e.path ?? ''].filter(Boolean).join(': ');
  return `${where}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
}
