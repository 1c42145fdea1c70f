import { defineNode } from '../src/graph/nodeApi';
import { choice, float } from '../src/graph/params';
import { activate, kerasActivated } from './lib/activations';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'activation',
  title: 'Activation',
  category: 'layers',
  doc: 'An elementwise non-linearity. Without one between them, stacked layers collapse into a single linear map.',
  inputs: { x: { type: 'tensor', doc: 'any shape' } },
  outputs: { y: { type: 'tensor', doc: 'same shape as x' } },
  params: {
    fn: choice(['relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'], 'relu'),
    leak: float({ default: 0.2, min: 0, max: 1, doc: 'slope for negative inputs (leaky ReLU)' }),
  },
  keyParams: ['fn'],
  rowsAbove: () => 0,
  trainable: false,
  examples: [{ x: [BATCH, 784] }],
  inferShapes: ({ x }) => ({ y: x }),
  keras: (p) => ({ layers: kerasActivated({ factory: 'activation', config: {} }, p.fn, p.leak) }),
  build: (_ctx, p) => ({ forward: ({ x }, call) => ({ y: activate(call.tf, x, p.fn, p.leak) }) }),
});
