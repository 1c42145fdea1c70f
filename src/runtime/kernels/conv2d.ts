/**
 * Conv2D and FusedConv2D (forward convolution) for the wasm backend.
 *
 * Why it exists: the shipped kernels hand 'same' padding to XNNPACK as
 * "TensorFlow SAME padding", which XNNPACK gets wrong when the stride exceeds
 * the kernel size (e.g. a 2x1 kernel with stride 3 reads zeros where TF.js's
 * cpu backend reads pixels). We resolve the padding ourselves with
 * computeConv2DInfo and pass it as explicit top/bottom/left/right pads, which
 * XNNPACK handles exactly; the convolution itself stays on XNNPACK (its
 * indirect GEMM is as fast as our im2col + GEMM would be, with no column
 * buffer).
 */
import { backend_util, Conv2D, FusedConv2D, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { original, run } from './wasm_util';

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The same attrs with 'same' / numeric padding resolved to explicit pads. */
export function explicitPadAttrs<A extends ConvAttrs>(x: TensorInfo, filter: TensorInfo, attrs: A): A {
  if (Array.isArray(attrs.pad) || attrs.pad === 'valid') return attrs;
  const ci = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'));
  const p = ci.padInfo;
  return { ...attrs, pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]], dimRoundingMode: undefined };
}

const conv2d: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  return run(backend as BackendWasm, Conv2D, inputs as never, explicitPadAttrs(x, filter, attrs as unknown as ConvAttrs) as never);
};

const fusedConv2d: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  return run(backend as BackendWasm, FusedConv2D, inputs as never, explicitPadAttrs(x, filter, attrs as unknown as ConvAttrs) as never);
};

export function conv2dConfig(): KernelConfig {
  return { kernelName: Conv2D, backendName: 'wasm', kernelFunc: conv2d, setupFunc: original(Conv2D).setupFunc };
}

export function fusedConv2dConfig(): KernelConfig {
  return { kernelName: FusedConv2D, backendName: 'wasm', kernelFunc: fusedConv2d, setupFunc: original(FusedConv2D).setupFunc };
}
