/**
 * BatchMatMul for the wasm backend on our own GEMM (native.ts).
 *
 * Why it exists: the shipped wasm BatchMatMul sends only the untransposed,
 * unbatched case to XNNPACK; any transposed operand (every matmul gradient:
 * dA = dC·Bᵀ, dB = Aᵀ·dC) or batched product falls back to a naive loop ~13×
 * slower. Our GEMM reads either orientation while packing, so no transpose is
 * ever materialised, and it runs batched products matrix by matrix in place.
 */
import { BatchMatMul, broadcast_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, byteOffsetOf, original, run } from './wasm_util';
import { nativeKernels } from './native';

/**
 * out = op(a)·op(b) for float32 [..., r, c] operands whose batch axes
 * broadcast against each other (numpy rules, as tf.matMul allows).
 */
export function gemmBatched(be: BackendWasm, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const ra = a.shape.length,
    rb = b.shape.length;
  const [ar, ac] = [a.shape[ra - 2], a.shape[ra - 1]];
  const [br, bc] = [b.shape[rb - 2], b.shape[rb - 1]];
  const m = transposeA ? ac : ar,
    k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = alloc(be, [...outer, m, n]);
  const nk = nativeKernels(be);
  const aPtr = byteOffsetOf(be, a),
    bPtr = byteOffsetOf(be, b),
    cPtr = byteOffsetOf(be, out);
  const batch = outer.reduce((x, y) => x * y, 1);
  const aIndex = batchIndexer(a.shape.slice(0, -2), outer),
    bIndex = batchIndexer(b.shape.slice(0, -2), outer);
  for (let i = 0; i < batch; i++) {
    nk.gemm(
      m,
      n,
      k,
      { ptr: aPtr + aIndex(i) * ar * ac * 4, ld: ac, trans: transposeA },
      { ptr: bPtr + bIndex(i) * br * bc * 4, ld: bc, trans: transposeB },
      { ptr: cPtr + i * m * n * 4, ld: n },
    );
  }
  return out;
}

/** Maps a flat index over the broadcast batch shape to the flat index of one operand's batch. */
function batchIndexer(own: number[], outer: number[]): (i: number) => number {
  const ownSize = own.reduce((x, y) => x * y, 1);
  if (ownSize === 1) return () => 0;
  if (ownSize === outer.reduce((x, y) => x * y, 1)) return (i) => i;
  const padded = [...new Array<number>(outer.length - own.length).fill(1), ...own];
  return (i) => {
    let idx = 0,
      stride = 1;
    for (let d = outer.length - 1; d >= 0; d--) {
      const coord = i % outer[d];
      i = Math.floor(i / outer[d]);
      if (padded[d] !== 1) idx += coord * stride;
      stride *= padded[d];
    }
    return idx;
  };
}

const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return run(be, BatchMatMul, { a, b }, attrs);
  return gemmBatched(be, a, b, transposeA, transposeB);
};

export function batchMatMulConfig(): KernelConfig {
  return { kernelName: BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMul, setupFunc: original(BatchMatMul).setupFunc };
}
