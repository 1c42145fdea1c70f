/**
 * Conv2DBackpropInput (the input gradient of tf.conv2d, and the forward pass
 * of tf.conv2dTranspose) for the wasm backend.
 *
 * Why it exists: the shipped wasm kernel is a naive loop (~1.7 GFLOP/s, ten
 * times slower than the forward convolution of the same size). We compute
 * the column gradient with one GEMM per chunk of images and fold it back
 * (col2im) on our native kernels (conv_geom.ts).
 */
import { backend_util, Conv2DBackpropInput, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convInputGrad, geomOf, type ConvAttrs } from './conv_geom';

interface Attrs extends ConvAttrs {
  inputShape: [number, number, number, number];
}

const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Attrs;
  const ci = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC'),
  );
  return convInputGrad(backend as BackendWasm, dy, filter, geomOf(ci));
};

export function conv2DBackpropInputConfig(): KernelConfig {
  return { kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput };
}
