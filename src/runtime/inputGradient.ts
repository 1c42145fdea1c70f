/**
 * ∂loss/∂input for the "look inside" view: for a node fed an image-shaped
 * tensor (B×H×W×C), the gradient of an optimizer's loss with respect to that
 * tensor, for the first example — where in the picture a small change would
 * move the loss most. The loss is that of the optimizer training the node
 * (else the first one whose loss depends on the input). The tensor stands in
 * for its port everywhere it is used, so the figure is the total derivative
 * through every path (a VAE's x reaches the loss as input and as target).
 */
import type { CompiledNode, OptimizerPlan, Plan, PortRef } from '../compiler/plan';
import type { Batch } from './model';
import * as tf from './tf';
import type { SessionModel } from './workspace';

export interface InputGradient {
  /** The node's input port the gradient is taken at, and the port that feeds it. */
  port: string;
  from: PortRef;
  /** The optimizer (document id) whose loss is differentiated. */
  optimizer: string;
  height: number;
  width: number;
  channels: number;
  /** height × width: |∂loss/∂x| summed over channels for example 0, scaled to [0, 1] by `max`. */
  image: Float32Array;
  /** The largest summed magnitude (what 1 stands for); 0 when the loss does not move with the input. */
  max: number;
}

/** The node's first image-shaped input that comes from outside it (a block's own layers feed each other). */
export function imageInput(plan: Plan, nodeId: string): { node: CompiledNode; port: string; ref: PortRef } | null {
  const inner = plan.nodes.filter((n) => n.id === nodeId || n.docId === nodeId);
  const docOf = new Map(plan.nodes.map((n) => [n.id, n.docId]));
  for (const node of inner)
    for (const [port, ref] of Object.entries(node.inputs)) {
      const from = docOf.get(ref.node);
      if (node.inputShapes[port]?.length === 4 && from !== node.docId) return { node, port, ref };
    }
  return null;
}

/** The optimizers to try, the node's own first. */
function optimizersFor(plan: Plan, node: CompiledNode): OptimizerPlan[] {
  const own = plan.optimizers.filter((o) => o.trains.includes(node.weightOwner));
  return [...own, ...plan.optimizers.filter((o) => !own.includes(o))];
}

const dependsOn = (e: unknown) => /not a function of|Cannot compute gradient/i.test(String((e as Error)?.message ?? e));

export async function inputGradient(model: SessionModel, plan: Plan, nodeId: string, batch: Batch): Promise<InputGradient | null> {
  const target = imageInput(plan, nodeId);
  if (!target) return null;
  const [, height, width, channels] = target.node.inputShapes[target.port] as number[];
  const [value] = await model.probe(batch, [target.ref], 'train');
  for (const opt of optimizersFor(plan, target.node)) {
    let summed: Float32Array;
    try {
      [summed] = await model.compute((run) => {
        const loss = (x: tf.Tensor) => run([opt.loss], 'train', batch, { ref: target.ref, value: x })(opt.loss) as tf.Scalar;
        const g = tf.grad(loss)(tf.tensor(value.data, value.shape));
        // Example 0, magnitude summed over channels: one map per input, whatever its channel count.
        return [
          g
            .slice([0, 0, 0, 0], [1, height, width, channels])
            .abs()
            .sum(3)
            .reshape([height * width]),
        ];
      });
    } catch (e) {
      if (dependsOn(e)) continue;
      throw e;
    }
    let max = 0;
    for (const v of summed) max = Math.max(max, v);
    const image = max > 0 ? summed.map((v) => v / max) : summed;
    return { port: target.port, from: target.ref, optimizer: opt.id, height, width, channels, image, max };
  }
  return null;
}
