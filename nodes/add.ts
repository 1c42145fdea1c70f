import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape, sameShape } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'add',
  title: 'Add',
  category: 'layers',
  doc: "Elementwise sum a + b. Adding a block's input to its output is a residual connection: the block then only has to learn a correction, which keeps deep stacks (e.g. PixelCNN) trainable.",
  inputs: {
    a: { type: 'tensor', doc: 'any shape' },
    b: { type: 'tensor', doc: 'the same shape as a' },
  },
  outputs: { y: { type: 'tensor', doc: 'same shape as a' } },
  params: {},
  trainable: false,
  rowsAbove: () => 0,
  examples: [{ a: [BATCH, 28, 28, 1], b: [BATCH, 28, 28, 1] }],
  inferShapes: ({ a, b }) =>
    sameShape(a, b)
      ? { y: a }
      : fail(
          'b',
          `a is ${formatShape(a)} but b is ${formatShape(b)}; only equal shapes can be added`,
          'give both branches the same number of channels (filters)',
        ),
  build: () => ({ forward: ({ a, b }) => ({ y: a.add(b) }) }),
});
