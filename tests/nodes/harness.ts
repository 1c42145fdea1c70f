/** Builds single nodes and small graphs on the TF.js cpu backend, as the runtime would. */
import * as tf from '../../src/runtime/tf';
import { compile } from '../../src/compiler/compile';
import type { GraphDocument } from '../../src/graph/document';
import {
  isFailure,
  type AnyNodeDef,
  type BuiltNode,
  type CallContext,
  type Init,
  type LayerNodeDef,
  type Mode,
} from '../../src/graph/nodeApi';
import { resolveParams, type AnyParamValues } from '../../src/graph/params';
import { BATCH, type Shape } from '../../src/graph/shape';
import { registry } from '../../nodes/index';

export const B = 3;

export function concrete(shape: Shape, batch = B): number[] {
  return shape.map((d) => (d === BATCH ? batch : d));
}

export function paramsFor(def: AnyNodeDef, given: Record<string, unknown> = {}): AnyParamValues {
  const { values, problems } = resolveParams(def.params, given);
  if (problems.length) throw new Error(`${def.type}: ${problems.map((p) => p.message).join('; ')}`);
  return values;
}

export function inferOrThrow(def: LayerNodeDef, inputs: Record<string, Shape>, params: AnyParamValues) {
  const r = def.inferShapes(inputs, params, { data: { kind: 'image', shape: [28, 28, 1], numClasses: 10, batchSize: B } });
  if (isFailure(r)) throw new Error(`${def.type}: ${r.failure.message}`);
  return r;
}

let seed = 1;
function init(shape: number[], how: Init): tf.Tensor {
  if (how === 'zeros') return tf.zeros(shape);
  if (how === 'ones') return tf.ones(shape);
  return tf.randomNormal(shape, 0, 0.3, 'float32', seed++);
}

/** Builds a layer the way CompiledModel does, with variables held in `variables`. */
export function buildLayer(def: LayerNodeDef, params: AnyParamValues, inputShapes: Record<string, Shape>) {
  const outputShapes = inferOrThrow(def, inputShapes, params);
  const variables = new Map<string, tf.Variable>();
  const state = new Map<string, tf.Variable>();
  const make = (store: Map<string, tf.Variable>, trainable: boolean) => (name: string, shape: number[], how: Init) => {
    const v = tf.variable(init(shape, how), trainable);
    store.set(name, v);
    return v;
  };
  const built: BuiltNode = def.build(
    { tf, nodeId: def.type, inputShapes, outputShapes, variable: make(variables, true), state: make(state, false) },
    params,
  );
  return { built, outputShapes, variables, state };
}

export function callContext(opts: { mode?: Mode; training?: boolean; batchSize?: number } = {}): CallContext {
  const n = opts.batchSize ?? B;
  return {
    tf,
    mode: opts.mode ?? 'train',
    training: opts.training ?? (opts.mode ?? 'train') === 'train',
    batchSize: n,
    randomNormal: (shape) => tf.randomNormal(shape, 0, 1, 'float32', seed++),
    randomUniform: (shape, low, high) => tf.randomUniform(shape, low, high, 'float32', seed++),
    batch: {
      x: tf.rand([n, 28, 28, 1], () => Math.random()),
      labels: tf
        .oneHot(
          tf.tensor1d(
            Array.from({ length: n }, (_, i) => i % 10),
            'int32',
          ),
          10,
        )
        .toFloat(),
    },
  };
}

/**
 * Runs `fn` with TF.js's gradient tape recording, as CompiledModel does for every training step
 * (inside tf.variableGrads). Returned tensors are kept; dispose them or call inside tidy.
 */
export function underTape<T extends tf.Tensor>(fn: () => Record<string, T>): Record<string, T> {
  const anchor = tf.variable(tf.scalar(0));
  let out: Record<string, T> = {};
  const { value, grads } = tf.variableGrads(() => {
    out = fn();
    Object.values(out).forEach((t) => tf.keep(t));
    return anchor.add(0) as tf.Scalar;
  }, [anchor]);
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  anchor.dispose();
  return out;
}

/** A document from terse node and edge lists; edges are 'src.port -> dst.port'. */
export function graph(
  nodes: { id: string; type: string; params?: Record<string, unknown>; sharesWeightsWith?: string }[],
  edges: string[],
  seed = 1,
): GraphDocument {
  return {
    schemaVersion: 2,
    meta: { title: 'test', description: '', goals: [], seed },
    nodes: nodes.map((n, i) => ({
      id: n.id,
      type: n.type,
      position: { x: i * 100, y: 0 },
      params: n.params ?? {},
      ...(n.sharesWeightsWith ? { sharesWeightsWith: n.sharesWeightsWith } : {}),
    })),
    edges: edges.map((e) => {
      const [src, dst] = e.split('->').map((s) => s.trim());
      const [source, sourcePort] = src.split('.');
      const [target, targetPort] = dst.split('.');
      return { id: e, source, sourcePort, target, targetPort };
    }),
  };
}

/** A small unconditional image diffusion model: a U-Net of 4 base filters on MNIST x_t and its timestep code, DDIM sampling. */
export function tinyImageDiffusion(o: { batchSize: number; T: number; samplerSteps: number }): GraphDocument {
  return graph(
    [
      { id: 'data', type: 'dataset', params: { source: 'mnist', batchSize: o.batchSize } },
      { id: 'schedule', type: 'noiseSchedule', params: { kind: 'cosine', steps: o.T } },
      { id: 'noising', type: 'forwardNoising' },
      { id: 'embed', type: 'timeEmbedding' },
      { id: 'unet', type: 'unet', params: { filters: 4 } },
      { id: 'loss', type: 'epsMse' },
      { id: 'opt', type: 'optimizer' },
      { id: 'sampler', type: 'diffusionSampler', params: { method: 'ddim', steps: o.samplerSteps } },
    ],
    [
      'data.x -> noising.x0',
      'schedule.alphaBar -> noising.schedule',
      'noising.xt -> unet.x',
      'noising.t -> embed.t',
      'embed.y -> unet.time',
      'unet.y -> loss.prediction',
      'noising.eps -> loss.target',
      'loss.loss -> opt.loss',
      'unet.y -> sampler.eps',
    ],
  );
}

export function compileOrThrow(doc: GraphDocument) {
  const result = compile(doc, registry);
  const errors = result.errors.filter((e) => e.severity === 'error');
  if (errors.length || !result.plan)
    throw new Error(`does not compile: ${errors.map((e) => `${e.nodeId ?? ''} ${e.message}`).join('; ') || 'no plan'}`);
  return result;
}

/** A batch of n MNIST-like images: a bright square at a random place, values in [0, 1]. */
export function squaresBatch(n: number, rng: () => number) {
  const x = new Float32Array(n * 784);
  const oneHot = new Float32Array(n * 10);
  for (let b = 0; b < n; b++) {
    const r = 4 + Math.floor(rng() * 16);
    const c = 4 + Math.floor(rng() * 16);
    for (let i = r; i < r + 8; i++) for (let j = c; j < c + 8; j++) x[b * 784 + i * 28 + j] = 1;
    oneHot[b * 10 + (r % 10)] = 1;
  }
  return { x, oneHot, size: n };
}

export function mulberry(seedValue: number) {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { tf };
