import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION } from '../../src/graph/document';
import { loadDocumentText, loadDocumentValue } from '../../src/graph/load';
import { migrations } from '../../src/graph/migrations';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const presetFiles = readdirSync(new URL('../../presets/', import.meta.url)).filter((f) => f.endsWith('.json'));

describe('load path', () => {
  it('loads every preset', () => {
    expect(presetFiles.length).toBeGreaterThan(0);
    for (const f of presetFiles) {
      const r = loadDocumentText(readFileSync(new URL(`../../presets/${f}`, import.meta.url), 'utf8'), f);
      expect(r.ok, f).toBe(true);
    }
  });

  it('gives a typed error, never an exception, for every byte-truncation of every preset', () => {
    for (const f of presetFiles) {
      const text = readFileSync(new URL(`../../presets/${f}`, import.meta.url), 'utf8');
      for (let cut = 0; cut < text.trimEnd().length; cut++) {
        const r = loadDocumentText(text.slice(0, cut), f);
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.source).toBe(f);
          expect(r.error.message.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('reports line and column of a parse error', () => {
    const r = loadDocumentText('{\n  "schemaVersion": 1,\n  "meta": {,\n}', 'broken.json');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('parse');
      expect(r.error.line).toBe(3);
      expect(r.error.column).toBeGreaterThan(1);
    }
  });

  it('loads a file that starts with a UTF-8 byte-order mark, and reports errors after it at the right place', () => {
    const text = fixture('v1-tiny-ae.json');
    const r = loadDocumentText('\uFEFF' + text, 'bom.json');
    expect(r.ok).toBe(true);
    const broken = loadDocumentText('\uFEFF{\n  "schemaVersion": 1,\n  "meta": {,\n}', 'bom-broken.json');
    expect(broken.ok).toBe(false);
    if (!broken.ok) {
      expect(broken.error.line).toBe(3);
      expect(broken.error.hint ?? '').not.toMatch(/cut off/);
    }
  });

  it('refuses JSON nested 200,000 levels deep with a typed error, not a RangeError', () => {
    const depth = 200_000;
    for (const text of ['['.repeat(depth) + ']'.repeat(depth), '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)]) {
      const r = loadDocumentText(text, 'deep.json');
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('too-deep');
        expect(r.error.source).toBe('deep.json');
        expect(r.error.line).toBe(1);
      }
    }
    // Brackets inside strings do not count.
    const ok = JSON.parse(fixture('v1-tiny-ae.json'));
    ok.meta.title = '[[[["\\'.repeat(30);
    expect(loadDocumentText(JSON.stringify(ok), 'brackets.json').ok).toBe(true);
    // An already-parsed value (autosave, share link) is checked too.
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const v = loadDocumentValue(deep, 'autosave');
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error.code).toBe('too-deep');
  });

  it('does not let __proto__ reach Object.prototype', () => {
    const text = fixture('v1-tiny-ae.json')
      .replace('"meta": {', '"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "meta": {')
      .replace('"params": {"source"', '"params": {"__proto__": {"polluted": true}, "source"');
    const r = loadDocumentText(text, 'evil.json');
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (r.ok) {
      expect(Object.hasOwn(r.doc, '__proto__')).toBe(false);
      expect(Object.getPrototypeOf(r.doc.nodes[0].params)).toBe(Object.prototype);
    }
  });

  it('refuses a document newer than the code', () => {
    const doc = JSON.parse(fixture('v1-tiny-ae.json'));
    doc.schemaVersion = CURRENT_SCHEMA_VERSION + 1;
    const r = loadDocumentValue(doc, 'future.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('too-new');
  });

  it('names the JSON path of a schema violation', () => {
    const doc = JSON.parse(fixture('v1-tiny-ae.json'));
    doc.nodes[2].position.x = 'left';
    const r = loadDocumentValue(doc, 'bad.json');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('schema');
      expect(r.error.path).toBe('nodes[2].position.x');
    }
  });

  it('has a migration for every version below the current one', () => {
    for (let v = 0; v < CURRENT_SCHEMA_VERSION; v++) expect(typeof migrations[v]).toBe('function');
  });

  it('migrates the version-0 fixture to its version-1 pair', () => {
    const r = loadDocumentText(fixture('v0-tiny-ae.json'), 'v0.json');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.migratedFrom).toBe(0);
      const expected = loadDocumentText(fixture('v1-tiny-ae.json'), 'v1.json');
      expect(expected.ok && r.doc).toEqual(expected.ok && expected.doc);
    }
  });

  it('says which unknown keys it did not keep, instead of dropping them silently', () => {
    const doc = JSON.parse(readFileSync(new URL('../../presets/vae.json', import.meta.url), 'utf8'));
    doc.nodes[2].locked = true;
    doc.exercise = { tasks: [] };
    const loaded = loadDocumentText(JSON.stringify(doc), 'newer.json');
    expect(loaded.ok && loaded.droppedKeys).toEqual(['nodes[2].locked', 'exercise']);
    // Parameters are free-form: an unknown parameter is the compiler's to report, not dropped here.
    const plain = loadDocumentText(readFileSync(new URL('../../presets/vae.json', import.meta.url), 'utf8'), 'vae.json');
    expect(plain.ok && plain.droppedKeys).toBeUndefined();
  });
});
