/**
 * _FusedMatMul (matmul + bias + activation, used by tf.fused.matMul and the
 * tfjs-layers Dense layer) for the wasm backend.
 *
 * Why it exists:
 * - like BatchMatMul, the shipped fused kernel only reaches XNNPACK when
 *   neither operand is transposed; we transpose explicitly first;
 * - the shipped kernel adds the bias wrongly when the batch dimension is > 1
 *   (results differ from cpu by O(1)); for batched products we run the plain
 *   matmul, then the shipped Add and activation kernels.
 * Its gradient is built from BatchMatMul, which batch_mat_mul.ts makes fast.
 */
import { _FusedMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { dispose, original, run } from './wasm_util';
import { transposeLast2 } from './batch_mat_mul';

interface Attrs { transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number }

function batchOf(t: TensorInfo): number {
  return t.shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

/** y = act(a·b + bias) from separate shipped kernels (a, b already untransposed). */
function unfused(be: BackendWasm, a: TensorInfo, b: TensorInfo, bias: TensorInfo | undefined,
  prelu: TensorInfo | undefined, attrs: Attrs): TensorInfo {
  let y = run(be, 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  const step = (next: TensorInfo) => { dispose(be, y); y = next; };
  if (bias) step(run(be, 'Add', { a: y, b: bias }));
  switch (attrs.activation) {
    case 'linear': case undefined: case null: break;
    case 'relu': step(run(be, 'Relu', { x: y })); break;
    case 'relu6': step(run(be, 'Relu6', { x: y })); break;
    case 'elu': step(run(be, 'Elu', { x: y })); break;
    case 'sigmoid': step(run(be, 'Sigmoid', { x: y })); break;
    case 'leakyrelu': step(run(be, 'LeakyRelu', { x: y }, { alpha: attrs.leakyreluAlpha ?? 0.2 })); break;
    case 'prelu': step(run(be, 'Prelu', { x: y, alpha: prelu! })); break;
    default: dispose(be, y); throw new Error(`_FusedMatMul: unsupported activation ${attrs.activation}`);
  }
  return y;
}

const fusedMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo>;
  const at0 = attrs as unknown as Attrs;
  const { transposeA, transposeB } = at0;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return run(be, _FusedMatMul, inputs as never, attrs);
  const batched = Math.max(batchOf(a), batchOf(b)) > 1;
  if (!transposeA && !transposeB && !batched) return run(be, _FusedMatMul, inputs as never, attrs);
  const at = transposeA ? transposeLast2(be, a) : null;
  const bt = transposeB ? transposeLast2(be, b) : null;
  const out = batched
    ? unfused(be, at ?? a, bt ?? b, bias, preluActivationWeights, at0)
    : run(be, _FusedMatMul, { ...(inputs as Record<string, TensorInfo>), a: at ?? a, b: bt ?? b },
      { ...attrs, transposeA: false, transposeB: false });
  dispose(be, at, bt);
  return out;
};

export function fusedMatMulConfig(): KernelConfig {
  return { kernelName: _FusedMatMul, backendName: 'wasm', kernelFunc: fusedMatMul, setupFunc: original(_FusedMatMul).setupFunc };
}
