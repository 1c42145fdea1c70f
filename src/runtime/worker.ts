/**
 * The training Web Worker: owns TF.js and the session. The page creates it with
 *   new Worker(new URL('../../runtime/worker.ts', import.meta.url), { type: 'module' })
 * and talks to it only through ./protocol.ts messages.
 */
import { del, get, set } from 'idb-keyval';
import type { ToWorker } from './protocol';
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
const yieldToQueue = () =>
  new Promise<void>((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });

// WebGPU: hold the GPU object and an adapter for the worker's lifetime. Without a
// live reference Chromium may collect the instance and lose TF.js's device
// ("A valid external Instance reference no longer exists").
const gpu = (self.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const keepAlive: unknown[] = [gpu];
void gpu
  ?.requestAdapter()
  .then((a) => keepAlive.push(a))
  .catch(() => undefined);
(self as unknown as { __latentLabKeepAlive: unknown[] }).__latentLabKeepAlive = keepAlive;

const session = new TrainingSession({
  post: (msg) => self.postMessage(msg),
  store,
  yieldToQueue,
});

self.onmessage = (e: MessageEvent<ToWorker>) => {
  void session.handle(e.data);
};

self.addEventListener('unhandledrejection', (e) => {
  self.postMessage({ type: 'error', message: String((e.reason as Error)?.message ?? e.reason), where: 'worker' });
});
