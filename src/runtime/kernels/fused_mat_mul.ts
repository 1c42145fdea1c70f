/**
 * _FusedMatMul (matmul + bias + activation, used by tf.fused.matMul and the
 * tfjs-layers Dense layer) for the wasm backend, fast when an operand is
 * transposed.
 *
 * Why it exists: like BatchMatMul, the shipped fused kernel only reaches
 * XNNPACK when neither operand is transposed. We transpose explicitly and call
 * the shipped kernel with both flags off. Its gradient is built from
 * BatchMatMul, which batch_mat_mul.ts makes fast.
 */
import { _FusedMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { dispose, original, run } from './wasm_util';
import { transposeLast2 } from './batch_mat_mul';

const fusedMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { a, b, ...rest } = inputs as { a: TensorInfo; b: TensorInfo } & Record<string, TensorInfo>;
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (!transposeA && !transposeB)) {
    return run(be, _FusedMatMul, inputs as never, attrs);
  }
  const at = transposeA ? transposeLast2(be, a) : null;
  const bt = transposeB ? transposeLast2(be, b) : null;
  const out = run(be, _FusedMatMul, { a: at ?? a, b: bt ?? b, ...rest }, { ...attrs, transposeA: false, transposeB: false });
  dispose(be, at, bt);
  return out;
};

export function fusedMatMulConfig(): KernelConfig {
  return { kernelName: _FusedMatMul, backendName: 'wasm', kernelFunc: fusedMatMul, setupFunc: original(_FusedMatMul).setupFunc };
}
