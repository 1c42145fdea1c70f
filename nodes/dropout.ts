import { defineNode } from '../src/graph/nodeApi';
import { float } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'dropout',
  title: 'Dropout',
  category: 'layers',
  doc: 'While training, sets each value to 0 with probability "rate" and scales the rest by 1/(1 − rate), so no unit can rely on any single other one. Outside training it passes values through unchanged.',
  inputs: { x: { type: 'tensor', doc: 'any shape' } },
  outputs: { y: { type: 'tensor', doc: 'same shape as x' } },
  params: { rate: float({ default: 0.3, min: 0, max: 0.95, doc: 'fraction of values dropped while training' }) },
  keyParams: ['rate'],
  rowsAbove: () => 0,
  trainable: false,
  examples: [{ x: [BATCH, 784] }],
  inferShapes: ({ x }) => ({ y: x }),
  // Generation never drops: in an exported generator the node is the identity, as Keras's Dropout is at inference.
  keras: () => ({ layers: [] }),
  build: (_ctx, p) => ({
    forward: ({ x }, call) => {
      if (!call.training || p.rate === 0) return { y: x };
      const keep = call.randomUniform(x.shape, 0, 1).greaterEqual(p.rate).toFloat();
      return { y: x.mul(keep).div(1 - p.rate) };
    },
  }),
});
