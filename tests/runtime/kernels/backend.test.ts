/**
 * setupBackend: switches between backends, reports threads / SIMD, installs
 * our wasm kernels exactly once, and refuses backends this runtime lacks.
 */
import { describe, expect, it, vi } from 'vitest';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../../src/runtime/backend';
import {
  FAST_WASM_KERNELS,
  fastWasmKernelsRegistered,
  registerFastWasmKernels,
  startFastWasmThreads,
} from '../../../src/runtime/kernels/index';

describe('setupBackend', () => {
  it('wasm in Node: a GEMM thread per core (at most 4), SIMD, our kernels registered', async () => {
    const info = await setupBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const cores = Math.min(4, availableParallelism());
    expect(info.threads).toBe(cores);
    expect(info.simd).toBe(true);
    expect(info.fma).toBe(true); // relaxed SIMD: by default from Node 22, behind the flag setupBackend sets on Node 20
    if (cores > 1) expect(info.note).toBeUndefined();
    else expect(info.note).toMatch(/single-threaded: this machine has one core/);
    expect(fastWasmKernelsRegistered()).toBe(true);
    for (const k of FAST_WASM_KERNELS) expect(tf.getKernel(k, 'wasm')).toBeDefined();
  });

  it('is idempotent (again, and registerFastWasmKernels on its own)', async () => {
    await setupBackend('wasm');
    registerFastWasmKernels();
    expect(fastWasmKernelsRegistered()).toBe(true);
    const y = tf.tidy(() => tf.matMul(tf.ones([3, 2]), tf.ones([3, 4]), true, false).dataSync());
    expect(Array.from(y)).toEqual(new Array(8).fill(3));
  });

  it('without wasm SIMD keeps the shipped kernels and says why it runs one thread', async () => {
    await setupBackend('wasm');
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      expect(registerFastWasmKernels()).toEqual([]);
      expect(await startFastWasmThreads(2)).toEqual({ threads: 1, reason: expect.stringMatching(/no wasm SIMD/) });
    } finally {
      validate.mockRestore();
    }
  });

  it('cpu, then back to wasm', async () => {
    expect(await setupBackend('cpu')).toEqual({ backend: 'cpu', threads: 1, simd: false });
    expect(tf.getBackend()).toBe('cpu');
    expect((await setupBackend('wasm')).backend).toBe('wasm');
  });

  it('throws for a backend this runtime cannot start (webgl in Node)', async () => {
    await expect(setupBackend('webgl')).rejects.toThrow(/webgl/);
    await setupBackend('wasm');
  });
});
