/**
 * im2col / col2im for NHWC convolutions, working in place on the wasm heap.
 *
 * Why it exists: XNNPACK (inside the wasm backend) gives us a fast GEMM but no
 * convolution gradients. A convolution's filter gradient is a GEMM between
 * the unfolded input ("im2col") and the output gradient, and its input
 * gradient is a GEMM followed by folding the columns back ("col2im"). The
 * unfold/fold steps are pure memory traffic, so they are written here as
 * tight loops over one Float32Array view of the whole wasm heap: contiguous
 * runs are moved with `copyWithin` (a memmove, no allocation), which keeps
 * this part a small fraction of the GEMM time.
 *
 * Column layout: row m = (n·Ho + oy)·Wo + ox, column (ky·kw + kx)·C + c, which
 * is exactly the row-major flattening of a [kh, kw, C, Cout] filter's first
 * three axes, so cols [M, kh·kw·C] × W [kh·kw·C, Cout] is the convolution.
 */
import type { backend_util } from '@tensorflow/tfjs-core';

export interface ConvGeom {
  N: number; H: number; W: number; C: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  top: number; left: number; Ho: number; Wo: number; Cout: number;
}

export function geomOf(ci: backend_util.Conv2DInfo): ConvGeom {
  return {
    N: ci.batchSize, H: ci.inHeight, W: ci.inWidth, C: ci.inChannels,
    kh: ci.filterHeight, kw: ci.filterWidth, sh: ci.strideHeight, sw: ci.strideWidth,
    dh: ci.dilationHeight, dw: ci.dilationWidth, top: ci.padInfo.top, left: ci.padInfo.left,
    Ho: ci.outHeight, Wo: ci.outWidth, Cout: ci.outChannels,
  };
}

/**
 * Unfold images [n0, n1) of x (NHWC, heap offset xOff, in floats) into cols
 * (heap offset colsOff): ((n1-n0)·Ho·Wo) rows of kh·kw·C floats.
 */
export function im2col(heap: Float32Array, xOff: number, g: ConvGeom, n0: number, n1: number, colsOff: number): void {
  const { H, W, C, kh, kw, sh, sw, dh, dw, top, left, Ho, Wo } = g;
  const rowC = kw * C;
  const KC = kh * rowC;
  let dst = colsOff;
  for (let n = n0; n < n1; n++) {
    const xn = xOff + n * H * W * C;
    for (let oy = 0; oy < Ho; oy++) {
      const iy0 = oy * sh - top;
      for (let ox = 0; ox < Wo; ox++, dst += KC) {
        const ix0 = ox * sw - left;
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky * dh;
          const d = dst + ky * rowC;
          if (iy < 0 || iy >= H) { heap.fill(0, d, d + rowC); continue; }
          const row = xn + iy * W * C;
          if (dw === 1) {
            const kx0 = ix0 < 0 ? -ix0 : 0;
            const kx1 = Math.min(kw, W - ix0);
            if (kx1 <= kx0) { heap.fill(0, d, d + rowC); continue; }
            if (kx0 > 0) heap.fill(0, d, d + kx0 * C);
            const s = row + (ix0 + kx0) * C;
            const len = (kx1 - kx0) * C;
            const dd = d + kx0 * C;
            if (len > 16) heap.copyWithin(dd, s, s + len);
            else for (let i = 0; i < len; i++) heap[dd + i] = heap[s + i];
            if (kx1 < kw) heap.fill(0, d + kx1 * C, d + rowC);
          } else {
            for (let kx = 0; kx < kw; kx++) {
              const ix = ix0 + kx * dw;
              const dk = d + kx * C;
              if (ix < 0 || ix >= W) { heap.fill(0, dk, dk + C); continue; }
              const s = row + ix * C;
              if (C > 16) heap.copyWithin(dk, s, s + C);
              else for (let i = 0; i < C; i++) heap[dk + i] = heap[s + i];
            }
          }
        }
      }
    }
  }
}

/**
 * Fold cols (rows for images [n0, n1)) back into dx (NHWC, heap offset dxOff),
 * accumulating overlapping taps. dx for those images must be zeroed first.
 */
export function col2imAdd(heap: Float32Array, colsOff: number, g: ConvGeom, n0: number, n1: number, dxOff: number): void {
  const { H, W, C, kh, kw, sh, sw, dh, dw, top, left, Ho, Wo } = g;
  const rowC = kw * C;
  const KC = kh * rowC;
  let src = colsOff;
  for (let n = n0; n < n1; n++) {
    const xn = dxOff + n * H * W * C;
    for (let oy = 0; oy < Ho; oy++) {
      const iy0 = oy * sh - top;
      for (let ox = 0; ox < Wo; ox++, src += KC) {
        const ix0 = ox * sw - left;
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky * dh;
          if (iy < 0 || iy >= H) continue;
          const s0 = src + ky * rowC;
          const row = xn + iy * W * C;
          if (dw === 1) {
            const kx0 = ix0 < 0 ? -ix0 : 0;
            const kx1 = Math.min(kw, W - ix0);
            const s = s0 + kx0 * C;
            const d = row + (ix0 + kx0) * C;
            const len = (kx1 - kx0) * C;
            for (let i = 0; i < len; i++) heap[d + i] += heap[s + i];
          } else {
            for (let kx = 0; kx < kw; kx++) {
              const ix = ix0 + kx * dw;
              if (ix < 0 || ix >= W) continue;
              const s = s0 + kx * C;
              const d = row + ix * C;
              for (let i = 0; i < C; i++) heap[d + i] += heap[s + i];
            }
          }
        }
      }
    }
  }
}

/**
 * Transposed unfold: writes colsᵀ, i.e. kh·kw·C rows of (n1-n0)·Ho·Wo floats,
 * row (ky·kw + kx)·C + c holding that tap of channel c for every output pixel
 * of images [n0, n1). Reads a channel-major copy of the input,
 * xT = [C, N, H, W] (heap offset xTOff), so that every write is contiguous.
 * Used by the filter gradient so the big operand is the GEMM's left-hand side
 * (XNNPACK re-packs its right-hand side on every call).
 */
export function im2colT(heap: Float32Array, xTOff: number, g: ConvGeom, n0: number, n1: number, colsTOff: number): void {
  const { N, H, W, C, kh, kw, sh, sw, dh, dw, top, left, Ho, Wo } = g;
  const mc = (n1 - n0) * Ho * Wo;
  const HW = H * W;
  // valid ox range for each kx: 0 <= ox*sw - left + kx*dw < W
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const offx = kx * dw - left;
      const ox0 = Math.min(Wo, Math.max(0, Math.ceil(-offx / sw)));
      const ox1 = Math.max(ox0, Math.min(Wo, Math.floor((W - 1 - offx) / sw) + 1));
      for (let c = 0; c < C; c++) {
        let d = colsTOff + ((ky * kw + kx) * C + c) * mc;
        for (let n = n0; n < n1; n++) {
          const plane = xTOff + (c * N + n) * HW;
          for (let oy = 0; oy < Ho; oy++, d += Wo) {
            const iy = oy * sh - top + ky * dh;
            if (iy < 0 || iy >= H) { heap.fill(0, d, d + Wo); continue; }
            if (ox0 > 0) heap.fill(0, d, d + ox0);
            const src = plane + iy * W + offx;
            if (sw === 1) heap.copyWithin(d + ox0, src + ox0, src + ox1);
            else for (let ox = ox0; ox < ox1; ox++) heap[d + ox] = heap[src + ox * sw];
            if (ox1 < Wo) heap.fill(0, d + ox1, d + Wo);
          }
        }
      }
    }
  }
}
