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

// TF.js's threaded wasm build starts its pthread workers from the source text of
// a bundled function (Function.prototype.toString); after minification that text
// refers to names outside itself and every pthread dies with "e is not defined".
// Until the bundle ships that script unminified, the worker keeps wasm on one
// thread (on the 2-core reference machine TF.js would cap the pool at 1 anyway).
const WASM_THREADS_NOTE = 'single-threaded: the threaded wasm build cannot start its pthreads from a minified bundle (TF.js builds them from function source text), so threads are off';
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

// WebGPU: hold the GPU object and an adapter for the worker's lifetime. Without a
// live reference Chromium may collect the instance and lose TF.js's device
// ("A valid external Instance reference no longer exists").
const gpu = (self.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const keepAlive: unknown[] = [gpu];
void gpu?.requestAdapter().then((a) => keepAlive.push(a)).catch(() => undefined);
(self as unknown as { __latentLabKeepAlive: unknown[] }).__latentLabKeepAlive = keepAlive;

const post = (msg: FromWorker) => {
  if (msg.type === 'backend' && msg.backend === 'wasm' && msg.threads <= 1) msg = { ...msg, note: [WASM_THREADS_NOTE, msg.note?.replace(/^single-threaded:[^;]*;?\s*/, '')].filter(Boolean).join('; ') };
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
