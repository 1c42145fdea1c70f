import { defineNode } from '../src/graph/nodeApi';
import { BATCH, exampleSize } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'flatten',
  title: 'Flatten',
  category: 'layers',
  doc: 'Lays each example out as one long vector (28×28×1 → 784), as Dense layers need.',
  inputs: { x: { type: 'tensor', doc: 'B×…' } },
  outputs: { y: { type: 'tensor', kind: 'vector', doc: 'B×(product of the other dimensions)' } },
  params: {},
  trainable: false,
  examples: [{ x: [BATCH, 28, 28, 1] }],
  inferShapes: ({ x }) => ({ y: [x[0], exampleSize(x)] }),
  // Keras flattens channels-last images in our order.
  keras: () => ({ layers: [{ factory: 'flatten', config: {} }] }),
  build: (ctx) => {
    const size = exampleSize(ctx.inputShapes.x);
    return { forward: ({ x }) => ({ y: x.reshape([-1, size]) }) };
  },
});
