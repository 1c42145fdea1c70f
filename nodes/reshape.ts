import { defineNode, fail } from '../src/graph/nodeApi';
import { intList } from '../src/graph/params';
import { BATCH, exampleSize, formatShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'reshape',
  title: 'Reshape',
  category: 'layers',
  doc: 'Gives each example a new shape with the same number of values, e.g. 784 → 28×28×1 before a convolution.',
  inputs: { x: { type: 'tensor', doc: 'B×…' } },
  outputs: { y: { type: 'tensor', doc: 'B×shape' } },
  params: { shape: intList({ default: [28, 28, 1], min: 1, max: 100_000, minLength: 1, maxLength: 4, doc: 'per-example shape' }) },
  keyParams: ['shape'],
  trainable: false,
  examples: [{ x: [BATCH, 784] }],
  inferShapes: ({ x }, p) => {
    const want = p.shape.reduce((a, b) => a * b, 1);
    return want === exampleSize(x)
      ? { y: [x[0], ...p.shape] }
      : fail(
          'x',
          `cannot reshape ${formatShape(x)} (${exampleSize(x)} values per example) to ${p.shape.join('×')} (${want})`,
          `use a shape with ${exampleSize(x)} values`,
        );
  },
  keras: (p) => ({ layers: [{ factory: 'reshape', config: { targetShape: p.shape } }] }),
  build: (_ctx, p) => ({ forward: ({ x }) => ({ y: x.reshape([-1, ...p.shape]) }) }),
});
