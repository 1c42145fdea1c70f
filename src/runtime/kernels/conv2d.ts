/**
 * Conv2D and FusedConv2D (forward convolution) for the wasm backend.
 *
 * Why it exists: on our GEMM (conv_geom.ts) the forward convolution runs
 * faster than the shipped XNNPACK one (measured in bench/kernels.ts), and the
 * shipped kernels hand 'same' padding to XNNPACK as "TensorFlow SAME
 * padding", which XNNPACK gets wrong when the stride exceeds the kernel size;
 * we resolve the padding with computeConv2DInfo like the cpu backend.
 */
import { backend_util, Conv2D, FusedConv2D, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { biasAndActivation, original, type FusedActivation } from './wasm_util';
import { convForward, geomOf, type ConvAttrs } from './conv_geom';

interface ForwardAttrs extends ConvAttrs {
  dilations?: [number, number] | number;
  activation?: FusedActivation;
  leakyreluAlpha?: number;
}

function forward(be: BackendWasm, x: TensorInfo, filter: TensorInfo, attrs: ForwardAttrs): TensorInfo {
  const ci = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'),
  );
  return convForward(be, x, filter, geomOf(ci));
}

const conv2d: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  return forward(backend as BackendWasm, x, filter, attrs as unknown as ForwardAttrs);
};

const fusedConv2d: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo>;
  const a = attrs as unknown as ForwardAttrs;
  return biasAndActivation(be, forward(be, x, filter, a), bias, preluActivationWeights, a.activation, a.leakyreluAlpha);
};

export function conv2dConfig(): KernelConfig {
  return { kernelName: Conv2D, backendName: 'wasm', kernelFunc: conv2d, setupFunc: original(Conv2D).setupFunc };
}

export function fusedConv2dConfig(): KernelConfig {
  return { kernelName: FusedConv2D, backendName: 'wasm', kernelFunc: fusedConv2d, setupFunc: original(FusedConv2D).setupFunc };
}
