import { defineNode } from '../src/graph/nodeApi';
import type { Tensor, TF } from '../src/graph/nodeApi';
import { choice, int } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';
import { needImage } from './lib/conv';

/**
 * Bilinear ×s along one spatial axis with half-pixel centres, as Keras's
 * UpSampling2D and tf.image.resize do: output cell i·s + r samples the input
 * at i + (r + ½)/s − ½, between cell i and its neighbour on that side (the
 * edge cell stands in past the border). Built from slices so its gradient is
 * right: TF.js 4.22's ResizeBilinearGrad ignores halfPixelCenters.
 */
function bilinearAxis(tf: TF, x: Tensor, axis: number, s: number): Tensor {
  const n = x.shape[axis];
  const take = (begin: number, size: number) =>
    tf.slice(
      x,
      x.shape.map((_, i) => (i === axis ? begin : 0)),
      x.shape.map((d, i) => (i === axis ? size : d)),
    );
  const prev = n === 1 ? x : tf.concat([take(0, 1), take(0, n - 1)], axis);
  const next = n === 1 ? x : tf.concat([take(1, n - 1), take(n - 1, 1)], axis);
  const phases = Array.from({ length: s }, (_, r) => {
    const d = (r + 0.5) / s - 0.5;
    if (d === 0) return x;
    return x.mul(1 - Math.abs(d)).add((d < 0 ? prev : next).mul(Math.abs(d)));
  });
  const shape = [...x.shape];
  shape[axis] = n * s;
  return tf.stack(phases, axis + 1).reshape(shape);
}

export default defineNode({
  kind: 'layer',
  type: 'upSample2d',
  title: 'Upsampling 2D',
  category: 'layers',
  doc: 'Makes an image larger by a whole factor without any weights (2 doubles height and width: 7 → 14 → 28). nearest repeats each value in a scale×scale block, so edges stay blocky; bilinear blends each new pixel from its nearest neighbours, so the result is smooth. A convolution after it learns to fill in detail, the usual way a convolutional decoder grows a small map back to a full image (an alternative to an up-convolution, free of its checkerboard patterns).',
  inputs: { x: { type: 'tensor', kind: 'image', doc: 'B×H×W×C image' } },
  outputs: { y: { type: 'tensor', kind: 'image', doc: 'B×(H·scale)×(W·scale)×C' } },
  params: {
    scale: int({ default: 2, min: 2, max: 8, doc: 'growth factor for height and width' }),
    method: choice(['nearest', 'bilinear'], 'nearest', 'nearest: copy each value into a block; bilinear: blend neighbouring values'),
  },
  keyParams: ['scale', 'method'],
  trainable: false,
  examples: [{ x: [BATCH, 7, 7, 4] }],
  inferShapes: ({ x }, p) => needImage(x) ?? { y: [x[0], x[1] * p.scale, x[2] * p.scale, x[3]] },
  // TF.js's UpSampling2D resizes bilinearly without half-pixel centres, so only nearest gives our values.
  keras: (p) =>
    p.method === 'nearest'
      ? { layers: [{ factory: 'upSampling2d', config: { size: [p.scale, p.scale], interpolation: 'nearest' } }] }
      : {
          refused: "bilinear upsampling samples between pixels differently in TF.js's UpSampling2D",
          hint: 'use method nearest to export it',
        },
  build: (ctx, p) => {
    const [, h, w, c] = ctx.inputShapes.x;
    const s = p.scale;
    return {
      forward: ({ x }, call) => {
        const tf = call.tf;
        if (p.method === 'bilinear') return { y: bilinearAxis(tf, bilinearAxis(tf, x, 1, s), 2, s) };
        // Each value broadcast over an s×s block, whose gradient sums the block (TF.js's cpu nearest-neighbour
        // gradient mixes up the examples of a batch; broadcastTo's Tile has no gradient at rank 6).
        const blocks = x.reshape([-1, h, 1, w, 1, c]).mul(tf.ones([1, 1, s, 1, s, 1]));
        return { y: blocks.reshape([-1, h * s, w * s, c]) };
      },
    };
  },
});
