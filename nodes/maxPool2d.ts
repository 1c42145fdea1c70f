import { defineNode } from '../src/graph/nodeApi';
import { BATCH } from '../src/graph/shape';
import { POOL_PARAMS, inferPool, windowMaxima } from './lib/pool';

export default defineNode({
  kind: 'layer',
  type: 'maxPool2d',
  title: 'Max pooling 2D',
  category: 'layers',
  doc: 'Shrinks an image by keeping only the largest value in each poolSize×poolSize window, channel by channel (2 halves height and width: 28 → 14 → 7). It has no weights: it keeps the strongest response of each filter and forgets exactly where in the window it was, which makes the features a little robust to small shifts. During training only the winning value of each window receives a gradient. Padding "same" pads a map that does not split into whole windows (7 → 4); "valid" refuses it.',
  inputs: { x: { type: 'tensor', kind: 'image', doc: 'B×H×W×C image' } },
  outputs: { y: { type: 'tensor', kind: 'image', doc: 'B×(H/poolSize)×(W/poolSize)×C' } },
  params: POOL_PARAMS,
  keyParams: ['poolSize', 'padding'],
  trainable: false,
  examples: [{ x: [BATCH, 28, 28, 4] }],
  inferShapes: ({ x }, p) => inferPool(x, p.poolSize, p.padding),
  keras: (p) => ({ layers: [{ factory: 'maxPooling2d', config: { poolSize: p.poolSize, strides: p.poolSize, padding: p.padding } }] }),
  build: (_ctx, p) => ({ forward: ({ x }, call) => ({ y: windowMaxima(call.tf, x, p.poolSize) }) }),
});
