/**
 * The "layers inside" table: a block's expansion, and a layer's inner network
 * (an affine coupling's net), each row reading the rows it names.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { emptyDocument } from '../../src/graph/document';
import { BATCH } from '../../src/graph/shape';
import { blockLayers } from '../../src/ui/overlays/blockLayers';

const doc = emptyDocument();
const node = (type: string, params: Record<string, unknown>) => ({ id: 'n', type, position: { x: 0, y: 0 }, params });

describe('blockLayers', () => {
  it('lists an affine coupling’s network from its hidden widths, with the shape after each step', () => {
    const { rows, error } = blockLayers(
      registry.affineCoupling,
      node('affineCoupling', { hidden: [32, 16] }),
      doc,
      { x: [BATCH, 2] },
      registry,
      null,
    );
    expect(error).toBeUndefined();
    expect(rows.map((r) => [r.id, r.title, r.inputs, r.outputs.out])).toEqual([
      ['mask', 'Mask', ['x'], [BATCH, 2]],
      ['hidden0', 'Dense', ['mask'], [BATCH, 32]],
      ['hidden1', 'Dense', ['hidden0'], [BATCH, 16]],
      ['out', 'Dense', ['hidden1'], [BATCH, 4]],
      ['s', 'Log-scale s', ['out'], [BATCH, 2]],
      ['t', 'Shift t', ['out'], [BATCH, 2]],
    ]);
    expect(rows[1].params).toEqual({ units: 32, activation: 'relu' });
  });

  it('still expands a block, and has nothing to list for a plain layer', () => {
    const encoder = blockLayers(registry.encoder, node('encoder', { hidden: [64], latent: 4 }), doc, { x: [BATCH, 784] }, registry, null);
    expect(encoder.rows.map((r) => r.id)).toEqual(['dense0', 'mean', 'logVar']);
    expect(blockLayers(registry.dense, node('dense', { units: 8 }), doc, { x: [BATCH, 4] }, registry, null).rows).toEqual([]);
  });
});
