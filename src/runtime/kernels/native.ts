/**
 * Our own WebAssembly kernels (native/kernels.c), instantiated on the wasm
 * backend's linear memory so they read and write tensor data in place.
 *
 * Why it exists: XNNPACK's GEMM inside TF.js's wasm backend needs explicit
 * transposes for transposed operands and re-packs one operand on every call;
 * ours packs both operands per cache block in either orientation (see the C
 * file for the measurements behind its tile sizes).
 *
 * All pointers handed to the C functions are byte addresses in that heap.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { CONV_JOB_BYTES, writeConvJob, type ConvGeom, type ConvOp } from './conv_job';
import { NATIVE_FMA_SHARED_WASM_BASE64, NATIVE_FMA_WASM_BASE64, NATIVE_SHARED_WASM_BASE64, NATIVE_WASM_BASE64 } from './native_wasm';
import { GemmPool, type PoolOperand } from './pool';

interface Exports {
  gemm_workspace_floats(): number;
  sgemm(
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    transA: number,
    b: number,
    ldb: number,
    transB: number,
    c: number,
    ldc: number,
    accumulate: number,
    ws: number,
  ): void;
  conv_part(job: number, thread: number, threads: number, ws: number): void;
  conv_reduce(job: number, threads: number): void;
  unary_f32(op: number, x: number, y: number, n: number, scalar: number): void;
  compare_f32(op: number, a: number, b: number, bStride: number, y: number, n: number): void;
  select_f32(cond: number, t: number, e: number, y: number, n: number): void;
  sum_rows(x: number, rows: number, cols: number, y: number): void;
  adam_f32(
    w: number,
    m: number,
    v: number,
    g: number,
    wOut: number,
    mOut: number,
    vOut: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    eps: number,
    bc1: number,
    bc2: number,
  ): void;
}

/** Elementwise ops of unary_f32, in native/kernels.c's order. */
export const UNARY_OPS = ['exp', 'log', 'softplus', 'sqrt', 'leakyRelu', 'maximum', 'minimum', 'log1p'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
/** Comparisons of compare_f32, in native/kernels.c's order. */
export const COMPARE_OPS = ['greater', 'greaterEqual', 'less', 'lessEqual'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

/** Hyper-parameters of one Adam step; the bias corrections bc = 1 - β^t come from the caller. */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  bc1: number;
  bc2: number;
}

interface EmscriptenModule {
  /** The threaded build imports its memory (wasmMemory); the others export it (asm.memory). */
  wasmMemory?: WebAssembly.Memory;
  asm: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU32: Uint32Array;
  HEAPU8: Uint8Array;
}

/** A matrix operand: heap address (bytes), leading dimension, and whether it is stored transposed. */
export type Operand = PoolOperand;

export interface NativeKernels {
  /** C[m×n] = op(A)·op(B) (+ C when accumulate). */
  gemm(m: number, n: number, k: number, a: Operand, b: Operand, c: { ptr: number; ld: number }, accumulate?: boolean): void;
  /**
   * One convolution (conv_job.ts has the operands of each op), on the thread
   * pool when that is faster; `colsFloats` of column space per thread.
   */
  conv(op: ConvOp, g: ConvGeom, a: number, b: number, out: number, colsFloats: number): void;
  /** y = op(x) over n floats; `scalar` is LeakyReLU's alpha or the other operand of maximum/minimum. */
  unary(op: UnaryOp, x: number, y: number, n: number, scalar?: number): void;
  /** y (bytes 0/1) = a op b over n floats; b is one float when bIsScalar. */
  compare(op: CompareOp, a: number, b: number, bIsScalar: boolean, y: number, n: number): void;
  select(cond: number, t: number, e: number, y: number, n: number): void;
  /** y[cols] = sum of the rows of x[rows, cols]. */
  sumRows(x: number, rows: number, cols: number, y: number): void;
  adam(w: number, m: number, v: number, g: number, out: { w: number; m: number; v: number }, n: number, h: AdamStep): void;
  /** Threads the GEMM runs on (1 until startNativeThreads succeeds). */
  readonly threads: number;
}

const compiled = new Map<boolean, WebAssembly.Module>();
let fma: boolean | undefined;

/**
 * Whether this runtime runs the fused multiply-add build (relaxed SIMD:
 * Chromium 114+, Node 22+); the others get the mul + add build.
 */
export function nativeFma(): boolean {
  fma ??= WebAssembly.validate(decodeBase64(NATIVE_FMA_WASM_BASE64) as BufferSource);
  return fma;
}
const bound = new WeakMap<BackendWasm, NativeKernels>();
const pools = new WeakMap<BackendWasm, GemmPool>();

function compiledModule(shared: boolean): WebAssembly.Module {
  let wasm = compiled.get(shared);
  if (!wasm) {
    const base64 = nativeFma()
      ? shared
        ? NATIVE_FMA_SHARED_WASM_BASE64
        : NATIVE_FMA_WASM_BASE64
      : shared
        ? NATIVE_SHARED_WASM_BASE64
        : NATIVE_WASM_BASE64;
    // 18 KB: synchronous compilation is allowed everywhere we run.
    wasm = new WebAssembly.Module(decodeBase64(base64) as BufferSource);
    compiled.set(shared, wasm);
  }
  return wasm;
}

function heapMemory(mod: EmscriptenModule): WebAssembly.Memory {
  const memory = mod.wasmMemory ?? mod.asm.memory;
  if (!memory) throw new Error("cannot find the wasm backend's memory (neither Module.wasmMemory nor Module.asm.memory)");
  return memory;
}

/** Whether this runtime can run our module (it needs wasm SIMD, which TF.js's fallback build does not). */
export function nativeKernelsSupported(): boolean {
  return WebAssembly.validate(decodeBase64(NATIVE_WASM_BASE64) as BufferSource);
}

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The kernels bound to this backend's heap (instantiated on first use). */
export function nativeKernels(be: BackendWasm): NativeKernels {
  const have = bound.get(be);
  if (have) return have;
  const mod = be.wasm as unknown as EmscriptenModule;
  const memory = heapMemory(mod);
  // TF.js's threaded build runs on a shared memory; an import must match its kind.
  const ex = new WebAssembly.Instance(compiledModule(isShared(memory)), { env: { memory } }).exports as unknown as Exports;
  const wsBytes = ex.gemm_workspace_floats() * 4;
  const ws = mod._malloc(wsBytes + CONV_JOB_BYTES);
  if (!ws) throw new Error('wasm heap exhausted allocating the GEMM workspace');
  const jobAt = ws + wsBytes;
  const kernels: NativeKernels = {
    gemm: (m, n, k, a, b, c, accumulate = false) => {
      const pool = pools.get(be);
      if (pool?.wants(m, n, k, accumulate)) pool.gemm(mod.HEAPU8, m, n, k, a, b, c, accumulate);
      else ex.sgemm(m, n, k, a.ptr, a.ld, a.trans ? 1 : 0, b.ptr, b.ld, b.trans ? 1 : 0, c.ptr, c.ld, accumulate ? 1 : 0, ws);
    },
    conv: (op, g, a, b, out, colsFloats) => {
      const pool = pools.get(be);
      if (pool?.wantsConv(op, g)) {
        pool.conv(mod.HEAPU8, op, g, { a, b, out }, colsFloats);
        return;
      }
      const cols = mod._malloc(colsFloats * 4);
      if (!cols) throw new Error('wasm heap exhausted allocating convolution columns');
      try {
        // HEAPU32 is re-read after the malloc: the heap may have grown.
        ex.conv_part(writeConvJob(mod.HEAPU32, jobAt, op, g, { a, b, out, partials: 0, cols }, colsFloats), 0, 1, ws);
      } finally {
        mod._free(cols);
      }
    },
    unary: (op, x, y, n, scalar = 0) => ex.unary_f32(UNARY_OPS.indexOf(op), x, y, n, scalar),
    compare: (op, a, b, bIsScalar, y, n) => ex.compare_f32(COMPARE_OPS.indexOf(op), a, b, bIsScalar ? 0 : 1, y, n),
    select: (cond, t, e, y, n) => ex.select_f32(cond, t, e, y, n),
    sumRows: (x, rows, cols, y) => ex.sum_rows(x, rows, cols, y),
    adam: (w, m, v, g, out, n, h) =>
      ex.adam_f32(w, m, v, g, out.w, out.m, out.v, n, h.lr, h.beta1, h.beta2, 1 - h.beta1, 1 - h.beta2, h.epsilon, h.bc1, h.bc2),
    get threads() {
      return pools.get(be)?.threads ?? 1;
    },
  };
  bound.set(be, kernels);
  return kernels;
}

/**
 * Run this backend's large GEMMs on `threads` threads (pool.ts), replacing
 * any pool it had; resolves to the thread count in use, and why it is 1
 * where threads cannot run here.
 */
export async function startNativeThreads(be: BackendWasm, threads: number): Promise<{ threads: number; reason?: string }> {
  const kernels = nativeKernels(be);
  const current = pools.get(be);
  if (current?.threads === threads) return { threads };
  current?.terminate();
  pools.delete(be);
  const unavailable = GemmPool.unavailable(threads);
  if (unavailable) return { threads: 1, reason: unavailable };
  const mod = be.wasm as unknown as EmscriptenModule;
  const memory = heapMemory(mod);
  const shared = isShared(memory);
  const pool = await GemmPool.start({
    module: compiledModule(true),
    threads,
    heap: shared
      ? {
          memory,
          malloc: (bytes) => mod._malloc(bytes),
          free: (ptr) => mod._free(ptr),
          exports: new WebAssembly.Instance(compiledModule(true), { env: { memory } }).exports as unknown as Exports,
        }
      : undefined,
  });
  if (!pool) return { threads: 1, reason: 'the GEMM worker threads failed to start' };
  pools.set(be, pool);
  return { threads: kernels.threads };
}
