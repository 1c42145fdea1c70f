/**
 * Backend selection for the runtime (worker, CLI, tests, benchmarks).
 *
 * `setupBackend(name)` loads the backend package, points the wasm backend at
 * its .wasm binaries (file paths in Node, Vite asset URLs in the browser),
 * switches TF.js to it, installs our fast training kernels on wasm
 * (src/runtime/kernels), and reports what it got: backend, thread count, SIMD.
 *
 * It also imports the `@tensorflow/tfjs` umbrella package once, because that
 * is what registers the gradient functions (and chained ops) that training
 * needs; `@tensorflow/tfjs-core` alone registers none.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { registerFastWasmKernels, startFastWasmThreads } from './kernels/index';

export type BackendName = 'wasm' | 'cpu' | 'webgl' | 'webgpu';

export interface BackendInfo {
  /** The backend TF.js is now running on. */
  backend: string;
  /** Compute threads that backend uses: wasm's GEMM threads (1 for cpu/webgl/webgpu's JS side). */
  threads: number;
  /** Whether the wasm binary in use is the SIMD one (false for other backends). */
  simd: boolean;
  /** Why the result differs from what was asked, if it does. */
  note?: string;
}

const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return !!p?.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined'
    && typeof (globalThis as { importScripts?: unknown }).importScripts === 'undefined';
}

let wasmPathsSet = false;

function hardwareThreads(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** One GEMM thread per core, at most 4 (a blocked worker costs nothing between products). */
async function defaultThreads(): Promise<number> {
  if (isNode()) {
    const osName = 'node:os';
    const os = (await import(/* @vite-ignore */ osName)) as typeof import('node:os');
    return Math.min(4, os.availableParallelism());
  }
  return Math.min(4, Math.max(1, hardwareThreads()));
}

/** Where the wasm binaries live: a directory in Node, Vite-emitted asset URLs in the browser. */
async function configureWasmPaths(wasm: typeof import('@tensorflow/tfjs-backend-wasm')): Promise<void> {
  if (wasmPathsSet) return;
  if (isNode()) {
    const modName = 'node:module';
    const { createRequire } = (await import(/* @vite-ignore */ modName)) as typeof import('node:module');
    const pathName = 'node:path';
    const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
    wasm.setWasmPaths(path.join(path.dirname(pkg), 'dist') + path.sep);
  } else {
    // `?url` makes Vite copy each binary into the build and give us its URL.
    const [plain, simd, threaded] = await Promise.all([
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
    ]);
    wasm.setWasmPaths({
      [WASM_FILES[0]]: plain.default,
      [WASM_FILES[1]]: simd.default,
      [WASM_FILES[2]]: threaded.default,
    });
  }
  wasmPathsSet = true;
}

async function importBackend(name: BackendName): Promise<typeof import('@tensorflow/tfjs-backend-wasm') | null> {
  switch (name) {
    case 'wasm': return import('@tensorflow/tfjs-backend-wasm');
    case 'cpu': await import('@tensorflow/tfjs-backend-cpu'); return null;
    case 'webgl': await import('@tensorflow/tfjs-backend-webgl'); return null;
    case 'webgpu': await import('@tensorflow/tfjs-backend-webgpu'); return null;
    default: throw new Error(`unknown backend ${String(name)}`);
  }
}

/**
 * Switch TF.js to `name` and get it ready for training.
 * Throws if the backend cannot be initialised here (the caller falls back).
 * `opts.threads` asks for a wasm thread count: our GEMM thread pool (Node, or
 * a cross-origin isolated page; kernels/pool.ts) and TF.js's own pool (a
 * cross-origin isolated page only; it must precede the backend's first init).
 * The default is one per core, at most 4.
 */
export async function setupBackend(
  name: BackendName,
  opts: { threads?: number } = {},
): Promise<BackendInfo> {
  const wasm = await importBackend(name);
  if (wasm) {
    await configureWasmPaths(wasm);
    if (opts.threads && opts.threads > 0 && !tf.findBackend('wasm')) wasm.setThreadsCount(opts.threads);
    registerFastWasmKernels();
  }
  if (!tf.findBackendFactory(name)) throw new Error(`TF.js backend '${name}' is not available in this environment`);
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`TF.js backend '${name}' failed to initialise`);

  if (!wasm) return { backend: name, threads: 1, simd: false };

  const gemm = await startFastWasmThreads(opts.threads ?? (await defaultThreads()));
  const threads = Math.max(gemm.threads, wasm.getThreadsCount());
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const notes: string[] = [];
  if (threads <= 1) {
    const byDefault = gemm.reason === 'one thread requested' && !opts.threads;
    notes.push(`single-threaded: ${byDefault ? 'this machine has one core' : gemm.reason}`);
  } else if (opts.threads && threads < opts.threads) {
    notes.push(`asked for ${opts.threads} threads, got ${threads}`);
  }
  if (!simd) notes.push('no wasm SIMD in this runtime: expect ~3x slower matmuls');
  return { backend: 'wasm', threads, simd, ...(notes.length ? { note: notes.join('; ') } : {}) };
}
