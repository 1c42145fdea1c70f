/** Ports a node's parameters turn off: the compiler's error on an edge that uses one, and a parameter change that leaves one behind. */
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import { createEditorStore } from '../../src/store/editorStore';
import { preset } from './helpers';

const withEdge = (doc: GraphDocument, e: GraphDocument['edges'][number]): GraphDocument => ({ ...doc, edges: [...doc.edges, e] });

describe('inactive ports', () => {
  it('the AE preset (a deterministic Encoder) compiles without its mean and logVar', () => {
    const r = compile(preset('ae.json'), registry);
    expect(r.errors.filter((e) => e.severity === 'error')).toEqual([]);
    expect(Object.keys(r.shapes.enc.outputs)).toEqual(['z']);
  });

  it("an edge from a deterministic Encoder's mean is an error on that edge with the fix", () => {
    const doc = preset('ae.json');
    const kl = { id: 'kl', type: 'gaussianKl', position: { x: 0, y: 0 }, params: {} };
    const bad = withEdge(
      { ...doc, nodes: [...doc.nodes, kl] },
      { id: 'e-mean', source: 'enc', sourcePort: 'mean', target: 'kl', targetPort: 'mean' },
    );
    const errors = compile(bad, registry).errors;
    expect(errors).toContainEqual({
      code: 'inactive-port',
      edgeId: 'e-mean',
      nodeId: 'enc',
      port: 'mean',
      message: "this Encoder's output is deterministic: it has no mean output",
      hint: 'use z, or set output to gaussian',
      severity: 'error',
    });
    // The KL's mean counts as connected: only the edge's error explains it, not a second "not connected".
    expect(errors.filter((e) => e.nodeId === 'kl' && e.port === 'mean')).toEqual([]);
  });

  it('an edge into an input the parameters turn off is an error, and the node runs without it', () => {
    const gan = preset('gan.json');
    const bad = withEdge(gan, { id: 'e-real', source: 'dReal', sourcePort: 'logits', target: 'gLoss', targetPort: 'realLogits' });
    const r = compile(bad, registry);
    expect(r.errors.filter((e) => e.severity === 'error')).toEqual([
      {
        code: 'inactive-port',
        edgeId: 'e-real',
        nodeId: 'gLoss',
        port: 'realLogits',
        message: "this GAN loss's player is generator: it has no realLogits input",
        hint: 'delete this edge, or set player to discriminator',
        severity: 'error',
      },
    ]);
    expect(r.shapes.gLoss.inputs).toEqual({ fakeLogits: [-1, 1] });
  });

  it('switching the Encoder to gaussian keeps the edge from z and reports it', () => {
    const store = createEditorStore();
    store.getState().replaceDocument(preset('ae.json'));
    store.getState().setParam('enc', 'output', 'gaussian');
    const doc = store.getState().doc;
    expect(doc.edges.map((e) => e.id)).toContain('enc.z-dec.z');
    const r = compile(doc, registry);
    expect(r.plan).toBeNull();
    expect(r.errors).toContainEqual(
      expect.objectContaining({
        code: 'inactive-port',
        edgeId: 'enc.z-dec.z',
        nodeId: 'enc',
        port: 'z',
        hint: 'use mean or logVar, or set output to deterministic',
      }),
    );
    // Switching back makes the same document valid again.
    store.getState().setParam('enc', 'output', 'deterministic');
    expect(compile(store.getState().doc, registry).plan).not.toBeNull();
  });
});
