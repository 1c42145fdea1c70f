/**
 * The GEMM thread pool (src/runtime/kernels/pool.ts), in both modes — staged
 * (operands copied through the pool's own shared memory, as in Node) and
 * zero-copy (the caller's heap is a shared memory, as with TF.js's threaded
 * build) — against a float64 reference, on random shapes, orientations,
 * accumulation and thread counts (more threads than rows included).
 * Tolerance: |Δ| ≤ 1e-4 + 1e-5·Σ|products| per element.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GemmPool, type SharedHeap } from '../../../src/runtime/kernels/pool';
import { NATIVE_SHARED_WASM_BASE64 } from '../../../src/runtime/kernels/native_wasm';
import { randData } from './helpers';

const module = new WebAssembly.Module(Buffer.from(NATIVE_SHARED_WASM_BASE64, 'base64'));
const pools: GemmPool[] = [];
afterAll(() => pools.forEach((p) => p.terminate()));

/** A shared heap with a bump allocator, standing in for TF.js's threaded heap. */
function sharedHeap(): SharedHeap & { top: number } {
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 4096, shared: true });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SharedHeap['exports'];
  const heap = {
    memory,
    exports,
    top: 1 << 16,
    malloc(bytes: number) {
      const p = heap.top;
      heap.top += Math.ceil(bytes / 64) * 64;
      return p;
    },
    free() {},
  };
  return heap;
}

const gemmCase = fc.record({
  m: fc.integer({ min: 1, max: 70 }),
  n: fc.integer({ min: 1, max: 40 }),
  k: fc.integer({ min: 1, max: 300 }),
  transA: fc.boolean(),
  transB: fc.boolean(),
  accumulate: fc.boolean(),
  seed: fc.nat(),
});

type Case = { m: number; n: number; k: number; transA: boolean; transB: boolean; accumulate: boolean; seed: number };

/** Lay out A, B, C in `bytes` from `base`; run `gemm`; check C against float64. */
function check(bytes: () => Uint8Array, base: number, c: Case, gemm: (a: number, b: number, cPtr: number) => void) {
  const { m, n, k, transA, transB, accumulate, seed } = c;
  const A = randData(m * k, seed),
    B = randData(k * n, seed + 1),
    C0 = randData(m * n, seed + 2);
  const aPtr = base,
    bPtr = aPtr + A.length * 4,
    cPtr = bPtr + B.length * 4;
  const f = new Float32Array(bytes().buffer);
  f.set(A, aPtr / 4);
  f.set(B, bPtr / 4);
  f.set(C0, cPtr / 4);
  gemm(aPtr, bPtr, cPtr);
  const out = new Float32Array(bytes().buffer, cPtr, m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = accumulate ? C0[i * n + j] : 0,
        mag = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const prod = (transA ? A[p * m + i] : A[i * k + p]) * (transB ? B[j * k + p] : B[p * n + j]);
        s += prod;
        mag += Math.abs(prod);
      }
      const got = out[i * n + j];
      if (!(Math.abs(got - s) <= 1e-4 + 1e-5 * mag)) throw new Error(`C[${i},${j}] = ${got}, expected ${s} (${JSON.stringify(c)})`);
    }
}

describe('GEMM thread pool', () => {
  it('staged mode: matches a float64 reference', async () => {
    const pool = await GemmPool.start({ module, threads: 3 });
    expect(pool).not.toBeNull();
    pools.push(pool!);
    const heap = new Uint8Array(8 << 20);
    fc.assert(
      fc.property(gemmCase, (c) => {
        check(
          () => heap,
          4096,
          c,
          (a, b, cPtr) =>
            pool!.gemm(
              heap,
              c.m,
              c.n,
              c.k,
              { ptr: a, ld: c.transA ? c.m : c.k, trans: c.transA },
              { ptr: b, ld: c.transB ? c.k : c.n, trans: c.transB },
              { ptr: cPtr, ld: c.n },
              c.accumulate,
            ),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('zero-copy mode on a shared heap: matches a float64 reference', async () => {
    const heap = sharedHeap();
    const pool = await GemmPool.start({ module, threads: 2, heap });
    expect(pool).not.toBeNull();
    pools.push(pool!);
    const base = heap.malloc(4 << 20);
    fc.assert(
      fc.property(gemmCase, (c) => {
        check(
          () => new Uint8Array(heap.memory.buffer),
          base,
          c,
          (a, b, cPtr) =>
            pool!.gemm(
              new Uint8Array(heap.memory.buffer),
              c.m,
              c.n,
              c.k,
              { ptr: a, ld: c.transA ? c.m : c.k, trans: c.transA },
              { ptr: b, ld: c.transB ? c.k : c.n, trans: c.transB },
              { ptr: cPtr, ld: c.n },
              c.accumulate,
            ),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('takes a product only when threads beat one thread after copying', async () => {
    const staged = pools[0];
    expect(staged.wants(3136, 128, 1024, false)).toBe(true); // a DCGAN conv layer
    expect(staged.wants(128, 512, 784, false)).toBe(true); // a VAE layer
    expect(staged.wants(12544, 64, 16, false)).toBe(false); // 1-channel conv: copying costs more than it saves
    expect(staged.wants(16, 64, 12544, true)).toBe(false); // too few rows to share
    expect(staged.wants(64, 64, 64, false)).toBe(false); // too small to wake anyone
  });

  it('does not start with fewer than two threads', async () => {
    expect(await GemmPool.start({ module, threads: 1 })).toBeNull();
  });
});
