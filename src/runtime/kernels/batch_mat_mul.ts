/**
 * BatchMatMul for the wasm backend, fast for every transpose combination.
 *
 * Why it exists: the shipped wasm BatchMatMul sends only the
 * (transposeA=false, transposeB=false) case to XNNPACK; any transposed
 * operand falls back to a naive loop that is ~13x slower. Every matmul
 * gradient is a transposed matmul (dA = dC·Bᵀ, dB = Aᵀ·dC), so a dense layer
 * trains at a fraction of the speed it infers. Transposing the operand
 * explicitly first costs O(size) memory traffic, against O(m·n·k) multiply-adds
 * for the product, so we transpose and then take the XNNPACK path.
 */
import { BatchMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { dispose, original, run, transpose } from './wasm_util';

/** Swap the last two axes. */
export function transposeLast2(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(backend, x, perm);
}

const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (!transposeA && !transposeB)) {
    return run(be, BatchMatMul, { a, b }, attrs);
  }
  const at = transposeA ? transposeLast2(be, a) : null;
  const bt = transposeB ? transposeLast2(be, b) : null;
  const out = run(be, BatchMatMul, { a: at ?? a, b: bt ?? b }, { transposeA: false, transposeB: false });
  dispose(be, at, bt);
  return out;
};

export function batchMatMulConfig(): KernelConfig {
  return { kernelName: BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMul, setupFunc: original(BatchMatMul).setupFunc };
}
