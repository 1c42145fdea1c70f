import { defineNode } from '../src/graph/nodeApi';
import { choice, int } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';
import { POOL_PADDINGS, inferPool, windowMaxima } from './lib/pool';

export default defineNode({
  kind: 'layer',
  type: 'maxPool2d',
  title: 'Max pooling 2D',
  category: 'layers',
  doc: 'Shrinks an image by keeping only the largest value in each poolSize×poolSize window, channel by channel (2 halves height and width: 28 → 14 → 7). It has no weights: it keeps the strongest response of each filter and forgets exactly where in the window it was, which makes the features a little robust to small shifts. During training only the winning value of each window receives a gradient. Padding "same" pads a map that does not split into whole windows (7 → 4); "valid" refuses it.',
  inputs: { x: { type: 'tensor', doc: 'B×H×W×C image' } },
  outputs: { y: { type: 'tensor', doc: 'B×(H/poolSize)×(W/poolSize)×C' } },
  params: {
    poolSize: int({ default: 2, min: 2, max: 16, doc: 'height and width of each window; the windows do not overlap' }),
    padding: choice(
      POOL_PADDINGS,
      'valid',
      'valid: the windows must tile the map exactly; same: pad the last row and column so they do (7 → 4 with size 2)',
    ),
  },
  keyParams: ['poolSize', 'padding'],
  trainable: false,
  examples: [{ x: [BATCH, 28, 28, 4] }],
  inferShapes: ({ x }, p) => inferPool(x, p.poolSize, p.padding),
  build: (_ctx, p) => ({ forward: ({ x }, call) => ({ y: windowMaxima(call.tf, x, p.poolSize) }) }),
});
