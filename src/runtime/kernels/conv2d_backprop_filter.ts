/**
 * Conv2DBackpropFilter (the filter gradient of tf.conv2d and of
 * tf.conv2dTranspose) for the wasm backend.
 *
 * Why it exists: TF.js 4.22's wasm backend has no Conv2DBackpropFilter at all,
 * so no convolutional model can train on it. We compute it as one GEMM per
 * chunk of images on our native kernels (conv_geom.ts).
 */
import { backend_util, Conv2DBackpropFilter, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convFilterGrad, geomOf, type ConvAttrs } from './conv_geom';

interface Attrs extends ConvAttrs {
  filterShape: [number, number, number, number];
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Attrs;
  const ci = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC'),
  );
  return convFilterGrad(backend as BackendWasm, x, dy, geomOf(ci));
};

export function conv2DBackpropFilterConfig(): KernelConfig {
  return { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter };
}
