/**
 * The memory layout of one convolution for native/kernels.c's conv_part:
 * a geometry block (15 u32) and a job block (8 u32), written by the calling
 * thread wherever the kernels run (TF.js's heap, or the thread pool's own
 * memory). Pure layout, shared by native.ts (one thread) and pool.ts (many).
 */

/** NHWC convolution geometry, in native/kernels.c's Geom field order. */
export interface ConvGeom {
  N: number;
  H: number;
  W: number;
  C: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
  Ho: number;
  Wo: number;
  Cout: number;
}

const GEOM_FIELDS = ['N', 'H', 'W', 'C', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'top', 'left', 'Ho', 'Wo', 'Cout'] as const;

/** conv_part's operations, in native/kernels.c's enum order. */
export const CONV_OPS = ['forward', 'filterGrad', 'inputGrad'] as const;
export type ConvOp = (typeof CONV_OPS)[number];

/** Bytes of the geometry and job blocks together. */
export const CONV_JOB_BYTES = (GEOM_FIELDS.length + 8) * 4;

/** Columns of the unfolded matrix: kh·kw·C. */
export function tapsOf(g: ConvGeom): number {
  return g.kh * g.kw * g.C;
}

/**
 * Floats in each operand: forward reads x and W and writes y; the filter
 * gradient reads x and dy and writes dW; the input gradient reads dy and W
 * and writes dx.
 */
export function convOperandFloats(op: ConvOp, g: ConvGeom): { a: number; b: number; out: number } {
  const x = g.N * g.H * g.W * g.C,
    w = tapsOf(g) * g.Cout,
    y = g.N * g.Ho * g.Wo * g.Cout;
  if (op === 'forward') return { a: x, b: w, out: y };
  if (op === 'filterGrad') return { a: x, b: y, out: w };
  return { a: y, b: w, out: x };
}

/** Floats of per-thread partial filter gradients beyond the output itself. */
export function convPartialFloats(op: ConvOp, g: ConvGeom, threads: number): number {
  return op === 'filterGrad' ? (threads - 1) * tapsOf(g) * g.Cout : 0;
}

/** Byte addresses of a convolution's buffers. */
export interface ConvBuffers {
  a: number;
  b: number;
  out: number;
  /** Per-thread partial filter gradients (filterGrad with more than one thread). */
  partials: number;
  /** threads × colsFloats of column space. */
  cols: number;
}

/**
 * Write the geometry and job blocks at byte address `at` of `heap32`'s
 * memory; returns the job's address for conv_part.
 */
export function writeConvJob(heap32: Uint32Array, at: number, op: ConvOp, g: ConvGeom, buf: ConvBuffers, colsFloats: number): number {
  const base = at >> 2;
  GEOM_FIELDS.forEach((f, i) => {
    heap32[base + i] = g[f];
  });
  const job = base + GEOM_FIELDS.length;
  heap32.set([CONV_OPS.indexOf(op), at, buf.a, buf.b, buf.out, buf.partials, buf.cols, colsFloats], job);
  return job << 2;
}
