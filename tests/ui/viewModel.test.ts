/** The canvas view model keeps the objects of nodes that did not change, so a drag frame re-renders only the dragged node. */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import { toFlowNodes } from '../../src/ui/canvas/viewModel';
import { preset } from '../compiler/helpers';

describe('toFlowNodes', () => {
  it('returns the same object for every node a drag frame did not move, a new one for the dragged node', () => {
    const doc = preset('vae.json');
    const compiled = compile(doc, registry);
    const view = { selectedNodeIds: [], selectedEdgeIds: [], dragPositions: {}, measured: {} };
    const first = toFlowNodes(doc, compiled, view);
    const moved = doc.nodes[2].id;
    const frame = toFlowNodes(doc, compiled, { ...view, dragPositions: { [moved]: { x: 5, y: 6 } } });
    frame.forEach((n, i) => (n.id === moved ? expect(n).not.toBe(first[i]) : expect(n).toBe(first[i])));
    expect(frame[2].position).toEqual({ x: 5, y: 6 });
    // Selecting a node, or a new document node object, makes a new view object; nothing else does.
    const selectedFrame = toFlowNodes(doc, compiled, { ...view, selectedNodeIds: [doc.nodes[0].id] });
    expect(selectedFrame[0]).not.toBe(first[0]);
    expect(selectedFrame[0].selected).toBe(true);
    const edited = { ...doc, nodes: doc.nodes.map((n, i) => (i === 1 ? { ...n, label: 'renamed' } : n)) };
    const after = toFlowNodes(edited, compiled, view);
    expect(after[1]).not.toBe(first[1]);
    expect(after[1].data.node.label).toBe('renamed');
    expect(after[3]).toBe(first[3]);
  });
});
