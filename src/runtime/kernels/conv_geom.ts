/**
 * NHWC convolution geometry and the three GEMM formulations of a convolution
 * (forward, filter gradient, input gradient) on our native kernels.
 *
 * Column layout (native/kernels.c im2col): row m = (n·Ho + oy)·Wo + ox,
 * column (ky·kw + kx)·C + c, which is the row-major flattening of a
 * [kh, kw, C, Cout] filter's first three axes, so
 *   forward      y[M, Cout]      = cols[M, KC] · W[KC, Cout]
 *   filter grad  dW[KC, Cout]    = colsᵀ · dy[M, Cout]
 *   input grad   dcols[M, KC]    = dy · Wᵀ, folded back by col2im.
 * Columns are unfolded a chunk of images at a time so the buffer stays under
 * the column budget. A 1×1, stride-1, unpadded convolution needs no columns:
 * x itself is the [M, C] matrix.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, byteOffsetOf, dispose, heapF32, offsetOf } from './wasm_util';
import { nativeKernels } from './native';

/** The attributes every TF.js convolution kernel shares. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

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
 * How many images to unfold at once so the column buffer stays under the
 * column budget (default 4M floats = 16 MiB): bounded memory, still large GEMMs.
 */
let colsBudget = 4 << 20;
/** Change the column budget (floats); returns the previous one. For tests and tuning. */
export function setColsBudget(floats: number): number {
  const prev = colsBudget;
  colsBudget = Math.max(1, floats | 0);
  return prev;
}

function isPointwise(g: ConvGeom): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.top === 0 && g.left === 0 && g.Ho === g.H && g.Wo === g.W;
}

/**
 * Run `body(n0, n1, colsPtr)` over chunks of images with a column buffer
 * (byte address) sized for the largest chunk.
 */
function forEachChunk(be: BackendWasm, g: ConvGeom, body: (n0: number, n1: number, cols: number) => void): void {
  const perImage = g.Ho * g.Wo * g.kh * g.kw * g.C;
  const nb = Math.max(1, Math.min(g.N, Math.floor(colsBudget / Math.max(1, perImage))));
  const cols = alloc(be, [nb * perImage]);
  try {
    const colsPtr = byteOffsetOf(be, cols);
    for (let n0 = 0; n0 < g.N; n0 += nb) body(n0, Math.min(g.N, n0 + nb), colsPtr);
  } finally {
    dispose(be, cols);
  }
}

/** y = conv(x, W), NHWC. */
export function convForward(be: BackendWasm, x: TensorInfo, filter: TensorInfo, g: ConvGeom): TensorInfo {
  const nk = nativeKernels(be);
  const KC = g.kh * g.kw * g.C,
    HW = g.Ho * g.Wo;
  const y = alloc(be, [g.N, g.Ho, g.Wo, g.Cout]);
  const xPtr = byteOffsetOf(be, x),
    wPtr = byteOffsetOf(be, filter),
    yPtr = byteOffsetOf(be, y);
  const w = { ptr: wPtr, ld: g.Cout, trans: false };
  if (isPointwise(g)) {
    nk.gemm(g.N * HW, g.Cout, g.C, { ptr: xPtr, ld: g.C, trans: false }, w, { ptr: yPtr, ld: g.Cout });
    return y;
  }
  forEachChunk(be, g, (n0, n1, cols) => {
    nk.im2col(g, xPtr, n0, n1, cols);
    nk.gemm((n1 - n0) * HW, g.Cout, KC, { ptr: cols, ld: KC, trans: false }, w, { ptr: yPtr + n0 * HW * g.Cout * 4, ld: g.Cout });
  });
  return y;
}

/** dW [kh, kw, C, Cout] from x and dy, NHWC. */
export function convFilterGrad(be: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeom): TensorInfo {
  const nk = nativeKernels(be);
  const KC = g.kh * g.kw * g.C,
    HW = g.Ho * g.Wo;
  const dW = alloc(be, [g.kh, g.kw, g.C, g.Cout]);
  const xPtr = byteOffsetOf(be, x),
    dyPtr = byteOffsetOf(be, dy),
    dwOut = { ptr: byteOffsetOf(be, dW), ld: g.Cout };
  if (isPointwise(g)) {
    nk.gemm(g.C, g.Cout, g.N * HW, { ptr: xPtr, ld: g.C, trans: true }, { ptr: dyPtr, ld: g.Cout, trans: false }, dwOut);
    return dW;
  }
  forEachChunk(be, g, (n0, n1, cols) => {
    nk.im2col(g, xPtr, n0, n1, cols);
    nk.gemm(
      KC,
      g.Cout,
      (n1 - n0) * HW,
      { ptr: cols, ld: KC, trans: true },
      { ptr: dyPtr + n0 * HW * g.Cout * 4, ld: g.Cout, trans: false },
      dwOut,
      n0 > 0,
    );
  });
  return dW;
}

/** dx [N, H, W, C] from dy and W, NHWC. */
export function convInputGrad(be: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeom): TensorInfo {
  const nk = nativeKernels(be);
  const KC = g.kh * g.kw * g.C,
    HW = g.Ho * g.Wo;
  const dx = alloc(be, [g.N, g.H, g.W, g.C]);
  const dyPtr = byteOffsetOf(be, dy),
    dxPtr = byteOffsetOf(be, dx);
  const wT = { ptr: byteOffsetOf(be, filter), ld: g.Cout, trans: true };
  if (isPointwise(g)) {
    nk.gemm(g.N * HW, g.C, g.Cout, { ptr: dyPtr, ld: g.Cout, trans: false }, wT, { ptr: dxPtr, ld: g.C });
    return dx;
  }
  heapF32(be).fill(0, offsetOf(be, dx), offsetOf(be, dx) + g.N * g.H * g.W * g.C);
  forEachChunk(be, g, (n0, n1, cols) => {
    nk.gemm((n1 - n0) * HW, KC, g.Cout, { ptr: dyPtr + n0 * HW * g.Cout * 4, ld: g.Cout, trans: false }, wT, { ptr: cols, ld: KC });
    nk.col2imAdd(g, cols, n0, n1, dxPtr);
  });
  return dx;
}
