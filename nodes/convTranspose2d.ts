import type { Tensor4D } from '@tensorflow/tfjs-core';
import { defineNode } from '../src/graph/nodeApi';
import { bool, choice, int } from '../src/graph/params';
import { ACTIVATIONS, activate, kerasActivated } from './lib/activations';
import { PADDINGS, convTransposeOutSize, needImage } from './lib/conv';
import { BATCH } from '../src/graph/shape';

export default defineNode({
  kind: 'layer',
  type: 'convTranspose2d',
  title: 'Up-convolution 2D',
  category: 'layers',
  doc: 'A transposed convolution: the mirror image of a strided convolution, so it makes images larger. With stride 2 and "same" padding it doubles height and width (7 → 14 → 28), which is how decoders and GAN generators grow a small feature map into a full image.',
  inputs: { x: { type: 'tensor', kind: 'image', doc: 'B×H×W×C image' } },
  outputs: { y: { type: 'tensor', kind: 'image', doc: 'B×(H·stride)×(W·stride)×filters with "same" padding' } },
  params: {
    filters: int({ default: 32, min: 1, max: 4096, doc: 'output channels' }),
    kernelSize: int({ default: 4, min: 1, max: 15, doc: 'height and width of each filter' }),
    stride: int({ default: 2, min: 1, max: 8, doc: 'upsampling factor' }),
    padding: choice(PADDINGS, 'same', 'same: output = input × stride; valid: output = (input − 1) × stride + kernel'),
    activation: choice(ACTIVATIONS, 'relu'),
    bias: bool(true, 'add a learned offset per channel'),
    init: choice(['glorotUniform', 'heNormal'], 'glorotUniform', 'initial weights: He suits ReLU, Glorot suits tanh/sigmoid/linear'),
  },
  keyParams: ['filters', 'kernelSize', 'stride'],
  trainable: true,
  examples: [{ x: [BATCH, 7, 7, 8] }],
  inferShapes: ({ x }, p) => {
    const notImage = needImage(x);
    if (notImage) return notImage;
    const size = (n: number) => convTransposeOutSize(n, p.kernelSize, p.stride, p.padding);
    return { y: [x[0], size(x[1]), size(x[2]), p.filters] };
  },
  countParams: ({ x }, p) => p.kernelSize * p.kernelSize * x[3] * p.filters + (p.bias ? p.filters : 0),
  // Keras's Conv2DTranspose keeps [k, k, out, in] too, and sizes its output as inferShapes does.
  keras: (p) => ({
    layers: kerasActivated(
      {
        factory: 'conv2dTranspose',
        config: { filters: p.filters, kernelSize: p.kernelSize, strides: p.stride, padding: p.padding, useBias: p.bias },
        weights: p.bias ? ['kernel', 'bias'] : ['kernel'],
      },
      p.activation,
    ),
  }),
  build: (ctx, p) => {
    // TF.js stores a transposed kernel as [k, k, outChannels, inChannels].
    const w = ctx.variable('kernel', [p.kernelSize, p.kernelSize, p.filters, ctx.inputShapes.x[3]], p.init as 'heNormal' | 'glorotUniform');
    const b = p.bias ? ctx.variable('bias', [p.filters], 'zeros') : null;
    const [, h, wd, c] = ctx.outputShapes.y;
    const padding = p.padding as 'same' | 'valid';
    return {
      forward: ({ x }, call) => {
        const y = call.tf.conv2dTranspose(x as Tensor4D, w as Tensor4D, [x.shape[0], h, wd, c], p.stride, padding);
        return { y: activate(call.tf, b ? y.add(b) : y, p.activation) };
      },
    };
  },
});
