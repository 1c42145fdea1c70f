/**
 * A thread pool for our native GEMM and convolutions: large products are
 * split by rows, convolutions by output rows or images (native/kernels.c
 * conv_part), across the calling thread and `threads - 1` workers, each
 * running the same shared-memory build of native/kernels.c.
 *
 * Why it exists: the GEMMs are most of every training step, and TF.js's own
 * thread pool only reaches its XNNPACK kernels (and never runs in Node).
 *
 * Two ways to share the operands:
 * - zero-copy: when the wasm backend's heap is itself a shared memory (TF.js's
 *   threaded build, on a cross-origin isolated page), the workers instantiate
 *   the module on that very heap;
 * - staged: otherwise (Node, or TF.js's single-threaded build) the pool owns a
 *   shared memory of its own, and each product's operands are copied in and
 *   the result copied out (a memcpy, O(size), against O(m·n·k) of arithmetic,
 *   so only products that save more than the copy costs go there). A
 *   convolution copies only its input, filter and output: each thread
 *   unfolds its own columns in the pool's memory.
 *
 * Workers sleep in Atomics.wait on a control block and are woken per product;
 * the calling thread blocks the same way, which Node's main thread and Web
 * Workers allow (a browser page's main thread does not: no pool there).
 */
import { CONV_JOB_BYTES, convOperandFloats, convPartialFloats, tapsOf, writeConvJob, type ConvGeom, type ConvOp } from './conv_job';

const CTL_INTS = 18;
/** Control block slots (Int32). */
const GEN = 0,
  DONE = 1,
  READY = 2,
  M = 3,
  N = 4,
  K = 5,
  A = 6,
  LDA = 7,
  TRANS_A = 8,
  B = 9,
  LDB = 10,
  TRANS_B = 11,
  C = 12,
  LDC = 13,
  ACC = 14,
  PARTS = 15,
  /** What the workers run: OP_GEMM, or OP_CONV (conv_part of the job at JOB). */
  OP = 16,
  JOB = 17;
const OP_GEMM = 0,
  OP_CONV = 1;

/** Rows per part: equal shares rounded up to the micro-kernel's 4 rows. */
const WORKER_SOURCE = `'use strict';
function start(d) {
  const ex = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  const ctl = new Int32Array(d.memory.buffer, d.ctlPtr, ${CTL_INTS});
  let gen = Atomics.load(ctl, ${GEN});
  Atomics.add(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  for (;;) {
    Atomics.wait(ctl, ${GEN}, gen);
    gen = Atomics.load(ctl, ${GEN});
    if (ctl[${OP}] === ${OP_CONV}) {
      ex.conv_part(ctl[${JOB}] >>> 0, d.index, ctl[${PARTS}], d.wsPtr);
      Atomics.add(ctl, ${DONE}, 1);
      Atomics.notify(ctl, ${DONE});
      continue;
    }
    const m = ctl[${M}], parts = ctl[${PARTS}];
    const rows = Math.ceil(m / parts / 4) * 4, m0 = d.index * rows, m1 = Math.min(m, m0 + rows);
    if (m1 > m0) {
      const lda = ctl[${LDA}], transA = ctl[${TRANS_A}], ldc = ctl[${LDC}];
      const a = (ctl[${A}] >>> 0) + (transA ? m0 : m0 * lda) * 4;
      ex.sgemm(m1 - m0, ctl[${N}], ctl[${K}], a, lda, transA, ctl[${B}] >>> 0, ctl[${LDB}], ctl[${TRANS_B}],
        (ctl[${C}] >>> 0) + m0 * ldc * 4, ldc, ctl[${ACC}], d.wsPtr);
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
if (typeof self === 'undefined') start(require('node:worker_threads').workerData);
else self.onmessage = (e) => start(e.data);
`;

/** Below this many flops a product is not worth waking the workers for. */
const POOL_MIN_FLOPS = 4e6;
/** Each thread packs all of B itself: fewer rows each would make that the main cost. */
const MIN_ROWS_PER_THREAD = 32;
/**
 * Staged products also pay for copying their operands, at roughly one byte
 * per five flops of single-thread GEMM time here (memcpy ≈ 5 GB/s against
 * ≈ 25 GFLOP/s): the pool must save more than that.
 */
const FLOPS_PER_STAGED_BYTE = 5;
/** A product that takes longer than this means a worker died. */
const STALL_MS = 60_000;

interface GemmExports {
  gemm_workspace_floats(): number;
  sgemm(
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    transA: number,
    b: number,
    ldb: number,
    transB: number,
    c: number,
    ldc: number,
    accumulate: number,
    ws: number,
  ): void;
  conv_part(job: number, thread: number, threads: number, ws: number): void;
  conv_reduce(job: number, threads: number): void;
}

/** A matrix operand: heap address (bytes), leading dimension, stored transposed or not. */
export interface PoolOperand {
  ptr: number;
  ld: number;
  trans: boolean;
}

/** The wasm backend's heap, when it is shared (zero-copy mode). */
export interface SharedHeap {
  memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  free(ptr: number): void;
  exports: GemmExports;
}

interface WorkerHandle {
  terminate(): unknown;
}

const PAGE = 65536;

export class GemmPool {
  private constructor(
    readonly threads: number,
    private readonly memory: WebAssembly.Memory,
    private readonly ctl: Int32Array,
    /** The calling thread's kernels and workspace on `memory`. */
    private readonly ex: GemmExports,
    private readonly wsPtr: number,
    /** Start of the staging area (staged mode), or -1 in zero-copy mode. */
    private readonly stageBase: number,
    /** The backend's shared heap (zero-copy mode), for convolution scratch space. */
    private readonly heap: SharedHeap | undefined,
    private readonly workers: WorkerHandle[],
    /** Frees what the pool allocated on a shared heap (zero-copy mode). */
    private readonly release: () => void,
  ) {}

  /** Why a pool of `threads` cannot run in this thread, or null if it can. */
  static unavailable(threads: number): string | null {
    if (threads < 2) return 'one thread requested';
    if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is unavailable (the page is not cross-origin isolated)';
    if (!canBlock()) return "this thread may not block in Atomics.wait (a page's main thread)";
    return null;
  }

  /**
   * Start `threads - 1` workers; resolves once all are ready, or to null when
   * threads cannot run here (see unavailable(), or a worker failing to start
   * within `startTimeoutMs`).
   */
  static async start(opts: {
    module: WebAssembly.Module;
    threads: number;
    heap?: SharedHeap;
    startTimeoutMs?: number;
  }): Promise<GemmPool | null> {
    const { module, threads, heap } = opts;
    if (GemmPool.unavailable(threads)) return null;
    const wsFloats = heap ? heap.exports.gemm_workspace_floats() : 0;
    let memory: WebAssembly.Memory,
      ctlPtr: number,
      wsPtrs: number[],
      stageBase = -1,
      ex: GemmExports;
    let release = () => {};
    if (heap) {
      memory = heap.memory;
      ctlPtr = heap.malloc(CTL_INTS * 4);
      wsPtrs = Array.from({ length: threads }, () => heap.malloc(wsFloats * 4));
      release = () =>
        [ctlPtr, ...wsPtrs].forEach((p) => {
          if (p) heap.free(p);
        });
      if (!ctlPtr || wsPtrs.some((p) => !p)) {
        release();
        return null;
      }
      ex = heap.exports;
    } else {
      // The shared build's own minimum is 2 pages (its unused stack reservation).
      memory = new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true });
      ex = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
      const wsBytes = ex.gemm_workspace_floats() * 4;
      ctlPtr = 0;
      // The control block sits at address 0; the workspaces follow it.
      const wsBase = align(CTL_INTS * 4);
      wsPtrs = Array.from({ length: threads }, (_, i) => wsBase + i * wsBytes);
      stageBase = align(wsBase + threads * wsBytes);
      memory.grow(Math.max(0, Math.ceil(stageBase / PAGE) - 2));
    }
    const ctl = new Int32Array(memory.buffer, ctlPtr, CTL_INTS);
    ctl.fill(0);
    const workers: WorkerHandle[] = [];
    try {
      for (let i = 1; i < threads; i++) {
        workers.push(await spawn({ module, memory, ctlPtr, wsPtr: wsPtrs[i], index: i }));
      }
      const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
      while (Atomics.load(ctl, READY) < threads - 1) {
        if (Date.now() > deadline) throw new Error('GEMM workers did not start');
        await new Promise((r) => setTimeout(r, 2));
      }
    } catch {
      workers.forEach((w) => w.terminate());
      release();
      return null;
    }
    return new GemmPool(threads, memory, ctl, ex, wsPtrs[0], stageBase, heap, workers, release);
  }

  /** Whether this product is faster on the pool than on one thread. */
  wants(m: number, n: number, k: number, accumulate: boolean): boolean {
    const flops = 2 * m * n * k;
    if (m < MIN_ROWS_PER_THREAD * this.threads || flops < POOL_MIN_FLOPS) return false;
    if (this.stageBase < 0) return true;
    const stagedBytes = 4 * (m * k + k * n + (accumulate ? 2 : 1) * m * n);
    return flops * (1 - 1 / this.threads) > FLOPS_PER_STAGED_BYTE * stagedBytes;
  }

  /**
   * C = op(A)·op(B) (+ C), split by rows. `heap` is the backend's heap as
   * bytes (re-read by the caller after any allocation); operands are byte
   * addresses in it.
   */
  gemm(
    heap: Uint8Array,
    m: number,
    n: number,
    k: number,
    a: PoolOperand,
    b: PoolOperand,
    c: { ptr: number; ld: number },
    accumulate: boolean,
  ): void {
    if (this.stageBase < 0) {
      this.run(m, n, k, a, b, c, accumulate);
      return;
    }
    // Staged: copy operands (and C when accumulating) in, the result out.
    const aBytes = (a.trans ? k : m) * a.ld * 4,
      bBytes = (b.trans ? n : k) * b.ld * 4,
      cBytes = m * c.ld * 4;
    const aAt = this.stageBase,
      bAt = align(aAt + aBytes),
      cAt = align(bAt + bBytes),
      end = cAt + cBytes;
    if (end > this.memory.buffer.byteLength) this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / PAGE));
    const stage = new Uint8Array(this.memory.buffer);
    stage.set(heap.subarray(a.ptr, a.ptr + aBytes), aAt);
    stage.set(heap.subarray(b.ptr, b.ptr + bBytes), bAt);
    // C goes in too when it is read, or when its rows have gaps the copy-out would overwrite.
    if (accumulate || c.ld !== n) stage.set(heap.subarray(c.ptr, c.ptr + cBytes), cAt);
    this.run(m, n, k, { ...a, ptr: aAt }, { ...b, ptr: bAt }, { ...c, ptr: cAt }, accumulate);
    heap.set(stage.subarray(cAt, end), c.ptr);
  }

  /** Whether this convolution is faster on the pool than on one thread. */
  wantsConv(op: ConvOp, g: ConvGeom): boolean {
    const flops = 2 * g.N * g.Ho * g.Wo * tapsOf(g) * g.Cout;
    if (flops < POOL_MIN_FLOPS) return false;
    // The input gradient is shared out by whole images.
    if (op === 'inputGrad' && g.N < this.threads) return false;
    if (!this.heap) {
      const f = convOperandFloats(op, g);
      return flops * (1 - 1 / this.threads) > FLOPS_PER_STAGED_BYTE * 4 * (f.a + f.b + f.out);
    }
    return true;
  }

  /**
   * One convolution (conv_job.ts has each op's operands a, b, out: byte
   * addresses in `heap`, the backend's heap as bytes), with `colsFloats` of
   * column space per thread.
   */
  conv(heap: Uint8Array, op: ConvOp, g: ConvGeom, io: { a: number; b: number; out: number }, colsFloats: number): void {
    const T = this.threads;
    const partialBytes = convPartialFloats(op, g, T) * 4,
      colsBytes = T * colsFloats * 4;
    if (this.heap) {
      const jobBytes = align(CONV_JOB_BYTES),
        scratch = this.heap.malloc(jobBytes + align(partialBytes) + colsBytes);
      if (!scratch) throw new Error('wasm heap exhausted allocating convolution columns');
      try {
        const partials = scratch + jobBytes;
        const buf = { ...io, partials, cols: partials + align(partialBytes) };
        this.runConv(op, writeConvJob(new Uint32Array(this.memory.buffer), scratch, op, g, buf, colsFloats));
      } finally {
        this.heap.free(scratch);
      }
      return;
    }
    // Staged: copy the two inputs in and the output out; columns and partial sums stay here.
    const f = convOperandFloats(op, g);
    const aAt = align(this.stageBase + CONV_JOB_BYTES),
      bAt = align(aAt + f.a * 4),
      outAt = align(bAt + f.b * 4),
      partialsAt = align(outAt + f.out * 4),
      colsAt = align(partialsAt + partialBytes),
      end = colsAt + colsBytes;
    if (end > this.memory.buffer.byteLength) this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / PAGE));
    const stage = new Uint8Array(this.memory.buffer);
    stage.set(heap.subarray(io.a, io.a + f.a * 4), aAt);
    stage.set(heap.subarray(io.b, io.b + f.b * 4), bAt);
    const buf = { a: aAt, b: bAt, out: outAt, partials: partialsAt, cols: colsAt };
    this.runConv(op, writeConvJob(new Uint32Array(this.memory.buffer), this.stageBase, op, g, buf, colsFloats));
    heap.set(stage.subarray(outAt, outAt + f.out * 4), io.out);
  }

  private runConv(op: ConvOp, job: number): void {
    this.ctl[JOB] = job;
    this.dispatch(OP_CONV, () => this.ex.conv_part(job, 0, this.threads, this.wsPtr));
    if (op === 'filterGrad') this.ex.conv_reduce(job, this.threads);
  }

  private run(m: number, n: number, k: number, a: PoolOperand, b: PoolOperand, c: { ptr: number; ld: number }, accumulate: boolean): void {
    const ctl = this.ctl;
    ctl[M] = m;
    ctl[N] = n;
    ctl[K] = k;
    ctl[A] = a.ptr;
    ctl[LDA] = a.ld;
    ctl[TRANS_A] = a.trans ? 1 : 0;
    ctl[B] = b.ptr;
    ctl[LDB] = b.ld;
    ctl[TRANS_B] = b.trans ? 1 : 0;
    ctl[C] = c.ptr;
    ctl[LDC] = c.ld;
    ctl[ACC] = accumulate ? 1 : 0;
    const rows = Math.min(m, Math.ceil(m / this.threads / 4) * 4);
    this.dispatch(OP_GEMM, () =>
      this.ex.sgemm(rows, n, k, a.ptr, a.ld, a.trans ? 1 : 0, b.ptr, b.ld, b.trans ? 1 : 0, c.ptr, c.ld, accumulate ? 1 : 0, this.wsPtr),
    );
  }

  /** Wake the workers on `op`, run the calling thread's share, wait for theirs. */
  private dispatch(op: number, ownShare: () => void): void {
    const ctl = this.ctl;
    ctl[OP] = op;
    ctl[PARTS] = this.threads;
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    ownShare();
    const deadline = performance.now() + STALL_MS;
    for (let done; (done = Atomics.load(ctl, DONE)) < this.threads - 1;) {
      if (Atomics.wait(ctl, DONE, done, STALL_MS) === 'timed-out' && performance.now() > deadline) {
        throw new Error('a GEMM worker thread stopped responding');
      }
    }
  }

  terminate(): void {
    this.workers.forEach((w) => w.terminate());
    this.release();
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** Whether this thread may block in Atomics.wait (not a browser page's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctlPtr: number;
  wsPtr: number;
  index: number;
}

async function spawn(init: WorkerInit): Promise<WorkerHandle> {
  if (typeof Worker === 'undefined') {
    const name = 'node:worker_threads';
    const { Worker: NodeWorker } = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
    const w = new NodeWorker(WORKER_SOURCE, { eval: true, workerData: init });
    w.unref(); // idle GEMM workers must not keep a CLI process alive
    return w;
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  w.postMessage(init);
  return w;
}
