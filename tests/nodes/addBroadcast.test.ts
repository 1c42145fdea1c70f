/** Add repeats a size-1 axis of b across a (a class bias at every pixel), and refuses anything else. */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { LayerNodeDef } from '../../src/graph/nodeApi';
import { BATCH } from '../../src/graph/shape';
import { preset } from '../compiler/helpers';
import { buildLayer, callContext, paramsFor, tf } from './harness';

const add = registry.add as LayerNodeDef;
const ctx = { data: null };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('add with broadcasting', () => {
  it('accepts equal shapes and a b of size 1 along any axis but the batch; refuses other sizes and ranks', () => {
    const p = paramsFor(add);
    expect(add.inferShapes({ a: [BATCH, 28, 28, 64], b: [BATCH, 1, 1, 64] }, p, ctx)).toEqual({ y: [BATCH, 28, 28, 64] });
    expect(add.inferShapes({ a: [BATCH, 4, 4, 2], b: [BATCH, 4, 4, 2] }, p, ctx)).toEqual({ y: [BATCH, 4, 4, 2] });
    for (const b of [
      [BATCH, 2, 1, 64],
      [BATCH, 64],
      [BATCH, 1, 1, 32],
    ]) {
      const r = add.inferShapes({ a: [BATCH, 28, 28, 64], b }, p, ctx) as { failure?: { message: string; hint?: string } };
      expect(r.failure?.message).toMatch(/size 1 where it differs/);
      expect(r.failure?.hint).toMatch(/1×1×channels/);
    }
  });

  it('adds b at every pixel', () => {
    const { built } = buildLayer(add, paramsFor(add), { a: [2, 2, 2, 3], b: [2, 1, 1, 3] });
    const a = tf.zeros([2, 2, 2, 3]);
    const b = tf.tensor4d([1, 2, 3, 4, 5, 6], [2, 1, 1, 3]);
    const y = built.forward({ a, b }, callContext({ batchSize: 2 })).y;
    expect(Array.from(y.dataSync().slice(0, 6))).toEqual([1, 2, 3, 1, 2, 3]);
    expect(Array.from(y.dataSync().slice(12, 15))).toEqual([4, 5, 6]);
  });

  it('a class bias keeps a conditional PixelCNN’s sampling window: it still depends on 8 rows above', () => {
    const doc = preset('pixelcnn-cond.json');
    // Without the class maps (the first layer's and the logits'): class biases alone.
    const firstMap = doc.nodes.find((n) => n.id === 'c0')!;
    firstMap.params = { ...firstMap.params, units: 64 };
    const firstMapShape = doc.nodes.find((n) => n.id === 'c0s')!;
    firstMapShape.params = { ...firstMapShape.params, shape: [1, 1, 64] };
    doc.nodes = doc.nodes.filter((n) => !['cmap', 'cmaps', 'hc'].includes(n.id));
    doc.edges = doc.edges.filter((e) => ![e.source, e.target].some((id) => ['cmap', 'cmaps', 'hc'].includes(id)));
    doc.edges.push({ id: 'head-nll', source: 'head', sourcePort: 'y', target: 'nll', targetPort: 'prediction' });
    const plan = compile(doc, registry).plan!;
    expect(plan.modes.generate).toMatchObject({ autoregressive: true, conditional: true, rowsAbove: 8 });
  });

  it('a class map (a whole plane off the data’s path) keeps the pixel cache, not the band of rows', () => {
    const g = compile(preset('pixelcnn-cond.json'), registry).plan!.modes.generate!;
    expect(g.rowsAbove).toBeNull();
    expect(g.pixelCache?.constants.map((r) => r.node)).toEqual(expect.arrayContaining(['c0s', 'cmaps']));
  });
});
