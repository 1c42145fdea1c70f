/**
 * One seeded sampler for autoregressive graphs: the CLI's samples and the
 * worker's pixel-by-pixel view draw the same pictures from the same document,
 * seed and weights, and other pictures from another seed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../nodes/index';
import { sampleImages } from '../../src/runtime/sampling';
import { cliModel } from '../../src/cli/train';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import { setupBackend } from '../../src/runtime/backend';
import type { FromWorker, FromWorkerOf } from '../../src/runtime/protocol';
import { TrainingSession } from '../../src/runtime/session';
import { preset } from '../compiler/helpers';

/** The PixelCNN preset cut down to mask A → mask B → 1×1 head, 4 filters wide. */
function tinyPixelCnn(): GraphDocument {
  const doc = structuredClone(preset('pixelcnn.json'));
  const keep = ['data', 'a', 'b0', 'head', 'nll', 'adam'];
  doc.nodes = doc.nodes.filter((n) => keep.includes(n.id));
  for (const n of doc.nodes) if (n.id === 'a' || n.id === 'b0') n.params = { ...n.params, filters: 4, kernelSize: 3 };
  doc.nodes.find((n) => n.id === 'data')!.params.batchSize = 4;
  const edge = (source: string, sourcePort: string, target: string, targetPort: string) => ({
    id: `${source}.${sourcePort}-${target}.${targetPort}`,
    source,
    sourcePort,
    target,
    targetPort,
  });
  doc.edges = [
    edge('data', 'x', 'a', 'x'),
    edge('a', 'y', 'b0', 'x'),
    edge('b0', 'y', 'head', 'x'),
    edge('head', 'y', 'nll', 'prediction'),
    edge('data', 'x', 'nll', 'target'),
    edge('nll', 'loss', 'adam', 'loss'),
  ];
  return doc;
}

/** The final canvas of the worker's pixel-by-pixel sampling. */
async function workerSamples(doc: GraphDocument, n: number, seed: number): Promise<Float32Array> {
  const events: FromWorker[] = [];
  const session = new TrainingSession({ post: (m) => events.push(m), available: ['wasm', 'cpu'] });
  await session.handle({ type: 'load', doc });
  await session.handle({ type: 'autoregressive', id: 1, n, seed });
  const t0 = Date.now();
  const done = () => events.find((e): e is FromWorkerOf<'pixels'> => e.type === 'pixels' && e.done);
  while (!done()) {
    const errors = events.filter((e) => e.type === 'error' || e.type === 'compileErrors');
    if (errors.length || Date.now() - t0 > 60_000) throw new Error(`no finished canvas: ${JSON.stringify(errors)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(session.backendName).toBe('wasm');
  return done()!.canvas;
}

beforeAll(async () => {
  await setupBackend('wasm');
});

describe('autoregressive sampling', () => {
  it('the CLI and the worker draw the same PixelCNN canvases for a seed, and different ones for another seed', async () => {
    const doc = tinyPixelCnn();
    const plan = compile(doc, registry).plan!;
    expect(plan.modes.generate).toMatchObject({ autoregressive: true, conditional: false });
    const n = 3;
    const model = cliModel(plan, 'wasm');
    const cli = await sampleImages(model, n);
    const cliOther = await sampleImages(model, n, undefined, 1);
    model.dispose();
    expect(cli.length).toBe(n * 784);
    // Binary pictures with both values in them: a real draw, not a blank canvas.
    expect(new Set(cli)).toEqual(new Set([0, 1]));

    expect(Array.from(await workerSamples(doc, n, 0))).toEqual(Array.from(cli));
    expect(Array.from(await workerSamples(doc, n, 1))).toEqual(Array.from(cliOther));
    expect(Array.from(cliOther)).not.toEqual(Array.from(cli));
  }, 120_000);
});
