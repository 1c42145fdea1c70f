/**
 * Shared plumbing for our wasm kernels.
 *
 * Why it exists: our kernels are written as compositions of the kernels that
 * `@tensorflow/tfjs-backend-wasm` ships (its XNNPACK matmul and convolution are
 * fast; only some of its entry points are slow or missing). Calling those
 * kernel functions directly, instead of going through `tf.*` ops, keeps the
 * work out of the engine: no tape entries, no tensor bookkeeping, and we free
 * every intermediate ourselves with `backend.disposeData`.
 *
 * The original kernel configs are captured the first time we look at them,
 * before `registerFastWasmKernels()` replaces some of them, so a replaced
 * kernel can still call the shipped implementation it wraps.
 */
import { getKernel, util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Marks kernel configs that we registered, so registration is idempotent. */
export const OURS = Symbol.for('latent-lab.fast-wasm-kernel');

const originals = new Map<string, KernelConfig>();

/** The shipped wasm kernel `name` (captured before we override it). */
export function original(name: string): KernelConfig {
  const captured = originals.get(name);
  if (captured) return captured;
  const cur = getKernel(name, 'wasm') as (KernelConfig & { [OURS]?: boolean }) | undefined;
  if (!cur) throw new Error(`wasm backend has no kernel ${name}`);
  if (cur[OURS]) throw new Error(`original wasm kernel ${name} was not captured before override`);
  originals.set(name, cur);
  return cur;
}

/** Capture originals eagerly (called before any override). */
export function captureOriginals(names: string[]): void {
  for (const n of names) if (getKernel(n, 'wasm')) original(n);
}

export type Inputs = Record<string, TensorInfo>;

/** Run the shipped wasm kernel `name` directly on the backend. */
export function run(backend: BackendWasm, name: string, inputs: Inputs, attrs: NamedAttrMap = {}): TensorInfo {
  const out = original(name).kernelFunc({ inputs, backend, attrs } as never);
  return (Array.isArray(out) ? out[0] : out) as TensorInfo;
}

export function dispose(backend: BackendWasm, ...infos: (TensorInfo | null | undefined)[]): void {
  for (const t of infos) if (t) backend.disposeData(t.dataId);
}

/** Float32 view of a tensor's wasm heap memory. Re-fetch after any allocation (the heap may grow). */
export function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function size(t: TensorInfo): number {
  return util.sizeFromShape(t.shape);
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return run(backend, 'Transpose', { x }, { perm });
}

export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return run(backend, 'Reshape', { x }, { shape });
}

export type FusedActivation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu' | 'prelu' | null | undefined;

/**
 * act(y + bias) with the shipped elementwise kernels, consuming y: the
 * epilogue of our fused matmul and fused convolution.
 */
export function biasAndActivation(
  backend: BackendWasm,
  y: TensorInfo,
  bias: TensorInfo | undefined,
  prelu: TensorInfo | undefined,
  activation: FusedActivation,
  leakyreluAlpha = 0.2,
): TensorInfo {
  const step = (next: TensorInfo) => {
    dispose(backend, y);
    y = next;
  };
  if (bias) step(run(backend, 'Add', { a: y, b: bias }));
  switch (activation) {
    case 'linear':
    case undefined:
    case null:
      break;
    case 'relu':
      step(run(backend, 'Relu', { x: y }));
      break;
    case 'relu6':
      step(run(backend, 'Relu6', { x: y }));
      break;
    case 'elu':
      step(run(backend, 'Elu', { x: y }));
      break;
    case 'sigmoid':
      step(run(backend, 'Sigmoid', { x: y }));
      break;
    case 'leakyrelu':
      step(run(backend, 'LeakyRelu', { x: y }, { alpha: leakyreluAlpha }));
      break;
    case 'prelu':
      step(run(backend, 'Prelu', { x: y, alpha: prelu! }));
      break;
    default:
      dispose(backend, y);
      throw new Error(`unsupported fused activation ${String(activation)}`);
  }
  return y;
}

/** One Float32Array over the whole wasm heap. Re-fetch after any allocation. */
export function heapF32(backend: BackendWasm): Float32Array {
  // HEAPU8 is re-created by emscripten whenever the memory grows.
  return new Float32Array((backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer);
}

/** Heap address of a tensor's data, in bytes (what native.ts takes). */
export function byteOffsetOf(backend: BackendWasm, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset as number;
}

/** Heap offset of a tensor's data, in floats (all tensor data is 4-byte aligned). */
export function offsetOf(backend: BackendWasm, t: TensorInfo): number {
  return byteOffsetOf(backend, t) >> 2;
}

/** Allocate an uninitialised float32 output on the wasm heap. */
export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}
