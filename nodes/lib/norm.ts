/** What the normalization layers share: any batch of features passes through in its own shape, with a gain and a bias per feature of the last axis. */
import { fail, type InferResult } from '../../src/graph/nodeApi';
import { formatShape, type Shape } from '../../src/graph/shape';

export const normShapes = {
  inferShapes: ({ x }: Record<string, Shape>): InferResult =>
    x.length < 2
      ? fail('x', `needs a batch of features, got ${formatShape(x)}`, 'connect a layer output (B×features or B×H×W×C)')
      : { y: x },
  countParams: ({ x }: Record<string, Shape>) => 2 * x[x.length - 1],
};
