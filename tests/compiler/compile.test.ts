import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import { fixtureDoc, preset } from './helpers';

const codes = (doc: GraphDocument) => compile(doc, registry).errors.map((e) => e.code);
const edit = (doc: GraphDocument, f: (d: GraphDocument) => void) => {
  const copy = structuredClone(doc);
  f(copy);
  return copy;
};

describe('compile', () => {
  it('compiles the VAE preset into a plan with every mode', () => {
    const r = compile(preset('vae.json'), registry);
    expect(r.errors).toEqual([]);
    expect(r.shapes.logits.outputs.y).toEqual([-1, 784]);
    expect(r.shapes.z.outputs.z).toEqual([-1, 20]);
    const modes = r.plan!.modes;
    expect(modes.train).toBe(true);
    expect(modes.generate).toMatchObject({ output: { node: 'logits', port: 'y' }, transform: 'sigmoid', autoregressive: false });
    expect(modes.reconstruct?.output).toEqual({ node: 'logits', port: 'y' });
    expect(modes.encode).toMatchObject({ latent: { node: 'mu', port: 'y' }, latentSize: 20 });
    expect(modes.evaluate?.kind).toBe('elbo');
    // 784·512+512 + 2·(512·20+20) + 20·512+512 + 512·784+784
    expect(r.plan!.paramCount).toBe(784 * 512 + 512 + 2 * (512 * 20 + 20) + 20 * 512 + 512 + 512 * 784 + 784);
    expect(r.trainedBy.adam.sort()).toEqual(['dec', 'enc', 'logits', 'logvar', 'mu']);
  });

  it("derives the facts the runtime needs from the nodes' capabilities, not from names", () => {
    const vae = compile(preset('vae.json'), registry).plan!;
    expect(vae.posterior).toEqual({ z: { node: 'z', port: 'z' }, mean: { node: 'mu', port: 'y' }, logVar: { node: 'logvar', port: 'y' } });
    expect(vae.lossOutputs).toEqual({
      recon: { node: 'recon', port: 'loss' },
      kl: { node: 'kl', port: 'loss' },
      elbo: { node: 'elbo', port: 'loss' },
    });
    expect(vae.dataSpec).toEqual({ source: 'mnist', binarize: 'none' });
    expect(vae.optimizers[0]).toMatchObject({ learningRate: 1e-3, stepsPerRound: 1 });
    expect(vae.modes.decode).toMatchObject({ latent: { node: 'z', port: 'z' }, latentSize: 20, mode: 'generate' });
    expect(vae.modes.evaluate?.bernoulli?.logits).toEqual({ node: 'logits', port: 'y' });
    expect(vae.critic).toBeNull();
    expect(vae.previewable).toContain('mu');
    expect(vae.previewable).not.toContain('adam');

    const gan = compile(preset('gan.json'), registry).plan!;
    expect(gan.posterior).toBeNull();
    // A plain autoencoder decodes a code on its way to the reconstruction; it has no prior to generate from.
    const ae = compile(preset('ae.json'), registry).plan!;
    expect(ae.modes.generate).toBeNull();
    expect(ae.modes.decode).toMatchObject({ latentSize: 32, mode: 'reconstruct', output: ae.modes.reconstruct!.output });
    expect(ae.modes.decode!.latent).toEqual(ae.modes.encode!.latent);
    // A GAN decodes its noise (the 2-D playground's manifold), though it has no encoder.
    expect(gan.modes.decode).toMatchObject({ latent: { node: 'noise' }, latentSize: 64, mode: 'generate' });
    expect(gan.critic?.node.startsWith('dReal/')).toBe(true);
    expect(gan.optimizers.map((o) => o.learningRate)).toEqual([2e-4, 2e-4]);
    expect(gan.modes.evaluate).toBeNull();
  });

  it('a μ / log σ² size mismatch at the KL names both shapes and the fix: the same number of units', () => {
    const vae = edit(preset('vae.json'), (d) => {
      d.nodes.find((n) => n.id === 'logvar')!.params.units = 10;
    });
    const kl = compile(vae, registry).errors.find((e) => e.nodeId === 'kl')!;
    expect(kl.message).toBe('μ is B×20 but log σ² is B×10');
    expect(kl.hint).toMatch(/same number of units/);
  });

  it('gives a model key that follows the model, not the layout or the title', () => {
    const vae = preset('vae.json');
    const key = compile(vae, registry).plan!.modelKey;
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    const moved = edit(vae, (d) => {
      d.nodes[0].position.x += 50;
      d.meta.title = 'renamed';
      d.nodes[1].label = 'a label';
    });
    expect(compile(moved, registry).plan!.modelKey).toBe(key);
    const changed = edit(vae, (d) => {
      d.nodes.find((n) => n.id === 'enc')!.params.units = 256;
    });
    expect(compile(changed, registry).plan!.modelKey).not.toBe(key);
    expect(
      compile(
        edit(vae, (d) => (d.meta.seed = 9)),
        registry,
      ).plan!.modelKey,
    ).not.toBe(key);
  });

  it('knows how many rows above a pixel a PixelCNN reads, and when it cannot tell', () => {
    const pixel = preset('pixelcnn.json');
    // mask A 7×7 (3 rows) + five mask B 3×3 (1 row each) + a 1×1 head
    expect(compile(pixel, registry).plan!.modes.generate).toMatchObject({ autoregressive: true, rowsAbove: 8 });
    const wider = edit(pixel, (d) => {
      d.nodes.find((n) => n.id === 'b2')!.params.kernelSize = 5;
    });
    expect(compile(wider, registry).plan!.modes.generate?.rowsAbove).toBe(9);
    // A plain 3×3 head also reads the row below: whole images again.
    const plainHead = edit(pixel, (d) => {
      d.nodes.find((n) => n.id === 'head')!.params.kernelSize = 3;
    });
    expect(compile(plainHead, registry).plan!.modes.generate?.rowsAbove).toBeNull();
    expect(compile(preset('vae.json'), registry).plan!.modes.generate?.rowsAbove).toBeNull();
  });

  it('names the nodes of a cycle', () => {
    const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) =>
      d.edges.push({ id: 'back', source: 'dec', sourcePort: 'y', target: 'enc', targetPort: 'x' }),
    );
    // enc.x now has two edges; drop the original so the loop is the only problem.
    doc.edges = doc.edges.filter((e) => e.id !== 'e1');
    const errors = compile(doc, registry).errors.filter((e) => e.code === 'cycle');
    expect(errors.map((e) => e.nodeId).sort()).toEqual(['dec', 'enc']);
    expect(errors[0].message).toMatch(/enc → dec → enc|dec → enc → dec/);
  });

  it('reports a missing input with the port name', () => {
    const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) => (d.edges = d.edges.filter((e) => e.id !== 'e4')));
    const e = compile(doc, registry).errors.find((x) => x.code === 'missing-input')!;
    expect(e).toMatchObject({ nodeId: 'loss', port: 'target' });
  });

  it('explains a shape mismatch with both shapes and a fix', () => {
    const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) => {
      d.edges = d.edges.filter((e) => e.id !== 'e1');
      d.edges.push({ id: 'raw', source: 'data', sourcePort: 'x', target: 'enc', targetPort: 'x' });
    });
    const e = compile(doc, registry).errors.find((x) => x.code === 'shape')!;
    expect(e.nodeId).toBe('enc');
    expect(e.port).toBe('x');
    expect(e.message).toContain('B×28×28×1');
    expect(e.hint).toMatch(/Flatten/);
  });

  it('flags a loss that reaches no optimizer', () => {
    const doc = edit(preset('vae.json'), (d) => (d.edges = d.edges.filter((e) => !(e.source === 'kl' && e.target === 'elbo'))));
    expect(codes(doc)).toContain('loss-unused');
  });

  it('flags a network trained by two optimizers', () => {
    const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) => {
      d.nodes.push({ id: 'opt2', type: 'optimizer', position: { x: 0, y: 300 }, params: { trains: ['enc'] } });
      d.nodes.push({ id: 'loss2', type: 'bce', position: { x: 0, y: 300 }, params: {} });
      d.edges.push({ id: 'x1', source: 'dec', sourcePort: 'y', target: 'loss2', targetPort: 'prediction' });
      d.edges.push({ id: 'x2', source: 'flat', sourcePort: 'y', target: 'loss2', targetPort: 'target' });
      d.edges.push({ id: 'x3', source: 'loss2', sourcePort: 'loss', target: 'opt2', targetPort: 'loss' });
    });
    const e = compile(doc, registry).errors.find((x) => x.code === 'two-optimizers')!;
    expect(e.nodeId).toBe('enc');
  });

  it('says when there is nothing to train', () => {
    const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) => {
      d.nodes = d.nodes.filter((n) => n.id !== 'opt');
      d.edges = d.edges.filter((e) => e.target !== 'opt');
    });
    expect(codes(doc)).toContain('nothing-to-train');
  });

  it('rejects bad parameter values, naming the parameter', () => {
    for (const lr of [0, -1, 'fast']) {
      const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) => (d.nodes.find((n) => n.id === 'opt')!.params.learningRate = lr));
      const e = compile(doc, registry).errors.find((x) => x.code === 'bad-param')!;
      expect(e).toMatchObject({ nodeId: 'opt', param: 'learningRate' });
    }
    const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) => (d.nodes.find((n) => n.id === 'enc')!.params.units = 0));
    expect(compile(doc, registry).errors[0]).toMatchObject({ code: 'bad-param', nodeId: 'enc', param: 'units' });
  });

  it('refuses an absurd graph before anything is allocated', () => {
    const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) => (d.nodes.find((n) => n.id === 'enc')!.params.units = 1_000_000_000));
    const r = compile(doc, registry);
    expect(r.plan).toBeNull();
    expect(r.errors.find((e) => e.code === 'too-large')?.nodeId).toMatch(/enc|dec/);
  });

  it('warns about a frozen network', () => {
    const doc = edit(fixtureDoc('v1-tiny-ae.json'), (d) => (d.nodes.find((n) => n.id === 'opt')!.params.trains = ['dec']));
    const r = compile(doc, registry);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'frozen', nodeId: 'enc', severity: 'warning' })]);
    expect(r.plan).not.toBeNull();
  });

  it('never throws on random edits of a valid graph; problems come back as errors', () => {
    const base = preset('vae.json');
    const ids = base.nodes.map((n) => n.id);
    const ports = ['x', 'y', 'z', 'mean', 'logVar', 'loss', 'prediction', 'target', 'a', 'b', 'nope'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('drop-edge' as const), i: fc.nat() }),
      fc.record({
        kind: fc.constant('add-edge' as const),
        s: fc.constantFrom(...ids),
        sp: fc.constantFrom(...ports),
        t: fc.constantFrom(...ids),
        tp: fc.constantFrom(...ports),
      }),
      fc.record({
        kind: fc.constant('param' as const),
        n: fc.constantFrom(...ids),
        key: fc.constantFrom('units', 'learningRate', 'batchSize', 'source', 'bogus'),
        value: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double(), fc.string(), fc.constant(null)),
      }),
      fc.record({ kind: fc.constant('drop-node' as const), n: fc.constantFrom(...ids) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 8 }), (ops) => {
        const doc = structuredClone(base);
        for (const o of ops) {
          if (o.kind === 'drop-edge' && doc.edges.length) doc.edges.splice(o.i % doc.edges.length, 1);
          if (o.kind === 'add-edge')
            doc.edges.push({ id: `r${doc.edges.length}`, source: o.s, sourcePort: o.sp, target: o.t, targetPort: o.tp });
          if (o.kind === 'param') {
            const n = doc.nodes.find((x) => x.id === o.n);
            if (n) n.params[o.key] = o.value;
          }
          if (o.kind === 'drop-node') doc.nodes = doc.nodes.filter((n) => n.id !== o.n);
        }
        const r = compile(doc, registry);
        expect(Array.isArray(r.errors)).toBe(true);
        if (ops.length === 0) expect(r.errors).toEqual([]);
        if (r.plan) expect(r.errors.every((e) => e.severity === 'warning')).toBe(true);
        else expect(r.errors.some((e) => e.severity === 'error')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('compiles random valid MLP autoencoders without errors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('relu', 'tanh', 'elu', 'linear'),
        (widths, act) => {
          const doc = structuredClone(fixtureDoc('v1-tiny-ae.json'));
          doc.nodes = doc.nodes.filter((n) => n.id !== 'enc');
          doc.edges = doc.edges.filter((e) => e.source !== 'enc' && e.target !== 'enc');
          let prev = 'flat';
          widths.forEach((units, i) => {
            doc.nodes.push({ id: `h${i}`, type: 'dense', position: { x: i, y: 1 }, params: { units, activation: act } });
            doc.edges.push({ id: `h${i}e`, source: prev, sourcePort: 'y', target: `h${i}`, targetPort: 'x' });
            prev = `h${i}`;
          });
          doc.edges.push({ id: 'last', source: prev, sourcePort: 'y', target: 'dec', targetPort: 'x' });
          const r = compile(doc, registry);
          expect(r.errors).toEqual([]);
          expect(r.shapes[prev].outputs.y).toEqual([-1, widths[widths.length - 1]]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
