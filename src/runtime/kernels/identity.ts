/**
 * Identity for the wasm backend, without a copy.
 *
 * Why it exists: during training the engine clones every tensor a gradient
 * will need (tf.clone → Identity), and tf.broadcastTo clones when no
 * broadcasting is needed. The shipped wasm Identity copies the whole buffer
 * each time — for a DCGAN discriminator step that is ~20 full-activation
 * copies. Tensors are immutable and the wasm backend reference-counts its
 * buffers (its Reshape already shares them), so, as the cpu backend does, we
 * share the buffer and bump its reference count.
 */
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { original, run } from './wasm_util';

const identity: KernelFunc = ({ inputs, backend }) => {
  const be = backend as BackendWasm;
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') return run(be, Identity, { x });
  be.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

export function identityConfig(): KernelConfig {
  return { kernelName: Identity, backendName: 'wasm', kernelFunc: identity, setupFunc: original(Identity).setupFunc };
}
