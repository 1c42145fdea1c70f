/**
 * How a model reads results back from its backend: one strategy per backend
 * instead of a sync and an async twin of every model method.
 *
 * WebGPU must read with `await data()`: its synchronous read goes through a
 * canvas and in a worker returns zeros (SwiftShader) or hangs. On wasm and cpu
 * the async read resolves at once and costs nothing measurable, so they read
 * the same way. WebGL keeps its synchronous read (no fence polling).
 */
import type * as tf from './tf';

export type ReadMode = 'sync' | 'async';

/** A value read back from the backend: at once ('sync'), or once `await data()` settles ('async'). */
export type Read<M extends ReadMode, T> = M extends 'async' ? Promise<T> : T;

export interface Reader<M extends ReadMode = ReadMode> {
  readonly mode: M;
  /**
   * The values of `tensors`, handed to `then`. The tensors are disposed once
   * read, whatever happens, unless `keep`: a model's own variables, which a
   * simulated failure leaves alone (a checkpoint never holds poisoned weights). Reading
   * starts before this returns, so every random draw made before the call is
   * covered by the caller's fixed random stream.
   */
  read<T>(tensors: tf.Tensor[], then: (values: Float32Array[]) => T, opts?: { keep?: boolean }): Read<M, T>;
}

/**
 * A reader in `mode`. `beforeRead` runs before every read of computed values: it may throw (the
 * read fails with that error) or return true (the values come back as NaN),
 * which is how a backend handle simulates its failures.
 */
export function createReader<M extends ReadMode>(mode: M, beforeRead: () => boolean = () => false): Reader<M> {
  return {
    mode,
    read<T>(tensors: tf.Tensor[], then: (values: Float32Array[]) => T, opts: { keep?: boolean } = {}): Read<M, T> {
      const free = () => {
        if (!opts.keep) for (const t of tensors) t.dispose();
      };
      const finish = (poisoned: boolean, values: Float32Array[]) =>
        then(poisoned ? values.map((v) => new Float32Array(v.length).fill(Number.NaN)) : values);
      if (mode === 'sync') {
        try {
          const poisoned = !opts.keep && beforeRead();
          return finish(
            poisoned,
            tensors.map((t) => t.dataSync() as Float32Array),
          ) as Read<M, T>;
        } finally {
          free();
        }
      }
      const read = async () => {
        try {
          const poisoned = !opts.keep && beforeRead();
          return finish(poisoned, (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[]);
        } finally {
          free();
        }
      };
      return read() as Read<M, T>;
    },
  };
}

/** Reads at once: what a model does when it is given no reader (tests, benchmarks). */
export const syncReader = createReader('sync');

/** The read mode a backend (by name: 'webgpu', 'webgl', 'wasm', 'cpu') needs; see the top of this file. */
export function readModeFor(backend: string): ReadMode {
  return backend === 'webgl' ? 'sync' : 'async';
}
