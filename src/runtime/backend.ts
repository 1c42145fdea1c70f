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
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerFastWasmKernels, startFastWasmThreads } from './kernels/index';
import { nativeFma } from './kernels/native';

export type BackendName = 'wasm' | 'cpu' | 'webgl' | 'webgpu';

export interface BackendInfo {
  /** The backend TF.js is now running on. */
  backend: string;
  /** Compute threads that backend uses: wasm's GEMM threads (1 for cpu/webgl/webgpu's JS side). */
  threads: number;
  /** Whether the wasm binary in use is the SIMD one (false for other backends). */
  simd: boolean;
  /** wasm only: our GEMM runs fused multiply-adds (relaxed SIMD). */
  fma?: boolean;
  /** wasm only: the heap is a SharedArrayBuffer, i.e. TF.js runs its threaded-simd build. */
  sharedMemory?: boolean;
  /** Why the result differs from what was asked, if it does. */
  note?: string;
  /** A GPU backend on a software rasteriser (SwiftShader, llvmpipe): the renderer's name (set by attachBackend). */
  software?: string;
}

/**
 * How long a backend may take to start. The threaded wasm build waits for its
 * pthread workers (Emscripten starts 8) to load: a few seconds on a busy 2-core machine.
 */
const INIT_TIMEOUT_MS = 30_000;

/** TF.js's own registration priorities, kept when a failed backend is registered again. */
const BACKEND_PRIORITY: Record<BackendName, number> = { webgpu: 3, webgl: 2, wasm: 2, cpu: 1 };

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return (
    !!p?.versions?.node &&
    typeof (globalThis as { window?: unknown }).window === 'undefined' &&
    typeof (globalThis as { importScripts?: unknown }).importScripts === 'undefined'
  );
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
    // Node 20's V8 runs relaxed SIMD (our fused multiply-add GEMM, 1.2-1.3x faster) only behind this
    // flag; Node 22 and Chromium run it by default. It must be set before our module compiles.
    if (Number(process.versions.node.split('.')[0]) < 22) {
      const v8Name = 'node:v8';
      ((await import(/* @vite-ignore */ v8Name)) as typeof import('node:v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
    }
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
    case 'wasm':
      return import('@tensorflow/tfjs-backend-wasm');
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return null;
    case 'webgl':
      await import('@tensorflow/tfjs-backend-webgl');
      return null;
    case 'webgpu':
      await import('@tensorflow/tfjs-backend-webgpu');
      return null;
    default:
      throw new Error(`unknown backend ${String(name)}`);
  }
}

/** Why TF.js's threaded wasm build could not start here, once it has failed (the session then runs its single-threaded build). */
let threadedBuildFailure: string | null = null;

/** TF.js picks its threaded-simd wasm build when both features are there. */
async function threadedBuildWanted(): Promise<boolean> {
  const [simd, threads] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  ]);
  return !!simd && !!threads;
}

type ErrorScope = {
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
};

/**
 * Errors from TF.js's pthread workers reach this global scope twice: the
 * worker's own error event (its script is a blob: URL) and Emscripten's rethrow
 * of that event. While the threaded build starts, the first one fails its init
 * at once rather than at the timeout. Once that build is abandoned, the rest
 * from its dead workers are dropped: the page would report each as a crash.
 */
let onPthreadError: ((message: string) => void) | null = null;
let watchingPthreads = false;
function watchPthreadErrors(): void {
  const scope = globalThis as unknown as Partial<ErrorScope>;
  if (watchingPthreads || !scope.addEventListener) return;
  watchingPthreads = true;
  scope.addEventListener('error', (e) => {
    const fromPthread = e.filename?.startsWith('blob:') || (typeof ErrorEvent !== 'undefined' && e.error instanceof ErrorEvent);
    if (!fromPthread || !(onPthreadError || threadedBuildFailure)) return;
    e.preventDefault();
    onPthreadError?.((e.error as { message?: string } | null)?.message ?? e.message);
  });
}

/**
 * Initialise `name`, giving up after INIT_TIMEOUT_MS: a backend whose init
 * never settles (TF.js's threaded wasm build waits forever for a pthread that
 * died) fails like one that throws; with `threaded`, so does a pthread error.
 * A failed backend is unregistered, which makes TF.js ignore its pending init,
 * and registered again for a retry.
 */
async function initBackend(name: BackendName, threaded: boolean): Promise<void> {
  const factory = tf.findBackendFactory(name);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`initialising ${name} timed out after ${INIT_TIMEOUT_MS / 1000} s`)), INIT_TIMEOUT_MS);
    if (threaded) {
      watchPthreadErrors();
      onPthreadError = (message) => reject(new Error(`a pthread worker failed: ${message}`));
    }
  });
  try {
    const ok = await Promise.race([tf.setBackend(name), failed]);
    if (!ok) throw new Error(`TF.js backend '${name}' failed to initialise`);
  } catch (e) {
    tf.removeBackend(name);
    tf.registerBackend(name, factory, BACKEND_PRIORITY[name]);
    throw e;
  } finally {
    clearTimeout(timer);
    onPthreadError = null;
  }
}

/**
 * Switch TF.js to `name` and get it ready for training.
 * Throws if the backend cannot be initialised here (the caller falls back).
 * `opts.threads` asks for a wasm thread count: our GEMM thread pool (Node, or
 * a cross-origin isolated page; kernels/pool.ts) and TF.js's own pool (a
 * cross-origin isolated page only; it must precede the backend's first init).
 * The default is one per core, at most 4.
 *
 * On a cross-origin isolated page TF.js runs its threaded-simd wasm build (the
 * heap is a SharedArrayBuffer: `sharedMemory`); if that build cannot start,
 * wasm falls back to the single-threaded build and the note says why.
 */
export async function setupBackend(name: BackendName, opts: { threads?: number } = {}): Promise<BackendInfo> {
  const wasm = await importBackend(name);
  if (wasm) {
    await configureWasmPaths(wasm);
    if (opts.threads && opts.threads > 0 && !tf.findBackend('wasm')) wasm.setThreadsCount(opts.threads);
    registerFastWasmKernels();
  }
  if (!tf.findBackendFactory(name)) throw new Error(`TF.js backend '${name}' is not available in this environment`);
  const threaded = !!wasm && !tf.findBackend('wasm') && (await threadedBuildWanted());
  try {
    await initBackend(name, threaded);
  } catch (e) {
    if (!threaded) throw e;
    threadedBuildFailure = e instanceof Error ? e.message : String(e);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await initBackend(name, false);
  }
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`TF.js backend '${name}' failed to initialise`);

  if (!wasm) return { backend: name, threads: 1, simd: false };

  const gemm = await startFastWasmThreads(opts.threads ?? (await defaultThreads()));
  // Read from the instance, not TF.js's module-wide count, which an abandoned init could still overwrite.
  const module = (tf.backend() as BackendWasm).wasm;
  const threads = Math.max(gemm.threads, module.tfjs.getThreadsCount());
  // The threaded build imports its memory (Module.wasmMemory); the others export it (Module.asm.memory).
  const em = module as unknown as { wasmMemory?: WebAssembly.Memory; asm: { memory?: WebAssembly.Memory } };
  const memory = em.wasmMemory ?? em.asm.memory;
  const sharedMemory = typeof SharedArrayBuffer !== 'undefined' && memory?.buffer instanceof SharedArrayBuffer;
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const notes: string[] = [];
  if (threadedBuildFailure)
    notes.push(
      `TF.js's threaded wasm build did not start (${threadedBuildFailure}), so TF.js's own kernels run on its single-threaded build`,
    );
  if (threads <= 1) {
    const byDefault = gemm.reason === 'one thread requested' && !opts.threads;
    notes.push(`single-threaded: ${byDefault ? 'this machine has one core' : gemm.reason}`);
  } else if (opts.threads && threads < opts.threads) {
    notes.push(`asked for ${opts.threads} threads, got ${threads}`);
  }
  if (!simd) notes.push("no wasm SIMD in this runtime: TF.js's own kernels run, several times slower, and convolutions cannot train");
  const fma = simd && nativeFma();
  return { backend: 'wasm', threads, simd, fma, sharedMemory, ...(notes.length ? { note: notes.join('; ') } : {}) };
}
