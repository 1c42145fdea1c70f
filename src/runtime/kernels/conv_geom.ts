/**
 * NHWC convolutions (forward, filter gradient, input gradient) as GEMMs on
 * our native kernels (native/kernels.c conv_part).
 *
 * Column layout: row m = (n·Ho + oy)·Wo + ox, column (ky·kw + kx)·C + c,
 * which is the row-major flattening of a [kh, kw, C, Cout] filter's first
 * three axes, so
 *   forward      y[M, Cout]      = cols[M, KC] · W[KC, Cout]
 *   filter grad  dW[KC, Cout]    = colsᵀ · dy[M, Cout]
 *   input grad   dcols[M, KC]    = dy · Wᵀ, folded back by col2im.
 * Each thread unfolds its share a chunk of rows at a time, under the column
 * budget, so the columns are still in its core's cache when the GEMM reads
 * them. A 1×1, stride-1, unpadded convolution needs no columns: x itself is
 * the [M, C] matrix.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, byteOffsetOf } from './wasm_util';
import { nativeKernels } from './native';
import { tapsOf, type ConvGeom, type ConvOp } from './conv_job';

export type { ConvGeom } from './conv_job';

/** The attributes every TF.js convolution kernel shares. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function geomOf(ci: backend_util.Conv2DInfo): ConvGeom {
  if (ci.dataFormat !== 'channelsLast') throw new Error('our wasm convolutions support NHWC (channelsLast) only');
  return {
    N: ci.batchSize,
    H: ci.inHeight,
    W: ci.inWidth,
    C: ci.inChannels,
    kh: ci.filterHeight,
    kw: ci.filterWidth,
    sh: ci.strideHeight,
    sw: ci.strideWidth,
    dh: ci.dilationHeight,
    dw: ci.dilationWidth,
    top: ci.padInfo.top,
    left: ci.padInfo.left,
    Ho: ci.outHeight,
    Wo: ci.outWidth,
    Cout: ci.outChannels,
  };
}

/**
 * Column space per thread, in floats (default 256K floats = 1 MiB, which
 * stays in a core's L2 beside the packed GEMM blocks; measured 5-15 % faster
 * than unfolding 16 MiB at once on the DCGAN and PixelCNN layers).
 */
let colsBudget = 1 << 18;
/** Change the column budget (floats); returns the previous one. For tests and tuning. */
export function setColsBudget(floats: number): number {
  const prev = colsBudget;
  colsBudget = Math.max(1, floats | 0);
  return prev;
}

function run(be: BackendWasm, op: ConvOp, g: ConvGeom, a: TensorInfo, b: TensorInfo, out: TensorInfo): TensorInfo {
  // conv_part unfolds at least 4 rows (the GEMM's micro-tile) at a time.
  const taps = tapsOf(g),
    cols = Math.max(4 * taps, Math.min(colsBudget, g.N * g.Ho * g.Wo * taps));
  nativeKernels(be).conv(op, g, byteOffsetOf(be, a), byteOffsetOf(be, b), byteOffsetOf(be, out), cols);
  return out;
}

/** y = conv(x, W), NHWC. */
export function convForward(be: BackendWasm, x: TensorInfo, filter: TensorInfo, g: ConvGeom): TensorInfo {
  return run(be, 'forward', g, x, filter, alloc(be, [g.N, g.Ho, g.Wo, g.Cout]));
}

/** dW [kh, kw, C, Cout] from x and dy, NHWC. */
export function convFilterGrad(be: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeom): TensorInfo {
  return run(be, 'filterGrad', g, x, dy, alloc(be, [g.kh, g.kw, g.C, g.Cout]));
}

/** dx [N, H, W, C] from dy and W, NHWC. */
export function convInputGrad(be: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeom): TensorInfo {
  return run(be, 'inputGrad', g, dy, filter, alloc(be, [g.N, g.H, g.W, g.C]));
}
