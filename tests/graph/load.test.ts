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

  it('migrates each older fixture to its current-version pair', () => {
    const expected = loadDocumentText(fixture(`v${CURRENT_SCHEMA_VERSION}-tiny-ae.json`), 'current.json');
    expect(expected.ok && expected.migratedFrom).toBeUndefined();
    for (let v = 0; v < CURRENT_SCHEMA_VERSION; v++) {
      const r = loadDocumentText(fixture(`v${v}-tiny-ae.json`), `v${v}.json`);
      expect(r.ok, `v${v}`).toBe(true);
      if (r.ok) {
        expect(r.migratedFrom).toBe(v);
        expect(r.doc).toEqual(expected.ok && expected.doc);
      }
    }
  });

  it('loads every preset, saves it and loads it again to the same document', () => {
    for (const f of presetFiles) {
      const first = loadDocumentText(readFileSync(new URL(`../../presets/${f}`, import.meta.url), 'utf8'), f);
      expect(first.ok && first.droppedKeys, f).toBeUndefined();
      if (!first.ok) continue;
      expect(first.doc.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
      const again = loadDocumentText(JSON.stringify(first.doc), `${f} saved`);
      expect(again.ok && again.migratedFrom, f).toBeUndefined();
      expect(again.ok && again.doc, f).toEqual(first.doc);
    }
  });

  it('keeps locks, sticky notes, groups and the exercise of a version-2 document, and round-trips them', () => {
    const r = loadDocumentText(fixture('v2-exercise-tiny-ae.json'), 'exercise.json');
    expect(r.ok && r.droppedKeys).toBeUndefined();
    if (!r.ok) return;
    expect(r.doc.nodes[2].locked).toBe(true);
    expect(r.doc.nodes[3].lockedParams).toEqual(['units']);
    expect(r.doc.notes?.[0].text).toMatch(/bottleneck/);
    expect(r.doc.groups?.[0].title).toBe('Encoder');
    expect(r.doc.exercise?.tasks.map((t) => t.check.kind)).toEqual(['compiles', 'edge', 'param', 'metricBelow', 'question']);
    expect(r.doc.exercise?.solution?.edges.length).toBeGreaterThan(0);
    const again = loadDocumentText(JSON.stringify(r.doc), 'saved');
    expect(again.ok && again.doc).toEqual(r.doc);
  });

  it('names the path of a bad check, a too-long sticky note and an edge check without a node', () => {
    const base = () => JSON.parse(fixture('v2-exercise-tiny-ae.json'));
    const unknownKind = base();
    unknownKind.exercise.tasks[0].check = { kind: 'script', code: 'alert(1)' };
    const long = base();
    long.notes[0].text = 'x'.repeat(2_001);
    const noNode = base();
    noNode.exercise.tasks[1].check.from = { port: 'y' };
    const paths = [unknownKind, long, noNode].map((d) => {
      const r = loadDocumentValue(d, 'bad.json');
      return r.ok ? 'loaded' : r.error.path;
    });
    expect(paths).toEqual(['exercise.tasks[0].check.kind', 'notes[0].text', 'exercise.tasks[1].check.from']);
  });

  it('says which unknown keys it did not keep, instead of dropping them silently', () => {
    const doc = JSON.parse(readFileSync(new URL('../../presets/vae.json', import.meta.url), 'utf8'));
    doc.nodes[2].pinned = true;
    doc.glossary = { terms: [] };
    doc.exercise = { tasks: [{ id: 't', text: 'x', check: { kind: 'compiles', strict: true } }] };
    const loaded = loadDocumentText(JSON.stringify(doc), 'newer.json');
    expect(loaded.ok && loaded.droppedKeys).toEqual(['nodes[2].pinned', 'glossary', 'exercise.tasks[0].check.strict']);
    // Parameters are free-form: an unknown parameter is the compiler's to report, not dropped here.
    const plain = loadDocumentText(readFileSync(new URL('../../presets/vae.json', import.meta.url), 'utf8'), 'vae.json');
    expect(plain.ok && plain.droppedKeys).toBeUndefined();
  });
});
