/**
 * The compiler checks a graph against what its data holds, when it is told:
 * measured shape and classes replace the source's defaults, a data problem is
 * an error on the Dataset node, and the page's lookup says what a browser can
 * and cannot read.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import type { MeasuredData } from '../../src/graph/nodeApi';
import type { UploadSummary } from '../../src/graph/uploads';
import { pageDataLookup } from '../../src/store/uploads';
import { preset } from './helpers';

const withSource = (doc: GraphDocument, params: Record<string, unknown>): GraphDocument => ({
  ...doc,
  nodes: doc.nodes.map((n) => (n.type === 'dataset' ? { ...n, params: { ...n.params, ...params } } : n)),
});
const labelWidth = (r: ReturnType<typeof compile>) => Object.values(r.shapes).find((s) => s.outputs.y && !s.inputs.x)?.outputs.y;
const digits = (numClasses: number, shape = [28, 28, 1]): MeasuredData => ({ kind: 'image', shape, numClasses, count: 100, name: 'mine' });

describe('compiling against measured data', () => {
  const cvae = withSource(preset('cvae.json'), { source: 'idx', path: 'x' });

  it('the Label is as wide as the classes the data holds, not the 10 an IDX source assumes', () => {
    expect(labelWidth(compile(cvae, registry))).toEqual([-1, 10]);
    const five = compile(cvae, registry, { data: () => digits(5) });
    expect(five.errors).toEqual([]);
    expect(labelWidth(five)).toEqual([-1, 5]);
    expect(five.plan!.data).toMatchObject({ numClasses: 5, measured: { count: 100, name: 'mine' } });
  });

  it('unlabelled data makes a conditional graph an error on its Label node', () => {
    const r = compile(cvae, registry, { data: () => digits(0) });
    expect(r.plan).toBeNull();
    const label = cvae.nodes.find((n) => n.type === 'label')!.id;
    expect(r.errors).toContainEqual(expect.objectContaining({ nodeId: label, message: 'the dataset has no labels' }));
  });

  it('the data’s image size flows through the graph: a 32×32 set meets the decoder’s 784 outputs at the loss', () => {
    const r = compile(withSource(preset('vae.json'), { source: 'idx', path: 'x' }), registry, { data: () => digits(0, [32, 32, 1]) });
    expect(r.shapes.data.outputs.x).toEqual([-1, 32, 32, 1]);
    expect(r.errors.some((e) => e.code === 'shape' && /784/.test(e.message) && /1024/.test(e.message))).toBe(true);
  });

  it('a data problem is an error on the Dataset node, with its fix; shapes are still inferred', () => {
    const r = compile(preset('vae.json'), registry, {
      data: () => ({ problem: 'cannot read it', hint: 'pick it again', param: 'upload' }),
    });
    expect(r.plan).toBeNull();
    expect(r.errors).toEqual([
      { code: 'data-unavailable', nodeId: 'data', param: 'upload', message: 'cannot read it', hint: 'pick it again', severity: 'error' },
    ]);
    expect(r.shapes.data.outputs.x).toEqual([-1, 28, 28, 1]);
    expect(r.dataSpec).toMatchObject({ source: 'mnist' });
  });
});

describe('what the page can read', () => {
  const summary: UploadSummary = { ...digits(3), id: 'abc', format: 'images', files: 1, skipped: [], storedAt: 0 };
  const ready = pageDataLookup({ summaries: { abc: summary }, ready: true });

  it('paths are for the CLI; uploads are looked up; built-in sources need nothing', () => {
    expect(ready({ source: 'idx', path: '/data/x', binarize: 'none' })).toMatchObject({
      problem: expect.stringMatching(/only the CLI/),
      param: 'source',
    });
    expect(ready({ source: 'pngdir', path: 'd', binarize: 'none' })).toMatchObject({ param: 'source' });
    expect(ready({ source: 'upload', path: 'abc', binarize: 'none' })).toBe(summary);
    expect(ready({ source: 'upload', path: 'gone', binarize: 'none' })).toMatchObject({
      problem: expect.stringMatching(/not stored in this browser/),
    });
    expect(ready({ source: 'upload', binarize: 'none' })).toMatchObject({ problem: 'no files picked yet' });
    expect(ready({ source: 'mnist', binarize: 'none' })).toBeUndefined();
  });

  it('before the stored list is read, an upload is not called missing', () => {
    expect(pageDataLookup({ summaries: {}, ready: false })({ source: 'upload', path: 'abc', binarize: 'none' })).toBeUndefined();
  });

  it('the same list gives the same lookup (the page compiles once per document and list)', () => {
    const summaries = { abc: summary };
    expect(pageDataLookup({ summaries, ready: true })).toBe(pageDataLookup({ summaries, ready: true }));
  });
});
