/**
 * Conv2DBackpropInput (the input gradient of tf.conv2d, and the forward pass
 * of tf.conv2dTranspose) for the wasm backend.
 *
 * Why it exists: the shipped wasm kernel is a naive loop (~1.7 GFLOP/s, ten
 * times slower than the forward convolution of the same size). Two fast paths:
 *
 * - stride 1: the input gradient is itself a stride-1 convolution of dy with
 *   the filter rotated 180° and its channel axes swapped, padded by
 *   (k-1-pad) on each side. It runs on the shipped XNNPACK Conv2D.
 * - any other stride: cols[M, kh·kw·C] = dy[M, Cout] × Wᵀ[Cout, kh·kw·C] on
 *   the XNNPACK GEMM, then col2im folds the columns back into dx, a chunk of
 *   images at a time so the column buffer stays bounded.
 */
import { backend_util, Conv2DBackpropInput, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, chunkImages, dispose, heapF32, matmul, offsetOf, run, transpose } from './wasm_util';
import { col2imAdd, geomOf } from './im2col';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** dx for a stride-1, dilation-1 convolution, as a convolution. */
function viaConv(be: BackendWasm, dy: TensorInfo, filter: TensorInfo, ci: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, padInfo } = ci;
  const rev = run(be, 'Reverse', { x: filter }, { dims: [0, 1] });
  const wt = transpose(be, rev, [0, 1, 3, 2]); // [kh, kw, Cout, C]
  dispose(be, rev);
  const pad: backend_util.ExplicitPadding = [
    [0, 0], [kh - 1 - padInfo.top, kh - 1 - padInfo.bottom], [kw - 1 - padInfo.left, kw - 1 - padInfo.right], [0, 0]];
  const out = run(be, 'Conv2D', { x: dy, filter: wt },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as never);
  dispose(be, wt);
  return out;
}

/** dx via GEMM + col2im (any stride / dilation). */
function viaGemm(be: BackendWasm, dy: TensorInfo, filter: TensorInfo, ci: backend_util.Conv2DInfo): TensorInfo {
  const g = geomOf(ci);
  const { N, H, W, C, kh, kw, Ho, Wo, Cout } = g;
  const KC = kh * kw * C;
  const HW = Ho * Wo;
  const w2 = { ...filter, shape: [1, KC, Cout] };
  const wT = transpose(be, w2, [0, 2, 1]); // [1, Cout, KC]
  const dx = alloc(be, [N, H, W, C]);
  heapF32(be).fill(0, offsetOf(be, dx), offsetOf(be, dx) + N * H * W * C);
  const nb = chunkImages(N, HW * KC);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const n1 = Math.min(N, n0 + nb);
    const mc = (n1 - n0) * HW;
    let dyc: TensorInfo;
    if (n0 === 0 && n1 === N) {
      dyc = { ...dy, shape: [1, mc, Cout] };
    } else {
      dyc = alloc(be, [1, mc, Cout]);
      const h = heapF32(be);
      const s = offsetOf(be, dy) + n0 * HW * Cout;
      h.copyWithin(offsetOf(be, dyc), s, s + mc * Cout);
    }
    const cols = matmul(be, dyc, wT); // [1, mc, KC]
    if (dyc.dataId !== dy.dataId) dispose(be, dyc);
    col2imAdd(heapF32(be), offsetOf(be, cols), g, n0, n1, offsetOf(be, dx));
    dispose(be, cols);
  }
  dispose(be, wT);
  return dx;
}

export function conv2dInputGrad(be: BackendWasm, dy: TensorInfo, filter: TensorInfo, ci: backend_util.Conv2DInfo): TensorInfo {
  const stride1 = ci.strideHeight === 1 && ci.strideWidth === 1 && ci.dilationHeight === 1 && ci.dilationWidth === 1;
  const padsFit = ci.padInfo.top < ci.filterHeight && ci.padInfo.bottom < ci.filterHeight &&
    ci.padInfo.left < ci.filterWidth && ci.padInfo.right < ci.filterWidth;
  return stride1 && padsFit ? viaConv(be, dy, filter, ci) : viaGemm(be, dy, filter, ci);
}

const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Attrs;
  const fmt = backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') throw new Error('wasm Conv2DBackpropInput supports NHWC only');
  const ci = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, fmt);
  return conv2dInputGrad(be, dy, filter, ci);
};

export function conv2DBackpropInputConfig(): KernelConfig {
  return { kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput };
}
