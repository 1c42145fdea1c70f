/**
 * Conv2DBackpropFilter (the filter gradient of tf.conv2d and of
 * tf.conv2dTranspose) for the wasm backend.
 *
 * Why it exists: TF.js 4.22's wasm backend has no Conv2DBackpropFilter at all,
 * so no convolutional model can train on it. We compute
 *   dW[kh·kw·C, Cout] = im2col(x)ᵀ[kh·kw·C, M] × dy[M, Cout]
 * with the shipped XNNPACK GEMM (no transposed operands, so it takes the fast
 * path), unfolding at most the column budget (wasm_util.ts) of columns at a
 * time and summing over image chunks. The columns are unfolded row-wise
 * (contiguous runs, memmove speed) and transposed by the shipped wasm
 * Transpose so they are the GEMM's left operand: XNNPACK re-packs the right
 * operand on every call, which for a 3M-float column buffer costs as much as
 * a third of the GEMM; dy, the right operand here, is kh·kw·C/Cout times
 * smaller. (Writing the transposed columns directly from JS is slower: a
 * strided element loop, ~7 ns per float here.)
 */
import { backend_util, Conv2DBackpropFilter, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { add, alloc, chunkImages, dispose, heapF32, matmul, offsetOf, transpose } from './wasm_util';
import { geomOf, im2col } from './im2col';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** dW for NHWC x and dy; exported for reuse by other kernels. */
export function conv2dFilterGrad(be: BackendWasm, x: TensorInfo, dy: TensorInfo, ci: backend_util.Conv2DInfo): TensorInfo {
  const g = geomOf(ci);
  const { N, C, kh, kw, Ho, Wo, Cout } = g;
  const KC = kh * kw * C;
  const HW = Ho * Wo;
  const nb = chunkImages(N, HW * KC);
  let acc: TensorInfo | null = null;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const n1 = Math.min(N, n0 + nb);
    const mc = (n1 - n0) * HW;
    const cols = alloc(be, [1, mc, KC]);
    let dyc: TensorInfo;
    if (n0 === 0 && n1 === N) {
      dyc = { ...dy, shape: [1, mc, Cout] };
    } else {
      dyc = alloc(be, [1, mc, Cout]);
      const s = offsetOf(be, dy) + n0 * HW * Cout;
      heapF32(be).copyWithin(offsetOf(be, dyc), s, s + mc * Cout);
    }
    im2col(heapF32(be), offsetOf(be, x), g, n0, n1, offsetOf(be, cols));
    const colsT = transpose(be, cols, [0, 2, 1]); // [1, KC, mc]
    dispose(be, cols);
    const part = matmul(be, colsT, dyc); // [1, KC, Cout]
    dispose(be, colsT);
    if (dyc.dataId !== dy.dataId) dispose(be, dyc);
    if (acc) {
      const sum = add(be, acc, part);
      dispose(be, acc, part);
      acc = sum;
    } else acc = part;
  }
  acc!.shape = [kh, kw, C, Cout];
  return acc!;
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Attrs;
  const fmt = backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  const ci = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, fmt);
  return conv2dFilterGrad(be, x, dy, ci);
};

export function conv2DBackpropFilterConfig(): KernelConfig {
  return { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter };
}
