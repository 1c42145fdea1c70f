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
 *
 * It also sends batched products (batch > 1, e.g. [b, m, k] x [b, k, n]) to
 * XNNPACK one matrix at a time: the shipped kernel runs every batched
 * product, transposed or not, through the naive loop. A broadcast operand
 * (batch 1) is passed whole every time, so XNNPACK packs it only once.
 */
import { BatchMatMul, broadcast_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, dispose, heapF32, offsetOf, original, run, transpose } from './wasm_util';

/** Swap the last two axes. */
export function transposeLast2(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(backend, x, perm);
}

/** Below this many multiply-adds per matrix the naive loop beats per-matrix XNNPACK calls. */
const SPLIT_MIN_MACS = 4096;

function batchSize(t: TensorInfo): number {
  return t.shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

/** Matrix i of a [..., r, c] tensor as its own [1, r, c] tensor (a copy; shares when batch is 1). */
function matrix(be: BackendWasm, t: TensorInfo, i: number): TensorInfo {
  const r = t.shape[t.shape.length - 2], c = t.shape[t.shape.length - 1];
  if (batchSize(t) === 1) return { ...t, shape: [1, r, c] };
  const out = alloc(be, [1, r, c]);
  const h = heapF32(be);
  const s = offsetOf(be, t) + i * r * c;
  h.copyWithin(offsetOf(be, out), s, s + r * c);
  return out;
}

/** a [..., m, k] x b [..., k, n] (untransposed, float32) with batch > 1, one XNNPACK call per matrix. */
function splitBatches(be: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const m = a.shape[a.shape.length - 2], n = b.shape[b.shape.length - 1];
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = Math.max(batchSize(a), batchSize(b));
  const out = alloc(be, [...outer, m, n]);
  for (let i = 0; i < batch; i++) {
    const ai = matrix(be, a, i), bi = matrix(be, b, i);
    const ci = run(be, BatchMatMul, { a: ai, b: bi }, { transposeA: false, transposeB: false });
    const h = heapF32(be);
    const s = offsetOf(be, ci);
    h.copyWithin(offsetOf(be, out) + i * m * n, s, s + m * n);
    dispose(be, ci);
    if (ai.dataId !== a.dataId) dispose(be, ai);
    if (bi.dataId !== b.dataId) dispose(be, bi);
  }
  return out;
}

const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as BackendWasm;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return run(be, BatchMatMul, { a, b }, attrs);
  const batch = Math.max(batchSize(a), batchSize(b));
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const split = batch > 1 && m * k * n >= SPLIT_MIN_MACS &&
    (batchSize(a) === batch || batchSize(a) === 1) && (batchSize(b) === batch || batchSize(b) === 1);
  if (batch > 1 && !split) return run(be, BatchMatMul, { a, b }, attrs); // tiny matrices: naive loop is fine
  if (!transposeA && !transposeB && batch === 1) return run(be, BatchMatMul, { a, b }, attrs);
  if (!transposeA && transposeB && batch === 1 && m * k + m * n < k * n) {
    // A·Bᵀ with a big B (a weight matrix in a dense layer's input gradient):
    // compute (B·Aᵀ)ᵀ instead, transposing and packing the small A and C
    // rather than transposing and packing B.
    const at = transposeLast2(be, a);
    const ct = run(be, BatchMatMul, { a: b, b: at }, { transposeA: false, transposeB: false });
    const out = transposeLast2(be, ct);
    dispose(be, at, ct);
    return out;
  }
  const at = transposeA ? transposeLast2(be, a) : null;
  const bt = transposeB ? transposeLast2(be, b) : null;
  const out = split
    ? splitBatches(be, at ?? a, bt ?? b)
    : run(be, BatchMatMul, { a: at ?? a, b: bt ?? b }, { transposeA: false, transposeB: false });
  dispose(be, at, bt);
  return out;
};

export function batchMatMulConfig(): KernelConfig {
  return { kernelName: BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMul, setupFunc: original(BatchMatMul).setupFunc };
}
