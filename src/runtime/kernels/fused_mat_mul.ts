/**
 * _FusedMatMul (matmul + bias + activation, used by tf.fused.matMul and the
 * tfjs-layers Dense layer) for the wasm backend.
 *
 * Why it exists: the shipped fused kernel reaches XNNPACK only when neither
 * operand is transposed and adds the bias wrongly when the batch dimension is
 * > 1 (results differ from cpu by O(1)). We run our GEMM (batch_mat_mul.ts),
 * then the shipped bias-add and activation kernels.
 * Its gradient is built from BatchMatMul.
 */
import { _FusedMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { biasAndActivation, original, run, type FusedActivation } from './wasm_util';
import { gemmBatched } from './batch_mat_mul';

interface Attrs {
  transposeA: boolean;
  transposeB: boolean;
  activation: FusedActivation;
  leakyreluAlpha?: number;
}

const fusedMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo>;
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as Attrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return run(be, _FusedMatMul, inputs as never, attrs);
  const y = gemmBatched(be, a, b, transposeA, transposeB);
  return biasAndActivation(be, y, bias, preluActivationWeights, activation, leakyreluAlpha);
};

export function fusedMatMulConfig(): KernelConfig {
  return { kernelName: _FusedMatMul, backendName: 'wasm', kernelFunc: fusedMatMul, setupFunc: original(_FusedMatMul).setupFunc };
}
