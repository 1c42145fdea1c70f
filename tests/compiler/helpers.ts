import { readFileSync } from 'node:fs';
import type { GraphDocument } from '../../src/graph/document';
import { loadDocumentText } from '../../src/graph/load';

export function preset(name: string): GraphDocument {
  const r = loadDocumentText(readFileSync(new URL(`../../presets/${name}`, import.meta.url), 'utf8'), name);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

export function fixtureDoc(name: string): GraphDocument {
  const r = loadDocumentText(readFileSync(new URL(`../graph/fixtures/${name}`, import.meta.url), 'utf8'), name);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}
