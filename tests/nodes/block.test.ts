/**
 * The learner's own Block: one Dense layer until it has a definition, ports by
 * its input and output counts, and a clear compile error (never a throw) when
 * a definition reads an input nobody connected.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { emptyDocument, type GraphDocument } from '../../src/graph/document';
import { activePortsOf } from '../../src/graph/ports';
import { BATCH } from '../../src/graph/shape';

describe('block node', () => {
  const def = registry.block;

  it('starts as one Dense layer and has the ports its counts give it', () => {
    if (def.kind !== 'block') throw new Error('block is a block');
    expect(def.expand({ inputs: 1, outputs: 1 }, { x: [BATCH, 4] }).nodes).toEqual([
      { id: 'dense', type: 'dense', params: { units: 64, activation: 'relu' } },
    ]);
    expect(() => def.expand({ inputs: 2, outputs: 1 }, { x: [BATCH, 4] })).toThrow(/open it and add them/);
    expect(activePortsOf(def, { inputs: 2, outputs: 3 })).toEqual({ inputs: ['x', 'x2'], outputs: ['y', 'y2', 'y3'] });
  });

  it('reports a definition that reads an unconnected input on the block', () => {
    const doc: GraphDocument = {
      ...emptyDocument(),
      nodes: [
        { id: 'data', type: 'dataset', position: { x: 0, y: 0 }, params: { source: 'moons' } },
        { id: 'b', type: 'block', position: { x: 200, y: 0 }, params: { inputs: 2 }, block: 'mine' },
      ],
      edges: [{ id: 'e', source: 'data', sourcePort: 'x', target: 'b', targetPort: 'x' }],
      blocks: [
        {
          id: 'mine',
          title: 'Mine',
          nodes: [{ id: 'join', type: 'concat', params: {} }],
          edges: [],
          inputs: { x: [{ node: 'join', port: 'a' }], x2: [{ node: 'join', port: 'b' }] },
          outputs: { y: { node: 'join', port: 'y' } },
        },
      ],
    };
    const error = compile(doc, registry).errors.find((e) => e.nodeId === 'b');
    expect(error?.message).toMatch(/read its input x2, which is not connected; connect x2/);
  });
});
