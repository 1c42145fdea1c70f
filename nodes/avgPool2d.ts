import { defineNode } from '../src/graph/nodeApi';
import { BATCH } from '../src/graph/shape';
import { POOL_PARAMS, cellsPerWindow, inferPool, windowSums } from './lib/pool';

export default defineNode({
  kind: 'layer',
  type: 'avgPool2d',
  title: 'Average pooling 2D',
  category: 'layers',
  doc: 'Shrinks an image by averaging each poolSize×poolSize window, channel by channel (2 halves height and width: 28 → 14 → 7). It has no weights. Unlike max pooling every value in a window gets an equal share of the gradient, so it blurs rather than picks: a smooth way to downsample. Padding "same" pads a map that does not split into whole windows (7 → 4) and averages only the cells that exist; "valid" refuses such a map.',
  inputs: { x: { type: 'tensor', kind: 'image', doc: 'B×H×W×C image' } },
  outputs: { y: { type: 'tensor', kind: 'image', doc: 'B×(H/poolSize)×(W/poolSize)×C' } },
  params: POOL_PARAMS,
  keyParams: ['poolSize', 'padding'],
  trainable: false,
  examples: [{ x: [BATCH, 28, 28, 4] }],
  inferShapes: ({ x }, p) => inferPool(x, p.poolSize, p.padding),
  keras: (p) => ({ layers: [{ factory: 'averagePooling2d', config: { poolSize: p.poolSize, strides: p.poolSize, padding: p.padding } }] }),
  build: (ctx, p) => {
    const k = p.poolSize;
    const [, h, w] = ctx.inputShapes.x;
    const rows = cellsPerWindow(h, k);
    const cols = cellsPerWindow(w, k);
    // Padded cells are not averaged in (TF and Keras divide by the cells that exist).
    const counts = rows.flatMap((r) => cols.map((c) => r * c));
    const padded = counts.some((n) => n !== k * k);
    return {
      forward: ({ x }, call) => {
        const sums = windowSums(call.tf, x, k);
        return { y: padded ? sums.div(call.tf.tensor4d(counts, [1, rows.length, cols.length, 1])) : sums.div(k * k) };
      },
    };
  },
});
