import { defineNode, fail } from '../src/graph/nodeApi';
import { bool, choice, int } from '../src/graph/params';
import { BATCH, formatShape } from '../src/graph/shape';
import { ACTIVATIONS, activate, kerasActivated } from './lib/activations';

export default defineNode({
  kind: 'layer',
  type: 'dense',
  title: 'Dense',
  category: 'layers',
  doc: 'Fully connected layer: y = act(x·W + b). Every output unit sees every input value.',
  inputs: { x: { type: 'tensor', doc: 'B×features' } },
  outputs: { y: { type: 'tensor', doc: 'B×units' } },
  params: {
    units: int({ default: 64, min: 1, max: 1_000_000_000, doc: 'output features' }),
    activation: choice(ACTIVATIONS, 'relu'),
    bias: bool(true, 'add a learned offset'),
  },
  keyParams: ['units', 'activation'],
  trainable: true,
  examples: [{ x: [BATCH, 784] }],
  inferShapes: ({ x }, p) =>
    x.length !== 2 ? fail('x', `needs B×features, got ${formatShape(x)}`, 'add a Flatten before it') : { y: [x[0], p.units] },
  countParams: ({ x }, p) => x[1] * p.units + (p.bias ? p.units : 0),
  // Keras keeps a dense kernel as [in, out], as we do.
  keras: (p) => ({
    layers: kerasActivated(
      { factory: 'dense', config: { units: p.units, useBias: p.bias }, weights: p.bias ? ['kernel', 'bias'] : ['kernel'] },
      p.activation,
    ),
  }),
  build: (ctx, p) => {
    const w = ctx.variable('kernel', [ctx.inputShapes.x[1], p.units], 'glorotUniform');
    const b = p.bias ? ctx.variable('bias', [p.units], 'zeros') : null;
    return {
      forward: ({ x }, call) => {
        const y = call.tf.matMul(x, w);
        return { y: activate(call.tf, b ? y.add(b) : y, p.activation) };
      },
    };
  },
});
