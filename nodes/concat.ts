import { defineNode, fail } from '../src/graph/nodeApi';
import { BATCH, formatShape, type Shape } from '../src/graph/shape';

const PARTS = ['a', 'b', 'c'] as const;

export default defineNode({
  kind: 'layer',
  type: 'concat',
  title: 'Concat',
  category: 'layers',
  doc: 'Joins tensors side by side along the last axis, e.g. a latent code and a one-hot label (B×20 and B×10 → B×30). This is how a conditional model is told the class: the label travels next to the data.',
  inputs: {
    a: { type: 'tensor', doc: 'B×…×n' },
    b: { type: 'tensor', doc: 'B×…×m, the same leading dimensions as a' },
    c: { type: 'tensor', doc: 'optional third part', optional: true },
  },
  outputs: { y: { type: 'tensor', doc: 'B×…×(n+m(+k))' } },
  params: {},
  trainable: false,
  rowsAbove: () => 0,
  examples: [{ a: [BATCH, 20], b: [BATCH, 10] }],
  keras: () => ({ layers: [{ factory: 'concatenate', config: { axis: -1 } }], inputs: [...PARTS] }),
  inferShapes: (inputs) => {
    const parts = PARTS.filter((k) => inputs[k]).map((k) => [k, inputs[k]] as [string, Shape]);
    const [, first] = parts[0];
    const lead = first.slice(0, -1);
    for (const [port, s] of parts.slice(1)) {
      if (s.length !== first.length || s.slice(0, -1).some((d, i) => d !== lead[i]))
        return fail(
          port,
          `can only join along the last axis, but a is ${formatShape(first)} and ${port} is ${formatShape(s)}`,
          s.length !== first.length
            ? 'add a Flatten to the image input so both are B×features'
            : 'make every dimension but the last agree (Reshape one of them)',
        );
    }
    return { y: [...lead, parts.reduce((n, [, s]) => n + s[s.length - 1], 0)] };
  },
  build: () => ({
    forward: (inputs, call) => ({
      y: call.tf.concat(
        PARTS.filter((k) => inputs[k]).map((k) => inputs[k]),
        -1,
      ),
    }),
  }),
});
