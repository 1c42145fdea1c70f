import type { Tensor4D } from '@tensorflow/tfjs-core';
import { defineNode, fail, isFailure, type Tensor, type TF, type Variable } from '../src/graph/nodeApi';
import { bool, choice, intList } from '../src/graph/params';
import { BATCH, formatShape, type Shape } from '../src/graph/shape';
import { activate } from './lib/activations';
import { FLOW_CAPABILITY, FLOW_INPUTS, FLOW_OUTPUTS, flowShapes, sumPerExample } from './lib/flow';

export const COUPLING_MASKS = ['checkerboard', 'channel'] as const;

/**
 * 1 where an example's value is kept (passes through, and the net reads it), 0
 * where it is transformed; shaped like one example (D, or H×W×C). Checkerboard:
 * alternate features, or alternate pixels with all their channels; channel: the
 * first half of the features or channels. `flip` swaps the halves.
 */
export function couplingMask(example: Shape, mask: string, flip: boolean): Float32Array {
  const out = new Float32Array(example.reduce((a, b) => a * b, 1));
  const channels = example[example.length - 1];
  const width = example.length === 3 ? example[1] : 1;
  for (let i = 0; i < out.length; i++) {
    const c = i % channels;
    let kept: boolean;
    if (mask === 'channel') kept = c < channels / 2;
    else if (example.length === 1) kept = c % 2 === 0;
    else {
      const pixel = Math.floor(i / channels);
      kept = (Math.floor(pixel / width) + (pixel % width)) % 2 === 0;
    }
    out[i] = kept !== flip ? 1 : 0;
  }
  return out;
}

export default defineNode({
  kind: 'layer',
  type: 'affineCoupling',
  title: 'Affine coupling (RealNVP)',
  category: 'flows',
  flow: FLOW_CAPABILITY,
  doc: 'An invertible layer (RealNVP, Dinh et al. 2017). A mask splits each example in two halves. The kept half passes through unchanged; a small network reads it and gives a log-scale s and a shift t for the other half: y = x·exp(s) + t there. Since the network only sees values that pass through, the inverse is just as easy, x = (y − t)·exp(−s), and log |det ∂y/∂x| = Σ s. Its network is set by its parameters, as an Encoder’s is: one hidden layer per entry of hidden, of that many dense units (vectors) or 3×3 convolution filters (images), then a layer that starts at zero, so the coupling starts as the identity; “Show the layers inside” lists them with their shapes. s = scale·tanh(raw) with a learned scale per feature keeps the scale bounded, which steadies training. Stack couplings with flip alternating so that every value gets transformed.',
  inputs: FLOW_INPUTS,
  outputs: FLOW_OUTPUTS,
  equation: {
    tex: () =>
      String.raw`\begin{aligned}\port{y}{y} &= m \odot \port{x}{x}\\ &\quad + (1 - m) \odot \big(x \odot e^{s} + t\big)\\ (s, t) &= \mathrm{NN}(m \odot x)\\ \port{logDet}{\log \lvert \det \tfrac{\partial y}{\partial x} \rvert} &= \textstyle\sum_i s_i\\ &\quad (s = 0 \text{ where } m = 1)\end{aligned}`,
    compact: () =>
      String.raw`\port{y}{y} = \port{x}{x} \odot e^{s} + t \newline \port{logDet}{\log\lvert\det J\rvert} = \textstyle\sum_i s_i`,
    caption: () =>
      'The mask m keeps half of each example; a network reads only that half and gives a log-scale s (bounded: scale·tanh) and a shift t for the other half. The inverse is x = (y − t) ⊙ e^(−s), and the log-determinant is the sum of s over each example’s values.',
  },
  params: {
    mask: choice(
      COUPLING_MASKS,
      'checkerboard',
      'which values are kept: checkerboard = every other feature (or pixel); channel = the first half of the features (or channels)',
    ),
    flip: bool(false, 'transform the other half instead; alternate it between consecutive couplings'),
    hidden: intList({
      default: [64, 64],
      min: 1,
      max: 4096,
      minLength: 1,
      maxLength: 8,
      doc: 'the network that gives s and t: dense units (vectors) or 3×3 convolution filters (images) per hidden layer, e.g. 256, 256',
    }),
    activation: choice(['relu', 'leakyRelu', 'tanh'], 'relu', 'activation of the hidden layers'),
  },
  keyParams: ['mask', 'flip', 'hidden'],
  trainable: true,
  // Version 1 had hiddenLayers × hiddenUnits, the same width in every hidden layer.
  version: 2,
  migrate: (params) => {
    const { hiddenLayers, hiddenUnits, ...rest } = params;
    const layers = typeof hiddenLayers === 'number' ? hiddenLayers : 2;
    const units = typeof hiddenUnits === 'number' ? hiddenUnits : 64;
    return { ...rest, hidden: Array.from({ length: layers }, () => units) };
  },
  examples: [{ x: [BATCH, 8, 8, 2] }, { x: [BATCH, 2] }],
  inferShapes: ({ x }, p) => {
    const shapes = flowShapes(x);
    if (isFailure(shapes)) return shapes;
    const channels = x[x.length - 1];
    if (x.length === 2 && channels < 2)
      return fail(
        'x',
        `a coupling splits each example in two, but ${formatShape(x)} has one value per example`,
        'couple 2 or more features',
      );
    if (x.length === 4 && p.mask === 'channel' && channels % 2 !== 0)
      return fail(
        'x',
        `the channel mask keeps the first half of the channels, but ${channels} channel${channels === 1 ? '' : 's'} do not split in two (${formatShape(x)})`,
        'use the checkerboard mask, or put a Squeeze before it (it turns C channels into 4C)',
      );
    if (x.length === 4 && p.mask === 'checkerboard' && x[1] * x[2] < 2)
      return fail('x', `a checkerboard needs 2 or more pixels, got ${formatShape(x)}`, 'use the channel mask');
    return shapes;
  },
  countParams: ({ x }, p) => {
    const perPosition = x.length === 4 ? 9 : 1;
    const channels = x[x.length - 1];
    let count = 0;
    let width = channels;
    for (const units of p.hidden) {
      count += perPosition * width * units + units;
      width = units;
    }
    return count + perPosition * width * 2 * channels + 2 * channels + channels;
  },
  innerNetwork: ({ x }, p) => {
    const image = x.length === 4;
    const channels = x[x.length - 1];
    const at = (width: number): Shape => [...x.slice(0, -1), width];
    const width = (n: number) => (image ? { filters: n, kernelSize: 3 } : { units: n });
    const title = image ? 'Conv2D' : 'Dense';
    const hiddenIds = p.hidden.map((_, i) => `hidden${i}`);
    const last = hiddenIds[hiddenIds.length - 1] ?? 'mask';
    return [
      { id: 'mask', title: 'Mask', params: { keeps: p.flip ? `${p.mask}, flipped` : p.mask, others: 'set to 0' }, reads: ['x'], output: x },
      ...p.hidden.map((units, i) => ({
        id: hiddenIds[i],
        title,
        params: { ...width(units), activation: p.activation },
        reads: [i === 0 ? 'mask' : hiddenIds[i - 1]],
        output: at(units),
      })),
      {
        id: 'out',
        title,
        params: { ...width(2 * channels), activation: 'linear', starts: 'at zero' },
        reads: [last],
        output: at(2 * channels),
      },
      {
        id: 's',
        title: 'Log-scale s',
        params: { from: 'first half', as: 'scale · tanh', on: 'transformed half' },
        reads: ['out'],
        output: x,
      },
      { id: 't', title: 'Shift t', params: { from: 'second half', on: 'transformed half' }, reads: ['out'], output: x },
    ];
  },
  build: (ctx, p) => {
    const x = ctx.inputShapes.x;
    const image = x.length === 4;
    const channels = x[x.length - 1];
    const example = x.slice(1);
    const kernelShape = (inputs: number, outputs: number) => (image ? [3, 3, inputs, outputs] : [inputs, outputs]);
    const hidden: { kernel: Variable; bias: Variable }[] = [];
    let width = channels;
    p.hidden.forEach((units, i) => {
      hidden.push({
        kernel: ctx.variable(`hidden${i}Kernel`, kernelShape(width, units), p.activation === 'tanh' ? 'glorotUniform' : 'heNormal'),
        bias: ctx.variable(`hidden${i}Bias`, [units], 'zeros'),
      });
      width = units;
    });
    // Zero weights make s = t = 0: every coupling starts as the identity (Glow), which keeps deep stacks trainable.
    const outKernel = ctx.variable('outKernel', kernelShape(width, 2 * channels), 'zeros');
    const outBias = ctx.variable('outBias', [2 * channels], 'zeros');
    const scale = ctx.variable('scale', [channels], 'ones');
    const keep = ctx.tf.tensor(couplingMask(example, p.mask, p.flip), example);
    const change = ctx.tf.sub(1, keep);
    const linear = (tf: TF, h: Tensor, kernel: Variable) =>
      image ? tf.conv2d(h as Tensor4D, kernel as Tensor4D, 1, 'same') : tf.matMul(h, kernel);
    /** s and t from the kept values alone; both are 0 on the kept values, so those pass through y = x·exp(s) + t unchanged. */
    const scaleAndShift = (tf: TF, values: Tensor) => {
      let h = values.mul(keep);
      for (const layer of hidden) h = activate(tf, linear(tf, h, layer.kernel).add(layer.bias), p.activation);
      const [raw, shift] = tf.split(linear(tf, h, outKernel).add(outBias), 2, -1);
      return { s: tf.tanh(raw).mul(scale).mul(change), t: shift.mul(change) };
    };
    return {
      forward: ({ x }, call) => {
        const { s, t } = scaleAndShift(call.tf, x);
        return { y: x.mul(call.tf.exp(s)).add(t), logDet: sumPerExample(s) };
      },
      // The kept values of y are those of x, so the net gives the same s and t.
      inverse: (y, call) => {
        const { s, t } = scaleAndShift(call.tf, y);
        return y.sub(t).mul(call.tf.exp(s.neg()));
      },
    };
  },
});
