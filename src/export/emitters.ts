/**
 * One small emitter per node type: the PyTorch module a layer with weights
 * becomes, where its checkpoint tensors go, and its forward pass in training
 * as a Python expression. Every expression is written for NCHW images (see
 * layers.py): 4-D values are NCHW in PyTorch where they are NHWC in Latent Lab,
 * every other value has the same layout in both. A type with no emitter here
 * cannot be exported.
 */
import type { CompiledNode } from '../compiler/plan';
import { DIFFUSION_EMITTERS } from './diffusionEmitters';
import { activate, flag, num, rank, str, unsupported, type Emitter, type Layout, type TensorMapping, type Values } from './emitterKit';
import { ExportError } from './errors';
import { FLOW_EMITTERS } from './flowEmitters';
import { pyNumber, pyString } from './names';

export { Tuple, type Emitter, type Outputs, type Pass, type TensorMapping } from './emitterKit';

/**
 * TF.js 'same' padding: ⌈n/stride⌉ outputs, the total padding split with the odd
 * one at the end. PyTorch pads both sides alike, so an uneven split gets an F.pad.
 */
function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function convPadding(n: CompiledNode): { module: string; pad: [number, number, number, number] | null } {
  if (str(n, 'padding') === 'valid') return { module: '0', pad: null };
  const [, h, w] = n.inputShapes.x;
  const [top, bottom] = samePadding(h, num(n, 'kernelSize'), num(n, 'stride'));
  const [left, right] = samePadding(w, num(n, 'kernelSize'), num(n, 'stride'));
  if (top === bottom && left === right) return { module: top === left ? `${top}` : `(${top}, ${left})`, pad: null };
  return { module: '0', pad: [left, right, top, bottom] };
}

const weightAndBias = (n: CompiledNode, layout: Layout): TensorMapping[] => [
  { ours: 'kernel', kind: 'var', torch: 'weight', layout },
  ...(flag(n, 'bias') ? [{ ours: 'bias', kind: 'var' as const, torch: 'bias', layout: 'same' as const }] : []),
];

/** Joins and reshapes act on Latent Lab's value order; these put NCHW images into it and back. */
const toOurOrder = (expr: string, r: number) => (r === 4 ? `${expr}.permute(0, 2, 3, 1)` : expr);

const CORE: Record<string, Emitter> = {
  dataset: { forward: () => ({ x: 'batch["x"]' }) },
  label: { forward: () => ({ y: 'batch["y"]' }) },
  flatten: {
    forward: (n, { x }) => ({ y: `${toOurOrder(x, rank(n, 'x'))}.reshape(${x}.shape[0], -1)` }),
  },
  reshape: {
    forward: (n, { x }) => {
      const shape = (n.params as Values).shape as number[];
      const reshaped = `${toOurOrder(x, rank(n, 'x'))}.reshape(-1, ${shape.join(', ')})`;
      return { y: shape.length === 3 ? `${reshaped}.permute(0, 3, 1, 2)` : reshaped };
    },
  },
  concat: {
    forward: (n, x) => {
      const parts = ['a', 'b', 'c'].filter((p) => x[p]).map((p) => x[p]);
      return { y: `torch.cat([${parts.join(', ')}], dim=${rank(n, 'a') === 4 ? 1 : -1})` };
    },
  },
  add: { forward: (_n, { a, b }) => ({ y: `${a} + ${b}` }) },
  activation: { forward: (n, { x }) => ({ y: activate(x, str(n, 'fn'), num(n, 'leak')) }) },
  dense: {
    module: (n) => `nn.Linear(${n.inputShapes.x[1]}, ${num(n, 'units')}${flag(n, 'bias') ? '' : ', bias=False'})`,
    tensors: (n) => weightAndBias(n, 'dense'),
    forward: (n, { x }, m) => ({ y: activate(`${m}(${x})`, str(n, 'activation')) }),
  },
  conv2d: {
    module: (n) => {
      const { module } = convPadding(n);
      return `nn.Conv2d(${n.inputShapes.x[3]}, ${num(n, 'filters')}, ${num(n, 'kernelSize')}, stride=${num(n, 'stride')}, padding=${module}${flag(n, 'bias') ? '' : ', bias=False'})`;
    },
    tensors: (n) => weightAndBias(n, 'conv'),
    forward: (n, { x }, m) => {
      const { pad } = convPadding(n);
      return { y: activate(`${m}(${pad ? `F.pad(${x}, (${pad.join(', ')}))` : x})`, str(n, 'activation')) };
    },
  },
  convTranspose2d: {
    module: (n) => {
      const k = num(n, 'kernelSize');
      const s = num(n, 'stride');
      let padding = 0;
      let outputPadding = 0;
      if (str(n, 'padding') === 'same') {
        // The mirror of a 'same' convolution from n·stride to n: it pads k − stride in all, half before.
        const total = k - s;
        if (total < 0) outputPadding = -total;
        else if (total % 2)
          throw unsupported(
            n,
            `'same' padding with kernel ${k} and stride ${s} crops unevenly, which PyTorch's ConvTranspose2d cannot`,
            'use a kernel size that differs from the stride by an even number (e.g. kernel 4, stride 2)',
          );
        else padding = total / 2;
      }
      const extra = `${outputPadding ? `, output_padding=${outputPadding}` : ''}${flag(n, 'bias') ? '' : ', bias=False'}`;
      return `nn.ConvTranspose2d(${n.inputShapes.x[3]}, ${num(n, 'filters')}, ${k}, stride=${s}, padding=${padding}${extra})`;
    },
    tensors: (n) => weightAndBias(n, 'conv_transpose'),
    forward: (n, { x }, m) => ({ y: activate(`${m}(${x})`, str(n, 'activation')) }),
  },
  maskedConv2d: {
    module: (n) =>
      `MaskedConv2d(${n.inputShapes.x[3]}, ${num(n, 'filters')}, ${num(n, 'kernelSize')}, mask_type=${pyString(str(n, 'maskType'))}${flag(n, 'bias') ? '' : ', bias=False'})`,
    tensors: (n) => weightAndBias(n, 'conv'),
    forward: (n, { x }, m) => ({ y: activate(`${m}(${x})`, str(n, 'activation')) }),
  },
  batchNorm: {
    module: (n) => {
      const shape = n.inputShapes.x;
      return `BatchNorm(${shape[shape.length - 1]}, momentum=${pyNumber(num(n, 'momentum'))}, eps=${pyNumber(num(n, 'epsilon'))})`;
    },
    tensors: () => [
      { ours: 'gamma', kind: 'var', torch: 'gamma', layout: 'same' },
      { ours: 'beta', kind: 'var', torch: 'beta', layout: 'same' },
      { ours: 'runningMean', kind: 'state', torch: 'running_mean', layout: 'same' },
      { ours: 'runningVar', kind: 'state', torch: 'running_var', layout: 'same' },
    ],
    forward: (_n, { x }, m) => ({ y: `${m}(${x})` }),
  },
  avgPool2d: {
    forward: (n, { x }) => {
      const k = num(n, 'poolSize');
      const [, h, w] = n.inputShapes.x;
      if (str(n, 'padding') === 'valid' || (h % k === 0 && w % k === 0)) return { y: `F.avg_pool2d(${x}, ${k})` };
      // Windows past the edge average the cells that exist, as TF.js does; ceil_mode pads only after, as TF.js does for a pad of one.
      if (Math.max(Math.ceil(h / k) * k - h, Math.ceil(w / k) * k - w) > 1)
        throw unsupported(
          n,
          `'same' pooling of ${h}×${w} in windows of ${k} pads before the first row too, which PyTorch's avg_pool2d cannot`,
          'use padding valid, or a map size one short of a multiple of the pool size',
        );
      return { y: `F.avg_pool2d(${x}, ${k}, ceil_mode=True, count_include_pad=False)` };
    },
  },
  upSample2d: {
    forward: (n, { x }) => ({
      // align_corners=False samples at half-pixel centres with the edge repeated, as our bilinear upsampling does.
      y:
        str(n, 'method') === 'bilinear'
          ? `F.interpolate(${x}, scale_factor=${num(n, 'scale')}, mode="bilinear", align_corners=False)`
          : `F.interpolate(${x}, scale_factor=${num(n, 'scale')}, mode="nearest")`,
    }),
  },
  sampler: {
    // Training draws z = μ + σ·ε; the other modes (μ itself, prior draws) are not part of training.
    forward: (_n, { mean, logVar }) => ({ z: `${mean} + torch.exp(0.5 * ${logVar}) * draw("normal", ${mean}.shape)` }),
  },
  noise: {
    forward: (n) => {
      const shape = `(batch["size"], ${num(n, 'size')})`;
      return { z: str(n, 'distribution') === 'uniform' ? `draw("uniform", ${shape}, -1, 1)` : `draw("normal", ${shape})` };
    },
  },
  bce: {
    forward: (n, { prediction, target }) => ({
      loss: `bce(${prediction}, ${target}, from_logits=${flag(n, 'fromLogits') ? 'True' : 'False'}, reduction=${pyString(str(n, 'reduction'))})`,
    }),
  },
  mse: {
    forward: (n, { prediction, target }) => ({ loss: `mse(${prediction}, ${target}, ${pyString(str(n, 'reduction'))})` }),
  },
  categorical256: {
    forward: (n, { prediction, target }) => ({ loss: `categorical256(${prediction}, ${target}, ${pyString(str(n, 'reduction'))})` }),
  },
  gaussianKl: { forward: (_n, { mean, logVar }) => ({ loss: `gaussian_kl(${mean}, ${logVar})` }) },
  weightedSum: {
    forward: (n, x) => {
      const terms = ['a', 'b', 'c', 'd']
        .filter((t) => x[t])
        .map((t) => {
          const w = num(n, `w${t}`);
          return w === 1 ? x[t] : `${pyNumber(w)} * ${x[t]}`;
        });
      return { loss: terms.join(' + ') };
    },
  },
  ganLoss: {
    forward: (n, { realLogits, fakeLogits }) => ({
      loss:
        str(n, 'player') === 'discriminator'
          ? `discriminator_loss(${pyString(str(n, 'kind'))}, ${realLogits}, ${fakeLogits})`
          : `generator_loss(${pyString(str(n, 'kind'))}, ${fakeLogits})`,
    }),
  },
};

export const EMITTERS: Record<string, Emitter> = { ...CORE, ...FLOW_EMITTERS, ...DIFFUSION_EMITTERS };

/** The emitter of `n`, or the typed refusal naming it. */
export function emitterFor(n: CompiledNode): Emitter {
  const e = EMITTERS[n.type];
  if (e) return e;
  const what = n.id === n.docId ? `(type ${n.type})` : `holds a layer of type ${n.type} (${n.id.slice(n.docId.length + 1)})`;
  throw new ExportError(
    'no-emitter',
    n.docId,
    n.type,
    `node "${n.docId}" ${what}, which has no PyTorch counterpart in the exporter yet`,
    `export a graph without it, or keep training this one in Latent Lab (exported types: ${Object.keys(EMITTERS).sort().join(', ')})`,
  );
}
