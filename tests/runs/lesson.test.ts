/** The families lesson's graphs: each 2-D preset takes the learner's data (source, drawn points, upload) but keeps its own batch size. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { emptyDocument, type GraphDocument } from '../../src/graph/document';
import { loadDocumentText } from '../../src/graph/load';
import { compile } from '../../src/compiler/compile';
import { FAMILIES_LESSON, lessonDocument, lessonRounds } from '../../src/runs/lesson';

function preset(name: string): GraphDocument {
  const r = loadDocumentText(readFileSync(`presets/${name}.json`, 'utf8'), name);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}
const datasetOf = (doc: GraphDocument) => doc.nodes.find((n) => registry[n.type]?.dataset)!;

describe('families lesson graphs', () => {
  it('every family takes drawn points from the open graph, keeps its own batch size and takes its seed', () => {
    const open = preset('gan-2d');
    const data = datasetOf(open);
    data.params = { ...data.params, source: 'drawn', drawnPoints: '0,0 1,1 -1,0.5', batchSize: 7 };
    open.meta.seed = 42;
    for (const f of FAMILIES_LESSON) {
      const base = preset(f.preset);
      const made = lessonDocument(base, registry, { from: open }, `${f.family} on drawn`);
      expect(made.ok).toBe(true);
      if (!made.ok) continue;
      const node = datasetOf(made.doc);
      expect(node.params.source).toBe('drawn');
      expect(node.params.drawnPoints).toBe('0,0 1,1 -1,0.5');
      expect(node.params.batchSize).toBe(datasetOf(base).params.batchSize);
      expect(made.doc.meta.seed).toBe(42);
      expect(made.doc.meta.title).toBe(`${f.family} on drawn`);
      // The preset itself is untouched.
      expect(datasetOf(base).params.source).not.toBe('drawn');
      expect(compile(made.doc, registry).errors).toEqual([]);
    }
  });

  it('a source name sets only the source', () => {
    const base = preset('flow-2d');
    const made = lessonDocument(base, registry, { source: 'spiral' });
    expect(made.ok && datasetOf(made.doc).params).toEqual({ ...datasetOf(base).params, source: 'spiral' });
    expect(made.ok && made.doc.meta.seed).toBe(base.meta.seed);
  });

  it('refuses, with the reason, a graph without a Dataset node', () => {
    const made = lessonDocument(preset('vae-2d-moons'), registry, { from: emptyDocument() });
    expect(made).toEqual({ ok: false, why: 'the open graph has no Dataset node to take the data from' });
    expect(lessonDocument(emptyDocument('bare'), registry, { source: 'ring' })).toEqual({
      ok: false,
      why: 'the preset “bare” has no Dataset node',
    });
  });

  it('scales rounds, never below one', () => {
    expect(FAMILIES_LESSON.map((f) => lessonRounds(f, 0.25))).toEqual([2500, 500, 7500, 1250]);
    expect(lessonRounds(FAMILIES_LESSON[1], 1e-9)).toBe(1);
  });
});
