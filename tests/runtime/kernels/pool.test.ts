/**
 * The GEMM thread pool (src/runtime/kernels/pool.ts), in both modes — staged
 * (operands copied through the pool's own shared memory, as in Node) and
 * zero-copy (the caller's heap is a shared memory, as with TF.js's threaded
 * build) — against a float64 reference, on random shapes, orientations,
 * accumulation and thread counts (more threads than rows included); and its
 * convolutions (forward, filter gradient, input gradient) in both modes
 * against a float64 convolution on random geometries, with column space for
 * as few as 4 rows per thread so every share is unfolded in several chunks.
 * Tolerance: |Δ| ≤ 1e-4 + 1e-5·Σ|products| per element.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GemmPool, type SharedHeap } from '../../../src/runtime/kernels/pool';
import { NATIVE_SHARED_WASM_BASE64 } from '../../../src/runtime/kernels/native_wasm';
import { randData } from './helpers';
import { CONV_OPS, convOperandFloats, type ConvGeom, type ConvOp } from '../../../src/runtime/kernels/conv_job';

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

/** Random convolution geometries (strides, dilations, padding, 1×1 included). */
const convCase = fc
  .record({
    N: fc.integer({ min: 1, max: 5 }),
    H: fc.integer({ min: 1, max: 8 }),
    W: fc.integer({ min: 1, max: 8 }),
    C: fc.integer({ min: 1, max: 5 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    dh: fc.integer({ min: 1, max: 2 }),
    dw: fc.integer({ min: 1, max: 2 }),
    top: fc.nat(2),
    left: fc.nat(2),
    Cout: fc.integer({ min: 1, max: 9 }),
    op: fc.constantFrom(...CONV_OPS),
    colsRows: fc.integer({ min: 4, max: 40 }),
    seed: fc.nat(),
  })
  .map((c) => ({
    ...c,
    Ho: Math.floor((c.H + 2 * c.top - c.dh * (c.kh - 1) - 1) / c.sh) + 1,
    Wo: Math.floor((c.W + 2 * c.left - c.dw * (c.kw - 1) - 1) / c.sw) + 1,
  }))
  .filter((c) => c.Ho > 0 && c.Wo > 0);

type ConvCase = ConvGeom & { op: ConvOp; colsRows: number; seed: number };

/** The convolution in float64, straight from its definition. */
function referenceConv(c: ConvCase, a: Float32Array, b: Float32Array): { out: Float64Array; mag: Float64Array } {
  const sizes = convOperandFloats(c.op, c);
  const out = new Float64Array(sizes.out),
    mag = new Float64Array(sizes.out);
  const xAt = (n: number, y: number, x: number, ch: number) => ((n * c.H + y) * c.W + x) * c.C + ch;
  const wAt = (ky: number, kx: number, ch: number, co: number) => ((ky * c.kw + kx) * c.C + ch) * c.Cout + co;
  const yAt = (n: number, oy: number, ox: number, co: number) => ((n * c.Ho + oy) * c.Wo + ox) * c.Cout + co;
  for (let n = 0; n < c.N; n++)
    for (let oy = 0; oy < c.Ho; oy++)
      for (let ox = 0; ox < c.Wo; ox++)
        for (let ky = 0; ky < c.kh; ky++)
          for (let kx = 0; kx < c.kw; kx++) {
            const iy = oy * c.sh - c.top + ky * c.dh,
              ix = ox * c.sw - c.left + kx * c.dw;
            if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W) continue;
            for (let ch = 0; ch < c.C; ch++)
              for (let co = 0; co < c.Cout; co++) {
                const [at, p] =
                  c.op === 'forward'
                    ? [yAt(n, oy, ox, co), a[xAt(n, iy, ix, ch)] * b[wAt(ky, kx, ch, co)]]
                    : c.op === 'filterGrad'
                      ? [wAt(ky, kx, ch, co), a[xAt(n, iy, ix, ch)] * b[yAt(n, oy, ox, co)]]
                      : [xAt(n, iy, ix, ch), a[yAt(n, oy, ox, co)] * b[wAt(ky, kx, ch, co)]];
                out[at] += p;
                mag[at] += Math.abs(p);
              }
          }
  return { out, mag };
}

/** Run `conv` on a, b laid out in `bytes` from `base` (output after them, pre-filled with garbage); check it. */
function checkConv(bytes: () => Uint8Array, base: number, c: ConvCase, conv: (io: { a: number; b: number; out: number }) => void) {
  const sizes = convOperandFloats(c.op, c);
  const a = randData(sizes.a, c.seed),
    b = randData(sizes.b, c.seed + 1);
  const io = { a: base, b: base + sizes.a * 4, out: base + (sizes.a + sizes.b) * 4 };
  const f = new Float32Array(bytes().buffer);
  f.set(a, io.a / 4);
  f.set(b, io.b / 4);
  f.fill(Number.NaN, io.out / 4, io.out / 4 + sizes.out);
  conv(io);
  const got = new Float32Array(bytes().buffer, io.out, sizes.out);
  const want = referenceConv(c, a, b);
  for (let i = 0; i < sizes.out; i++) {
    if (!(Math.abs(got[i] - want.out[i]) <= 1e-4 + 1e-5 * want.mag[i])) {
      throw new Error(`${c.op}[${i}] = ${got[i]}, expected ${want.out[i]} (${JSON.stringify(c)})`);
    }
  }
}

describe('convolutions on the thread pool', () => {
  const colsFloats = (c: ConvCase) => c.colsRows * c.kh * c.kw * c.C;

  it('staged mode: forward, filter and input gradients match a float64 reference', async () => {
    const pool = await GemmPool.start({ module, threads: 3 });
    expect(pool).not.toBeNull();
    pools.push(pool!);
    const heap = new Uint8Array(4 << 20);
    fc.assert(
      fc.property(convCase, (c) => {
        checkConv(
          () => heap,
          4096,
          c,
          (io) => pool!.conv(heap, c.op, c, io, colsFloats(c)),
        );
      }),
      { numRuns: 120 },
    );
  });

  it('zero-copy mode on a shared heap: forward, filter and input gradients match a float64 reference', async () => {
    const heap = sharedHeap();
    const pool = await GemmPool.start({ module, threads: 2, heap });
    expect(pool).not.toBeNull();
    pools.push(pool!);
    const base = heap.malloc(2 << 20);
    fc.assert(
      fc.property(convCase, (c) => {
        checkConv(
          () => new Uint8Array(heap.memory.buffer),
          base,
          c,
          (io) => pool!.conv(new Uint8Array(heap.memory.buffer), c.op, c, io, colsFloats(c)),
        );
      }),
      { numRuns: 120 },
    );
  });

  it('takes a convolution only when threads beat one thread after copying', () => {
    const staged = pools[0];
    const dcgan = { N: 64, H: 14, W: 14, C: 64, kh: 4, kw: 4, sh: 2, sw: 2, dh: 1, dw: 1, top: 1, left: 1, Ho: 7, Wo: 7, Cout: 128 };
    expect(staged.wantsConv('forward', dcgan)).toBe(true);
    expect(staged.wantsConv('inputGrad', dcgan)).toBe(true);
    expect(staged.wantsConv('inputGrad', { ...dcgan, N: 1 })).toBe(false); // one image cannot be shared out
    expect(staged.wantsConv('forward', { ...dcgan, N: 1, Cout: 8 })).toBe(false); // too small to wake anyone
  });
});
