/**
 * Helpers for checking wasm kernels against the cpu backend.
 * Both backends are initialised once per test file by `initBackends()`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../../src/runtime/backend';

export async function initBackends(): Promise<void> {
  await setupBackend('cpu');
  await setupBackend('wasm');
}

/**
 * Switch to a backend that initBackends() has set up. Its setBackend promise is
 * settled by then, so the switch is synchronous; the check turns that assumption
 * into a loud failure instead of a run on the wrong backend.
 */
export function switchBackend(backend: 'cpu' | 'wasm'): void {
  void tf.setBackend(backend);
  if (tf.getBackend() !== backend) throw new Error(`backend '${backend}' is not initialised; call initBackends() first`);
}

/** Deterministic float data from a seed (mulberry32), uniform in [-1, 1). */
export function randData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function randTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    randData(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** Run `f` on a backend; return every output tensor's values. */
export function runOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  switchBackend(backend);
  return tf.tidy(() => [f()].flat().map((t) => Float32Array.from(t.dataSync())));
}

/**
 * Max over elements of |a-b| / (atol + rtol·|b|) — ≤ 1 means within tolerance.
 * Returns a readable message for the first failing element.
 */
export function compare(a: Float32Array[], b: Float32Array[], rtol = 1e-3, atol = 1e-4): string | null {
  if (a.length !== b.length) return `output count ${a.length} vs ${b.length}`;
  for (let k = 0; k < a.length; k++) {
    if (a[k].length !== b[k].length) return `output ${k}: size ${a[k].length} vs ${b[k].length}`;
    for (let i = 0; i < a[k].length; i++) {
      const err = Math.abs(a[k][i] - b[k][i]);
      if (!(err <= atol + rtol * Math.abs(b[k][i]))) return `output ${k}[${i}]: wasm ${a[k][i]} vs cpu ${b[k][i]}`;
    }
  }
  return null;
}

/** Same computation on wasm and cpu; throws with details if they differ. */
export function expectSameOnBoth(f: () => tf.Tensor | tf.Tensor[], rtol = 1e-3, atol = 1e-4, what = ''): void {
  const w = runOn('wasm', f);
  const c = runOn('cpu', f);
  switchBackend('wasm');
  const msg = compare(w, c, rtol, atol);
  if (msg) throw new Error(`${what}: ${msg}`);
}
