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
const yieldToQueue = () => new Promise<void>((resolve) => {
  waiting.push(resolve);
  channel.port2.postMessage(0);
});

const params = new URL(self.location.href).searchParams;
const threads = Number(params.get('threads')) || Math.max(1, Math.min(4, (self.navigator.hardwareConcurrency || 2)));

const session = new TrainingSession({
  post: (msg) => self.postMessage(msg),
  store,
  yieldToQueue,
  threads,
});

self.onmessage = (e: MessageEvent<ToWorker>) => {
  void session.handle(e.data);
};

self.addEventListener('unhandledrejection', (e) => {
  self.postMessage({ type: 'error', message: String((e.reason as Error)?.message ?? e.reason), where: 'worker' });
});
