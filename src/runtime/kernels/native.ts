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
import type { ConvGeom } from './im2col';
import { NATIVE_SHARED_WASM_BASE64, NATIVE_WASM_BASE64 } from './native_wasm';

interface Exports {
  gemm_workspace_floats(): number;
  sgemm(m: number, n: number, k: number, a: number, lda: number, transA: number, b: number, ldb: number, transB: number,
    c: number, ldc: number, accumulate: number, ws: number): void;
  im2col(geom: number, x: number, n0: number, n1: number, cols: number): void;
  col2im_add(geom: number, cols: number, n0: number, n1: number, dx: number): void;
}

interface EmscriptenModule {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
  HEAPU32: Uint32Array;
}

/** A matrix operand: heap address (bytes), leading dimension, and whether it is stored transposed. */
export interface Operand { ptr: number; ld: number; trans: boolean }

export interface NativeKernels {
  /** C[m×n] = op(A)·op(B) (+ C when accumulate). */
  gemm(m: number, n: number, k: number, a: Operand, b: Operand, c: { ptr: number; ld: number }, accumulate?: boolean): void;
  im2col(g: ConvGeom, x: number, n0: number, n1: number, cols: number): void;
  col2imAdd(g: ConvGeom, cols: number, n0: number, n1: number, dx: number): void;
}

const compiled = new Map<boolean, WebAssembly.Module>();
const bound = new WeakMap<BackendWasm, NativeKernels>();

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const GEOM_FIELDS = ['N', 'H', 'W', 'C', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'top', 'left', 'Ho', 'Wo', 'Cout'] as const;

/** The kernels bound to this backend's heap (instantiated on first use). */
export function nativeKernels(be: BackendWasm): NativeKernels {
  const have = bound.get(be);
  if (have) return have;
  const mod = be.wasm as unknown as EmscriptenModule;
  const memory = mod.asm.memory;
  // TF.js's threaded build runs on a shared memory; an import must match its kind.
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  let wasm = compiled.get(shared);
  if (!wasm) {
    // 11 KB: synchronous compilation is allowed everywhere we run.
    wasm = new WebAssembly.Module(decodeBase64(shared ? NATIVE_SHARED_WASM_BASE64 : NATIVE_WASM_BASE64) as BufferSource);
    compiled.set(shared, wasm);
  }
  const ex = new WebAssembly.Instance(wasm, { env: { memory } }).exports as unknown as Exports;
  const wsBytes = ex.gemm_workspace_floats() * 4;
  const ws = mod._malloc(wsBytes + GEOM_FIELDS.length * 4);
  if (!ws) throw new Error('wasm heap exhausted allocating the GEMM workspace');
  const geomPtr = ws + wsBytes;
  const writeGeom = (g: ConvGeom): number => {
    const heap = mod.HEAPU32; // re-read: the heap may have grown
    GEOM_FIELDS.forEach((f, i) => { heap[(geomPtr >> 2) + i] = g[f]; });
    return geomPtr;
  };
  const kernels: NativeKernels = {
    gemm: (m, n, k, a, b, c, accumulate = false) =>
      ex.sgemm(m, n, k, a.ptr, a.ld, a.trans ? 1 : 0, b.ptr, b.ld, b.trans ? 1 : 0, c.ptr, c.ld, accumulate ? 1 : 0, ws),
    im2col: (g, x, n0, n1, cols) => ex.im2col(writeGeom(g), x, n0, n1, cols),
    col2imAdd: (g, cols, n0, n1, dx) => ex.col2im_add(writeGeom(g), cols, n0, n1, dx),
  };
  bound.set(be, kernels);
  return kernels;
}
