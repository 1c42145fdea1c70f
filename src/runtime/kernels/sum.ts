/**
 * Sum and Mean over leading axes for the wasm backend.
 *
 * Why it exists: every bias gradient is a Sum of dy over all axes but the
 * last (batch, height, width for NHWC), and batch normalisation takes the
 * Mean over the same axes. The shipped wasm kernels only reduce innermost
 * axes, so they first transpose the whole tensor (a strided full copy) and
 * then reduce. When the reduced axes are a leading prefix we
 * instead sum the rows in one SIMD pass (native sum_rows), no copy. Other
 * axis patterns and non-float32 dtypes go to the shipped kernel.
 */
import { backend_util, Mean, Sum, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, byteOffsetOf, f32, original, run } from './wasm_util';
import { nativeKernels } from './native';

function leadingReduction(kernelName: string, mean: boolean): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const be = backend as BackendWasm;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return run(be, kernelName, { x }, attrs);
    const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
    const C = util.sizeFromShape(x.shape.slice(axes.length));
    if (rows * C === 0) return run(be, kernelName, { x }, attrs);
    const outShape = keepDims ? backend_util.expandShapeToKeepDim(x.shape.slice(axes.length), axes) : x.shape.slice(axes.length);
    const out = alloc(be, outShape);
    nativeKernels(be).sumRows(byteOffsetOf(be, x), rows, C, byteOffsetOf(be, out));
    if (mean) {
      const y = f32(be, out);
      for (let c = 0; c < C; c++) y[c] /= rows;
    }
    return out;
  };
}

export function sumConfig(): KernelConfig {
  return { kernelName: Sum, backendName: 'wasm', kernelFunc: leadingReduction(Sum, false), setupFunc: original(Sum).setupFunc };
}

export function meanConfig(): KernelConfig {
  return { kernelName: Mean, backendName: 'wasm', kernelFunc: leadingReduction(Mean, true), setupFunc: original(Mean).setupFunc };
}
