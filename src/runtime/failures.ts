/**
 * Failures of the backend itself (a missing kernel, a lost WebGL context or
 * WebGPU device, out of memory), as opposed to failures of the graph. The
 * session falls back to the next backend on a BackendFailure instead of
 * stopping. Raw TF.js errors are classified here, once, where they cross the
 * backend boundary (BackendHandle.guard).
 */
import type { FailureKind } from './protocol';

export class BackendFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendFailure';
  }
}

/** What TF.js says when the backend, not the graph, is broken. */
const BROKEN_BACKEND =
  /kernel|context (was )?lost|device (was )?lost|lost context|out of memory|\boom\b|failed to allocate|allocation|webgl|webgpu|gpu|backend/i;

/** A raw error from TF.js as a BackendFailure when it means the backend broke; anything else unchanged. */
export function classifyBackendError(e: unknown): unknown {
  if (e instanceof BackendFailure) return e;
  const message = e instanceof Error ? e.message : String(e);
  return BROKEN_BACKEND.test(message) ? new BackendFailure(message, { cause: e }) : e;
}

/** The error a simulated failure raises, worded like the real one so the page reports it the same way. */
export function simulatedFailure(kind: Exclude<FailureKind, 'nan'>, backend: string): BackendFailure {
  switch (kind) {
    case 'kernel':
      return new BackendFailure(`Kernel 'Conv2DBackpropFilter' not registered for backend '${backend}' (simulated failure)`);
    case 'oom':
      return new BackendFailure(`Failed to allocate memory on ${backend}: out of memory (simulated failure)`);
    case 'contextLost':
      return new BackendFailure('WebGL context lost (simulated failure)');
    case 'deviceLost':
      return new BackendFailure('WebGPU device lost (simulated failure)');
  }
}
