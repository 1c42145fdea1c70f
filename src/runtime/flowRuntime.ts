/**
 * Running a normalizing flow beyond its forward pass: backwards from codes to
 * data (sampling, decoding, the layer-by-layer view) and its exact log p(x)
 * per example. The chain and its ports come from plan.flow, never from node
 * types; CompiledModel hands over its built layers for the inverse.
 */
import type { Plan, PortRef } from '../compiler/plan';
import type { BuiltNode, CallContext, Tensor } from '../graph/nodeApi';
import type { Batch, CompiledModel } from './model';
import type { Read, ReadMode } from './reads';
import * as tf from './tf';

/** Runs the flow backwards from codes z (see invertChain); CompiledModel.compute hands one to its callback. */
export type FlowInverse = (z: Tensor, layers?: Tensor[]) => Tensor;

/** Per-example shape of a flow's code z (what its prior scores). */
export function flowCodeShape(plan: Plan): number[] {
  const z = plan.flow!.z;
  return plan.byId[z.node].outputShapes[z.port].slice(1) as number[];
}

/**
 * Codes z through each layer's inverse, last layer first, to the data. With
 * `layers`, also every intermediate (z first). Call inside tidy.
 */
export function invertChain(plan: Plan, built: (id: string) => BuiltNode, z: Tensor, call: CallContext, layers?: Tensor[]): Tensor {
  const flow = plan.flow;
  if (!flow) throw new Error('this graph is not a flow');
  let h = z;
  layers?.push(h);
  for (const id of [...flow.chain].reverse()) {
    h = built(id).inverse!(h, call);
    layers?.push(h);
  }
  return h;
}

/**
 * A flow's log p(x) for each example of `batch`, in nats: the prior's log p(z)
 * plus every layer's log-determinant, from one forward pass.
 */
export function flowLogDensity<M extends ReadMode>(model: CompiledModel<M>, batch: Batch): Read<M, Float32Array> {
  const { plan } = model;
  const flow = plan.flow;
  if (!flow) throw new Error('this graph is not a flow');
  const prior = plan.byId[flow.prior];
  const refs: PortRef[] = [
    { node: prior.id, port: prior.def.flowPrior!.logProb },
    ...flow.chain.map((id) => ({ node: id, port: plan.byId[id].def.flow!.logDet })),
  ];
  return model.compute(
    (run) => {
      const value = run(refs, 'evaluate', batch);
      return [tf.addN(refs.map((r) => value(r).reshape([batch.size])))];
    },
    ([logP]) => logP,
  );
}

/**
 * A flow's codes run backwards layer by layer, as flat rows: z, then the values
 * after each layer's inverse, last layer first, ending at the data (how each
 * layer warps space, for the 2-D flow view).
 */
export function invertFlowLayers<M extends ReadMode>(model: CompiledModel<M>, latents: Float32Array, n: number): Read<M, Float32Array[]> {
  return model.compute((_run, invert) => {
    const layers: Tensor[] = [];
    invert(tf.tensor(latents, [n, ...flowCodeShape(model.plan)]), layers);
    return layers.map((t) => t.reshape([n, -1]));
  });
}
