/**
 * The block canvas's graph: the encoder's layers from the same rows the list
 * shows, placed by data flow, top to bottom (a branch side by side in one row), each read
 * an edge labelled with its shape, and the reads into a layer that cannot
 * work marked.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { emptyDocument } from '../../src/graph/document';
import { BATCH } from '../../src/graph/shape';
import { blockGraph } from '../../src/ui/block/blockGraph';
import { blockLayers, type LayerRow } from '../../src/ui/overlays/blockLayers';

const encoder = { id: 'enc', type: 'encoder', position: { x: 0, y: 0 }, params: { hidden: [64], latent: 4 } };

describe('blockGraph', () => {
  it('draws the encoder: input, a hidden layer, the μ and log σ² heads side by side, and both outputs', () => {
    const layers = blockLayers(registry.encoder, encoder, emptyDocument(), { x: [BATCH, 784] }, registry, null);
    const outputs = Object.entries(layers.outputs!).map(([port, from]) => ({ port, name: port, from }));
    const { nodes, edges } = blockGraph(layers.rows, [{ port: 'x', name: 'image', shape: [BATCH, 784] }], outputs, 128);
    const at = Object.fromEntries(nodes.map((n) => [n.id, n.position]));
    expect(at['in:x'].y).toBeLessThan(at.dense0.y);
    expect(at.dense0.y).toBeLessThan(at.mean.y);
    expect(at.mean.y).toBe(at.logVar.y);
    expect(at.mean.x).not.toBe(at.logVar.x);
    expect(at['out:mean'].y).toBeGreaterThan(at.mean.y);
    expect(nodes.find((n) => n.id === 'in:x')!.data).toMatchObject({ role: 'input', title: 'Input image', shape: '128×784' });
    expect(nodes.find((n) => n.id === 'mean')!.data).toMatchObject({ role: 'layer', index: 2, shape: '128×4' });
    expect(edges.map((e) => [e.source, e.target, e.label])).toEqual([
      ['in:x', 'dense0', '128×784'],
      ['dense0', 'mean', '128×64'],
      ['dense0', 'logVar', '128×64'],
      ['mean', 'out:mean', '128×4'],
      ['logVar', 'out:logVar', '128×4'],
    ]);
    expect(edges.every((e) => e.className === undefined)).toBe(true);
  });

  it('marks the reads into a layer whose shapes do not work, and shows its problem instead of a shape', () => {
    const rows: LayerRow[] = [
      { id: 'a', type: 'dense', title: 'Dense', params: {}, inputs: ['block.x'], outputs: { y: [BATCH, 8] } },
      { id: 'b', type: 'conv2d', title: 'Conv2D', params: {}, inputs: ['a.y'], outputs: {}, problem: 'needs an image, got 8 values' },
      { id: 'c', type: 'dense', title: 'Dense', params: {}, inputs: ['b.y'], outputs: {}, problem: 'waiting for its inputs' },
    ];
    const { nodes, edges } = blockGraph(rows, [{ port: 'x', name: 'x', shape: [BATCH, 4] }], [{ port: 'y', name: 'y', from: 'c.y' }], 16);
    expect(edges.find((e) => e.target === 'b')).toMatchObject({ className: 'block-edge-bad', label: '16×8' });
    // Waiting is the consequence, not the place of the problem.
    expect(edges.find((e) => e.target === 'c')!.className).toBeUndefined();
    expect(nodes.find((n) => n.id === 'b')!.data.problem).toBe('needs an image, got 8 values');
  });
});
