import type { Tensor4D } from '@tensorflow/tfjs-core';
import { defineNode, fail } from '../src/graph/nodeApi';
import { bool, choice, int } from '../src/graph/params';
import { BATCH, formatShape } from '../src/graph/shape';
import { ACTIVATIONS, activate, kerasActivated } from './lib/activations';
import { PADDINGS, convOutSize, needImage } from './lib/conv';

export default defineNode({
  kind: 'layer',
  type: 'conv2d',
  title: 'Convolution 2D',
  category: 'layers',
  doc: 'Slides small learned filters over the image: each output pixel sees only a kernelSize×kernelSize patch, and the same filter is used everywhere, so far fewer weights than Dense are needed. A stride of 2 halves height and width (28 → 14 → 7 with "same" padding).',
  inputs: { x: { type: 'tensor', kind: 'image', doc: 'B×H×W×C image' } },
  outputs: { y: { type: 'tensor', kind: 'image', doc: 'B×H′×W′×filters' } },
  params: {
    filters: int({ default: 32, min: 1, max: 4096, doc: 'output channels' }),
    kernelSize: int({ default: 3, min: 1, max: 15, doc: 'height and width of each filter' }),
    stride: int({ default: 1, min: 1, max: 8, doc: 'step between filter positions; 2 halves the size' }),
    padding: choice(PADDINGS, 'same', 'same: pad so the size only shrinks by the stride; valid: no padding'),
    activation: choice(ACTIVATIONS, 'relu'),
    bias: bool(true, 'add a learned offset per channel'),
    init: choice(['heNormal', 'glorotUniform'], 'heNormal', 'initial weights: He suits ReLU, Glorot suits tanh/sigmoid/linear'),
  },
  keyParams: ['filters', 'kernelSize', 'stride'],
  // A 1×1, stride-1 convolution mixes channels only; larger kernels also read rows below.
  rowsAbove: (p) => (p.kernelSize === 1 && p.stride === 1 ? 0 : null),
  trainable: true,
  examples: [{ x: [BATCH, 28, 28, 1] }],
  inferShapes: ({ x }, p) => {
    const notImage = needImage(x);
    if (notImage) return notImage;
    const h = convOutSize(x[1], p.kernelSize, p.stride, p.padding);
    const w = convOutSize(x[2], p.kernelSize, p.stride, p.padding);
    if (h < 1 || w < 1)
      return fail(
        'x',
        `a ${p.kernelSize}×${p.kernelSize} kernel with valid padding does not fit in ${formatShape(x)}`,
        'use padding "same" or a smaller kernel',
      );
    return { y: [x[0], h, w, p.filters] };
  },
  countParams: ({ x }, p) => p.kernelSize * p.kernelSize * x[3] * p.filters + (p.bias ? p.filters : 0),
  // Keras's kernel is [k, k, in, out] and its padding TF.js's, as ours.
  keras: (p) => ({
    layers: kerasActivated(
      {
        factory: 'conv2d',
        config: { filters: p.filters, kernelSize: p.kernelSize, strides: p.stride, padding: p.padding, useBias: p.bias },
        weights: p.bias ? ['kernel', 'bias'] : ['kernel'],
      },
      p.activation,
    ),
  }),
  build: (ctx, p) => {
    const w = ctx.variable('kernel', [p.kernelSize, p.kernelSize, ctx.inputShapes.x[3], p.filters], p.init as 'heNormal' | 'glorotUniform');
    const b = p.bias ? ctx.variable('bias', [p.filters], 'zeros') : null;
    const padding = p.padding as 'same' | 'valid';
    return {
      forward: ({ x }, call) => {
        const y = call.tf.conv2d(x as Tensor4D, w as Tensor4D, p.stride, padding);
        return { y: activate(call.tf, b ? y.add(b) : y, p.activation) };
      },
    };
  },
});
