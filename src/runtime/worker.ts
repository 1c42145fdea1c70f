/**
 * The training Web Worker: owns TF.js and the session. The page creates it with
 *   new Worker(new URL('../../runtime/worker.ts', import.meta.url), { type: 'module' })
 * and talks to it only through ./protocol.ts messages.
 */
import { del, get, set } from 'idb-keyval';
import * as tf from './tf';
import type { FromWorker, ToWorker } from './protocol';
import { TrainingSession, type CheckpointStore, type StoredCheckpoint } from './session';

declare const self: DedicatedWorkerGlobalScope;

const store: CheckpointStore = {
  get: (k) => get<StoredCheckpoint>(k),
  set: (k, v) => set(k, v),
  del: (k) => del(k),
};

// A MessageChannel round trip yields to the worker's message queue without
// setTimeout's 4 ms clamp, so pause lands within one slice.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToQueue = () => new Promise<void>((resolve) => {
  waiting.push(resolve);
  channel.port2.postMessage(0);
});

// TF.js's threaded wasm build can start here (vite.config.ts keeps its pthread
// source intact), but our kernels bind to the heap through Module.asm.memory
// (kernels/native.ts), which that build lacks: it imports its memory
// (Module.wasmMemory), so every matmul would throw. Until the kernels bind to
// either, TF.js stays on its single-threaded build; our GEMM pool still threads.
const WASM_THREADS_NOTE = "TF.js's threaded wasm build is off until our kernels can bind to its imported memory, so TF.js's own kernels run single-threaded";
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

// WebGPU: hold the GPU object and an adapter for the worker's lifetime. Without a
// live reference Chromium may collect the instance and lose TF.js's device
// ("A valid external Instance reference no longer exists").
const gpu = (self.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const keepAlive: unknown[] = [gpu];
void gpu?.requestAdapter().then((a) => keepAlive.push(a)).catch(() => undefined);
(self as unknown as { __latentLabKeepAlive: unknown[] }).__latentLabKeepAlive = keepAlive;

const post = (msg: FromWorker) => {
  if (msg.type === 'backend' && msg.backend === 'wasm' && self.crossOriginIsolated) msg = { ...msg, note: [msg.note, WASM_THREADS_NOTE].filter(Boolean).join('; ') };
  self.postMessage(msg);
};

const session = new TrainingSession({
  post,
  store,
  yieldToQueue,
});

self.onmessage = (e: MessageEvent<ToWorker>) => {
  void session.handle(e.data);
};

self.addEventListener('unhandledrejection', (e) => {
  self.postMessage({ type: 'error', message: String((e.reason as Error)?.message ?? e.reason), where: 'worker' });
});
