import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape, sameShape, type Shape } from '../src/graph/shape';

/** Whether b repeats onto a: the same rank and batch, and every other axis of b equal to a's or 1. */
const broadcastsOnto = (b: Shape, a: Shape) =>
  b.length === a.length && b[0] === a[0] && b.every((d, i) => i === 0 || d === a[i] || d === 1);

export default defineNode({
  kind: 'layer',
  type: 'add',
  title: 'Add',
  category: 'layers',
  doc: "Elementwise sum a + b. Adding a block's input to its output is a residual connection: the block then only has to learn a correction, which keeps deep stacks (e.g. PixelCNN) trainable. b may also have size 1 where a has more (B×1×1×C onto B×H×W×C): it is then repeated across, e.g. a class-dependent bias for every pixel of a conditional PixelCNN.",
  inputs: {
    a: { type: 'tensor', doc: 'any shape' },
    b: { type: 'tensor', doc: 'the same shape as a, or size 1 along any axis but the batch (repeated across it)' },
  },
  outputs: { y: { type: 'tensor', doc: 'same shape as a' } },
  params: {},
  trainable: false,
  rowsAbove: () => 0,
  examples: [{ a: [BATCH, 28, 28, 1], b: [BATCH, 28, 28, 1] }],
  keras: () => ({ layers: [{ factory: 'add', config: {} }], inputs: ['a', 'b'] }),
  inferShapes: ({ a, b }) =>
    sameShape(a, b) || broadcastsOnto(b, a)
      ? { y: a }
      : fail(
          'b',
          `a is ${formatShape(a)} but b is ${formatShape(b)}; b must have a's shape, or size 1 where it differs`,
          'give both branches the same number of channels (filters), or reshape b to 1×1×channels to add it at every pixel',
        ),
  build: () => ({ forward: ({ a, b }) => ({ y: a.add(b) }) }),
});
