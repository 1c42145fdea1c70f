import type { Tensor4D } from '@tensorflow/tfjs-core';
import { defineNode, fail } from '../src/graph/nodeApi';
import { bool, choice, int } from '../src/graph/params';
import { ACTIVATIONS, activate } from './lib/activations';
import { needImage } from './lib/conv';
import { BATCH } from '../src/graph/shape';

/**
 * 1 where the kernel may look, 0 elsewhere: every row above the centre, and in
 * the centre row the pixels to its left — plus the centre itself for type B.
 */
export function causalMask(kernelSize: number, inChannels: number, filters: number, maskType: string): Float32Array {
  const mask = new Float32Array(kernelSize * kernelSize * inChannels * filters);
  const c = (kernelSize - 1) / 2;
  const perPosition = inChannels * filters;
  for (let i = 0; i < kernelSize; i++)
    for (let j = 0; j < kernelSize; j++) {
      const visible = i < c || (i === c && (j < c || (j === c && maskType === 'B')));
      if (visible) mask.fill(1, (i * kernelSize + j) * perPosition, (i * kernelSize + j + 1) * perPosition);
    }
  return mask;
}

export default defineNode({
  kind: 'layer',
  type: 'maskedConv2d',
  title: 'Masked convolution (PixelCNN)',
  category: 'layers',
  doc: 'A convolution that only looks at pixels above and to the left, so each output can predict its pixel from the pixels drawn before it in reading order. Type A (the first layer) also hides the pixel itself; type B (later layers) may see the same position, because there it only holds features computed from earlier pixels. One type-A layer makes the graph autoregressive: it is sampled pixel by pixel. Channels are not split into colour groups, so it suits grey images such as MNIST.',
  inputs: { x: { type: 'tensor', kind: 'image', doc: 'B×H×W×C image' } },
  outputs: { y: { type: 'tensor', kind: 'image', doc: 'B×H×W×filters' } },
  equation: {
    tex: (p) =>
      String.raw`\begin{aligned}p(x) &= \prod_{i=1}^{H W} p(x_i \mid x_{<i})\\ \port{y}{y_i} &= f\big(\port{x}{x}_{${p.maskType === 'A' ? '<i' : String.raw`\le i`}}\big)\end{aligned}`,
    // Type A starts the chain, so it states it; a type-B layer only keeps it.
    compact: (p) =>
      p.maskType === 'A'
        ? String.raw`p(x) = \prod_i p(x_i \mid x_{<i}) \newline \port{y}{y_i} = f\big(\port{x}{x}_{<i}\big)`
        : String.raw`\port{y}{y_i} = f\big(\port{x}{x}_{\le i}\big)`,
    caption: (p) =>
      p.maskType === 'A'
        ? 'The chain rule in reading order: each pixel is predicted from the pixels before it. Mask A (the grid: filled cells are read) hides the centre pixel itself, so output i never sees x_i.'
        : 'Mask B (the grid: filled cells are read) also reads the centre: after a type-A layer that position only holds features of the pixels before it, so the chain rule p(x) = Π p(x_i | x_<i) still holds.',
    grid: (p) => {
      const mask = causalMask(p.kernelSize, 1, 1, p.maskType);
      return { size: p.kernelSize, reads: Array.from(mask, (v) => v === 1), at: (p.kernelSize * p.kernelSize - 1) / 2 };
    },
  },
  params: {
    maskType: choice(['A', 'B'], 'A', 'A hides the centre pixel (first layer); B shows it (later layers)'),
    filters: int({ default: 64, min: 1, max: 4096, doc: 'output channels' }),
    kernelSize: int({ default: 7, min: 1, max: 15, doc: 'odd height and width of each filter' }),
    activation: choice(ACTIVATIONS, 'relu'),
    bias: bool(true, 'add a learned offset per channel'),
  },
  keyParams: ['maskType', 'filters', 'kernelSize'],
  trainable: true,
  autoregressive: (p) => p.maskType === 'A',
  rowsAbove: (p) => (p.kernelSize - 1) / 2,
  examples: [{ x: [BATCH, 28, 28, 1] }],
  inferShapes: ({ x }, p) => {
    const notImage = needImage(x);
    if (notImage) return notImage;
    if (p.kernelSize % 2 === 0)
      return fail(undefined, `kernel size ${p.kernelSize} has no centre pixel`, `use an odd size such as ${p.kernelSize + 1}`);
    return { y: [x[0], x[1], x[2], p.filters] };
  },
  countParams: ({ x }, p) => p.kernelSize * p.kernelSize * x[3] * p.filters + (p.bias ? p.filters : 0),
  build: (ctx, p) => {
    const shape = [p.kernelSize, p.kernelSize, ctx.inputShapes.x[3], p.filters];
    const w = ctx.variable('kernel', shape, 'heNormal');
    const b = p.bias ? ctx.variable('bias', [p.filters], 'zeros') : null;
    // A constant for the model's lifetime: multiplying by it keeps masked weights (and their gradients) at zero.
    const mask = ctx.tf.tensor4d(causalMask(p.kernelSize, shape[2], p.filters, p.maskType), shape as [number, number, number, number]);
    return {
      forward: ({ x }, call) => {
        const y = call.tf.conv2d(x as Tensor4D, w.mul(mask) as Tensor4D, 1, 'same');
        return { y: activate(call.tf, b ? y.add(b) : y, p.activation) };
      },
    };
  },
});
