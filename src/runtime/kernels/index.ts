/**
 * Fast training kernels for TF.js's `wasm` backend.
 *
 * TF.js 4.22's wasm backend ships inference kernels. Training on it is slow or
 * impossible because:
 * - transposed or batched BatchMatMul / _FusedMatMul (every dense gradient)
 *   take a naive loop → batch_mat_mul.ts, fused_mat_mul.ts
 * - Conv2DBackpropFilter does not exist (tf.conv2d cannot be trained)
 *   → conv2d_backprop_filter.ts
 * - Conv2DBackpropInput is a naive loop (conv gradients, conv2dTranspose)
 *   → conv2d_backprop_input.ts
 * - Conv2D / FusedConv2D compute 'same' padding wrongly when stride > kernel
 *   size → conv2d.ts
 * - _FusedMatMul adds the bias wrongly for batched (rank-3) products
 *   → fused_mat_mul.ts
 * - Exp, Log, Log1p, Softplus, Sqrt, LeakyRelu are scalar libm loops → unary.ts
 * - comparisons, Maximum/Minimum with a scalar and Select broadcast element by
 *   element → compare.ts, min_max.ts, select.ts
 * - Identity (the engine's tf.clone of every tensor saved for backprop)
 *   copies the buffer → identity.ts shares it, as the cpu backend does
 * - Sum and Mean over leading axes (bias gradients, batch norm) transpose
 *   first → sum.ts
 * - Adam costs ten kernels per variable → adam.ts, one fused update
 *   (used by src/runtime/adam.ts)
 * - TF.js has no StridedSlice gradient on any backend → strided_slice_grad.ts
 *
 * The arithmetic runs in our own WebAssembly module (native/kernels.c, bound
 * to the backend's heap by native.ts): a packed SIMD GEMM, im2col/col2im, and
 * SIMD elementwise loops. conv_geom.ts writes convolutions as GEMMs.
 *
 * `registerFastWasmKernels()` replaces / adds those kernels on the 'wasm'
 * backend (and the StridedSlice gradient, which is backend-independent). It
 * is idempotent, may be called before or after `tf.setBackend('wasm')`, and
 * leaves every other backend's kernels untouched.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { captureOriginals, original, OURS } from './wasm_util';
import { nativeKernelsSupported, startNativeThreads } from './native';
import { batchMatMulConfig } from './batch_mat_mul';
import { fusedMatMulConfig } from './fused_mat_mul';
import { conv2DBackpropFilterConfig } from './conv2d_backprop_filter';
import { conv2DBackpropInputConfig } from './conv2d_backprop_input';
import { conv2dConfig, fusedConv2dConfig } from './conv2d';
import { registerStridedSliceGrad } from './strided_slice_grad';
import { identityConfig } from './identity';
import { meanConfig, sumConfig } from './sum';
import { expConfig, leakyReluConfig, log1pConfig, logConfig, softplusConfig, sqrtConfig } from './unary';
import { greaterConfig, greaterEqualConfig, lessConfig, lessEqualConfig } from './compare';
import { maximumConfig, minimumConfig } from './min_max';
import { selectConfig } from './select';
import { ADAM_UPDATE, adamUpdateConfig } from './adam';

/** Shipped kernels that ours call into; captured before any override. */
const WRAPPED = [
  'Identity',
  'Sum',
  'Mean',
  'BatchMatMul',
  '_FusedMatMul',
  'Add',
  'Relu',
  'Relu6',
  'Elu',
  'Sigmoid',
  'LeakyRelu',
  'Prelu',
  'Exp',
  'Log',
  'Log1p',
  'Softplus',
  'Sqrt',
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'Maximum',
  'Minimum',
  'Select',
  // not called by ours, captured so unregisterFastWasmKernels() can restore them
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
];

const FACTORIES: (() => tf.KernelConfig)[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  conv2dConfig,
  fusedConv2dConfig,
  identityConfig,
  sumConfig,
  meanConfig,
  expConfig,
  logConfig,
  log1pConfig,
  softplusConfig,
  sqrtConfig,
  leakyReluConfig,
  greaterConfig,
  greaterEqualConfig,
  lessConfig,
  lessEqualConfig,
  maximumConfig,
  minimumConfig,
  selectConfig,
  adamUpdateConfig,
];

/** Names of the kernels registerFastWasmKernels() installs on 'wasm'. */
export const FAST_WASM_KERNELS: readonly string[] = [
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'Conv2D',
  'FusedConv2D',
  'Identity',
  'Sum',
  'Mean',
  'Exp',
  'Log',
  'Log1p',
  'Softplus',
  'Sqrt',
  'LeakyRelu',
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'Maximum',
  'Minimum',
  'Select',
  ADAM_UPDATE,
];

/**
 * Install our kernels on the 'wasm' backend (idempotent). Returns the names of
 * the kernels that are ours after the call: none where wasm SIMD is missing.
 */
export function registerFastWasmKernels(): string[] {
  registerStridedSliceGrad();
  // Without wasm SIMD TF.js runs its plain build, and our kernels cannot load: keep the shipped ones.
  if (!nativeKernelsSupported()) return [];
  captureOriginals(WRAPPED);
  for (const make of FACTORIES) {
    const cfg = make() as tf.KernelConfig & { [OURS]?: boolean };
    const cur = tf.getKernel(cfg.kernelName, 'wasm') as (tf.KernelConfig & { [OURS]?: boolean }) | undefined;
    if (cur?.[OURS]) continue;
    if (cur) tf.unregisterKernel(cfg.kernelName, 'wasm');
    cfg[OURS] = true;
    tf.registerKernel(cfg);
  }
  return [...FAST_WASM_KERNELS];
}

/**
 * Run the GEMMs of the current wasm backend on `threads` threads where this
 * environment allows (kernels/pool.ts; 1 stops the pool). Resolves to the
 * count in use and, when it is 1, why.
 */
export async function startFastWasmThreads(threads: number): Promise<{ threads: number; reason?: string }> {
  if (!nativeKernelsSupported()) return { threads: 1, reason: 'no wasm SIMD here, so our kernels and their threads are off' };
  return startNativeThreads(tf.backend() as BackendWasm, threads);
}

/** True when our kernels are the ones registered on 'wasm'. */
export function fastWasmKernelsRegistered(): boolean {
  return FAST_WASM_KERNELS.every((n) => (tf.getKernel(n, 'wasm') as { [OURS]?: boolean } | undefined)?.[OURS] === true);
}

/**
 * Put the shipped wasm kernels back (for benchmarks and A/B tests). Kernels
 * the wasm backend does not ship (Conv2DBackpropFilter) are removed again.
 */
export function unregisterFastWasmKernels(): void {
  for (const name of FAST_WASM_KERNELS) {
    const cur = tf.getKernel(name, 'wasm') as { [OURS]?: boolean } | undefined;
    if (!cur?.[OURS]) continue;
    tf.unregisterKernel(name, 'wasm');
    let shipped: tf.KernelConfig | null;
    try {
      shipped = original(name);
    } catch {
      shipped = null;
    }
    if (shipped) tf.registerKernel(shipped);
  }
}
