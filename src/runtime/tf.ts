/**
 * The runtime's one TF.js entry. The union package registers what bare
 * tfjs-core lacks — chained tensor methods (used by node build functions) and
 * every op's gradient — and shares the one tfjs-core engine with the backends.
 *
 * `train.adam` is ours (adam.ts): fused on wasm, exact on resume. Node build
 * functions reach it as ctx.tf.train.adam.
 */
import { train as tfTrain } from '@tensorflow/tfjs';
import { AdamOptimizer } from './adam';

export * from '@tensorflow/tfjs';

class OurOptimizers extends tfTrain {
  static override adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): AdamOptimizer {
    return new AdamOptimizer(learningRate, beta1, beta2, epsilon);
  }
}
export const train = OurOptimizers;
