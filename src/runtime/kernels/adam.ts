/**
 * One fused Adam update for one variable on the wasm backend (a kernel of
 * our own, used by src/runtime/adam.ts).
 *
 * Why it exists: TF.js's Adam spends ten elementwise kernels and eight
 * temporary tensors per variable per step; on wasm that was ~15 ms of a
 * 55 ms VAE step. The native loop (native adam_f32) reads w, m, v and the
 * gradient once and writes the three new tensors in one pass, in TF.js's
 * operation order.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, byteOffsetOf, size } from './wasm_util';
import { nativeKernels, type AdamStep } from './native';

export const ADAM_UPDATE = 'LatentLabAdamUpdate';

const adamUpdate: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { w, m, v, g } = inputs as { w: TensorInfo; m: TensorInfo; v: TensorInfo; g: TensorInfo };
  const out = [alloc(be, w.shape), alloc(be, w.shape), alloc(be, w.shape)];
  nativeKernels(be).adam(
    byteOffsetOf(be, w),
    byteOffsetOf(be, m),
    byteOffsetOf(be, v),
    byteOffsetOf(be, g),
    { w: byteOffsetOf(be, out[0]), m: byteOffsetOf(be, out[1]), v: byteOffsetOf(be, out[2]) },
    size(w),
    attrs as unknown as AdamStep,
  );
  return out;
};

export function adamUpdateConfig(): KernelConfig {
  return { kernelName: ADAM_UPDATE, backendName: 'wasm', kernelFunc: adamUpdate };
}
