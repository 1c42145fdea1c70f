/**
 * Conv2DBackpropFilter (the filter gradient of tf.conv2d and of
 * tf.conv2dTranspose) for the wasm backend.
 *
 * Why it exists: TF.js 4.22's wasm backend has no Conv2DBackpropFilter at all,
 * so no convolutional model can train on it. We compute
 *   dWᵀ[Cout, kh·kw·C] = dyᵀ[Cout, M] × im2col(x)[M, kh·kw·C]
 * with the shipped XNNPACK GEMM (no transposed operands, so it takes the fast
 * path), unfolding at most the column budget (wasm_util.ts) of columns at a time and
 * summing over image chunks, then transpose the small result to
 * [kh, kw, C, Cout]. Transposing dy (M·Cout floats) is much cheaper than
 * transposing the columns (M·kh·kw·C floats).
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
    const dyc = alloc(be, [1, mc, Cout]);
    const heap = heapF32(be);
    im2col(heap, offsetOf(be, x), g, n0, n1, offsetOf(be, cols));
    const dyOff = offsetOf(be, dy) + n0 * HW * Cout;
    heap.copyWithin(offsetOf(be, dyc), dyOff, dyOff + mc * Cout);
    const dyT = transpose(be, dyc, [0, 2, 1]);
    const part = matmul(be, dyT, cols); // [1, Cout, KC]
    dispose(be, cols, dyc, dyT);
    if (acc) {
      const sum = add(be, acc, part);
      dispose(be, acc, part);
      acc = sum;
    } else acc = part;
  }
  const out = transpose(be, acc!, [0, 2, 1]); // [1, KC, Cout]
  dispose(be, acc);
  out.shape = [kh, kw, C, Cout];
  return out;
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
