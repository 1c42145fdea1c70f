/*
 * Latent Lab's own WebAssembly kernels: a packed SIMD GEMM, convolutions
 * written as GEMMs over unfolded columns, and SIMD elementwise loops.
 *
 * Why it exists: the GEMM inside TF.js's wasm backend (XNNPACK) reaches about
 * 17 GFLOP/s on our convolution shapes and re-packs an operand on every call;
 * transposed operands need an explicit Transpose first. This GEMM takes both
 * operands in either orientation, packs them once per cache block, and runs a
 * 4×8 micro-kernel (the fastest tile measured in V8: 16 SIMD registers, no FMA
 * in baseline wasm SIMD).
 *
 * The module imports TF.js's own linear memory, so every pointer below is an
 * address in the wasm backend's heap (tensor data, and a workspace the caller
 * allocates there). It must never touch memory it was not given: no static
 * data, no libc, and no shadow stack (no local arrays, no address-taken
 * locals). build.sh checks the binary for that.
 *
 * Build: native/build.sh (Debian clang + lld).
 */
#include <wasm_simd128.h>

typedef unsigned int u32;

#define MR 4
#define NR 8
/* Cache blocking: an MC×KC block of A stays in L2, a KC×NR sliver of B in L1. */
#ifndef KC
#define KC 256
#endif
#ifndef MC
#define MC 128
#endif
#ifndef NC
#define NC 512
#endif

/* Workspace the caller must provide to sgemm, in floats. */
u32 gemm_workspace_floats(void) { return MC * KC + KC * NC + MR * NR; }

/*
 * acc + a·b. Built with -DFMA it is one fused multiply-add (relaxed SIMD's
 * f32x4.relaxed_madd, which V8 turns into an FMA instruction): clang 14 only
 * knows the proposal's earlier f32x4.fma, so build.sh rewrites that opcode to
 * the final one, whose operands are (a, b, acc) → a·b + acc, the order below.
 */
#ifdef FMA
#define MADD(acc, a, b) __builtin_wasm_fma_f32x4(a, b, acc)
#else
#define MADD(acc, a, b) wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#endif

/*
 * C[MR×NR] (+)= Ap[kc×MR] · Bp[kc×NR]; c has row stride ldc. The row loops
 * unroll fully (MR is a constant), so the 2·MR accumulators live in registers.
 */
static inline void micro_kernel(u32 kc, const float *a, const float *b, float *c, u32 ldc, u32 accumulate) {
  v128_t acc[MR][2];
  for (u32 r = 0; r < MR; r++) acc[r][0] = acc[r][1] = wasm_f32x4_splat(0.f);
#ifdef UNROLL
#pragma clang loop unroll_count(UNROLL)
#endif
  for (u32 k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    for (u32 r = 0; r < MR; r++) {
      v128_t ar = wasm_v128_load32_splat(a + r);
      acc[r][0] = MADD(acc[r][0], ar, b0);
      acc[r][1] = MADD(acc[r][1], ar, b1);
    }
    a += MR;
    b += NR;
  }
  for (u32 r = 0; r < MR; r++, c += ldc) {
    if (accumulate) {
      acc[r][0] = wasm_f32x4_add(acc[r][0], wasm_v128_load(c));
      acc[r][1] = wasm_f32x4_add(acc[r][1], wasm_v128_load(c + 4));
    }
    wasm_v128_store(c, acc[r][0]);
    wasm_v128_store(c + 4, acc[r][1]);
  }
}

/* dst[c·ldd + r] = src[r·lds + c] for a 4×4 block. */
static inline void transpose4x4(const float *src, u32 lds, float *dst, u32 ldd) {
  v128_t r0 = wasm_v128_load(src), r1 = wasm_v128_load(src + lds);
  v128_t r2 = wasm_v128_load(src + 2 * lds), r3 = wasm_v128_load(src + 3 * lds);
  v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(dst, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
  wasm_v128_store(dst + ldd, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
  wasm_v128_store(dst + 2 * ldd, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
  wasm_v128_store(dst + 3 * ldd, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
}

/*
 * Pack rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) into MR-row panels,
 * k-major within a panel; rows past m are zero.
 * op(A)[i][k] = transA ? A[k·lda + i] : A[i·lda + k].
 */
static void pack_a(const float *A, u32 lda, u32 transA, u32 m, u32 i0, u32 mc, u32 p0, u32 kc, float *ap) {
  for (u32 ir = 0; ir < mc; ir += MR, ap += kc * MR) {
    u32 rows = m - (i0 + ir);
    if (rows > MR) rows = MR;
    if (transA) {
      const float *src = A + (u32)p0 * lda + i0 + ir;
      if (rows == MR) {
        for (u32 k = 0; k < kc; k++, src += lda) wasm_v128_store(ap + k * MR, wasm_v128_load(src));
      } else {
        for (u32 k = 0; k < kc; k++, src += lda)
          for (u32 r = 0; r < MR; r++) ap[k * MR + r] = r < rows ? src[r] : 0.f;
      }
    } else {
      const float *src = A + (u32)(i0 + ir) * lda + p0;
      u32 k = 0;
      if (rows == MR)
        for (; k + 4 <= kc; k += 4) transpose4x4(src + k, lda, ap + k * MR, MR);
      for (; k < kc; k++)
        for (u32 r = 0; r < MR; r++) ap[k * MR + r] = r < rows ? src[r * lda + k] : 0.f;
    }
  }
}

/*
 * Pack rows [p0, p0+kc) × cols [j0, j0+nc) of op(B) into NR-column panels,
 * k-major within a panel; columns past n are zero.
 * op(B)[k][j] = transB ? B[j·ldb + k] : B[k·ldb + j].
 */
static void pack_b(const float *B, u32 ldb, u32 transB, u32 n, u32 j0, u32 nc, u32 p0, u32 kc, float *bp) {
  for (u32 jr = 0; jr < nc; jr += NR, bp += kc * NR) {
    u32 cols = n - (j0 + jr);
    if (cols > NR) cols = NR;
    if (!transB) {
      const float *src = B + (u32)p0 * ldb + j0 + jr;
      if (cols == NR) {
        for (u32 k = 0; k < kc; k++, src += ldb) {
          wasm_v128_store(bp + k * NR, wasm_v128_load(src));
          wasm_v128_store(bp + k * NR + 4, wasm_v128_load(src + 4));
        }
      } else {
        for (u32 k = 0; k < kc; k++, src += ldb)
          for (u32 c = 0; c < NR; c++) bp[k * NR + c] = c < cols ? src[c] : 0.f;
      }
    } else {
      const float *src = B + (u32)(j0 + jr) * ldb + p0;
      u32 k = 0;
      if (cols == NR)
        for (; k + 4 <= kc; k += 4) {
          transpose4x4(src + k, ldb, bp + k * NR, NR);
          transpose4x4(src + 4 * ldb + k, ldb, bp + k * NR + 4, NR);
        }
      for (; k < kc; k++)
        for (u32 c = 0; c < NR; c++) bp[k * NR + c] = c < cols ? src[c * ldb + k] : 0.f;
    }
  }
}

/*
 * C[m×n] = op(A)[m×k] · op(B)[k×n]  (+ C when accumulate), row-major with
 * leading dimensions lda, ldb, ldc. ws: gemm_workspace_floats() floats.
 */
void sgemm(u32 m, u32 n, u32 k, const float *A, u32 lda, u32 transA, const float *B, u32 ldb, u32 transB,
           float *C, u32 ldc, u32 accumulate, float *ws) {
  float *ap = ws, *bp = ws + MC * KC, *tile = bp + KC * NC;
  if (k == 0) {
    if (!accumulate)
      for (u32 i = 0; i < m; i++)
        for (u32 j = 0; j < n; j++) C[i * ldc + j] = 0.f;
    return;
  }
  for (u32 j0 = 0; j0 < n; j0 += NC) {
    u32 nc = n - j0 < NC ? n - j0 : NC;
    for (u32 p0 = 0; p0 < k; p0 += KC) {
      u32 kc = k - p0 < KC ? k - p0 : KC;
      u32 acc = accumulate || p0 > 0;
      pack_b(B, ldb, transB, n, j0, nc, p0, kc, bp);
      for (u32 i0 = 0; i0 < m; i0 += MC) {
        u32 mc = m - i0 < MC ? m - i0 : MC;
        pack_a(A, lda, transA, m, i0, mc, p0, kc, ap);
        for (u32 jr = 0; jr < nc; jr += NR) {
          const float *b = bp + jr * kc;
          u32 cols = nc - jr < NR ? nc - jr : NR;
          for (u32 ir = 0; ir < mc; ir += MR) {
            const float *a = ap + ir * kc;
            u32 rows = mc - ir < MR ? mc - ir : MR;
            float *c = C + (i0 + ir) * ldc + j0 + jr;
            if (rows == MR && cols == NR) {
              micro_kernel(kc, a, b, c, ldc, acc);
            } else {
              /* Edge tile: compute the full tile aside, copy the valid part. */
              micro_kernel(kc, a, b, tile, NR, 0);
              for (u32 r = 0; r < rows; r++)
                for (u32 q = 0; q < cols; q++)
                  c[r * ldc + q] = acc ? c[r * ldc + q] + tile[r * NR + q] : tile[r * NR + q];
            }
          }
        }
      }
    }
  }
}

/* NHWC convolution geometry, passed as one block of 15 u32 from JS. */
typedef struct {
  u32 N, H, W, C, kh, kw, sh, sw, dh, dw, top, left, Ho, Wo, Cout;
} Geom;

/*
 * Unfold output rows [r0, r1) of x into cols: row r = (n·Ho + oy)·Wo + ox
 * holds the kh·kw·C taps of that output pixel, ordered (ky, kx, c) like a
 * [kh, kw, C, Cout] filter's leading axes. Taps outside the image are 0.
 */
static void im2col_rows(const Geom *g, const float *x, u32 r0, u32 r1, float *cols) {
  u32 H = g->H, W = g->W, C = g->C, kh = g->kh, kw = g->kw, Wo = g->Wo, HWo = g->Ho * Wo;
  u32 rowC = kw * C, kcols = kh * rowC;
  float *d = cols;
  for (u32 r = r0; r < r1; r++, d += kcols) {
    u32 n = r / HWo, oy = (r - n * HWo) / Wo, ox = r - n * HWo - oy * Wo;
    const float *xn = x + n * H * W * C;
    int iy0 = (int)(oy * g->sh) - (int)g->top, ix0 = (int)(ox * g->sw) - (int)g->left;
    for (u32 ky = 0; ky < kh; ky++) {
      int iy = iy0 + (int)(ky * g->dh);
      float *dk = d + ky * rowC;
      if (iy < 0 || iy >= (int)H) {
        __builtin_memset(dk, 0, rowC * 4);
        continue;
      }
      const float *row = xn + (u32)iy * W * C;
      for (u32 kx = 0; kx < kw; kx++) {
        int ix = ix0 + (int)(kx * g->dw);
        float *dst = dk + kx * C;
        if (ix < 0 || ix >= (int)W) {
          for (u32 c = 0; c < C; c++) dst[c] = 0.f;
        } else if (C >= 16) {
          __builtin_memcpy(dst, row + (u32)ix * C, C * 4);
        } else {
          /* A memory.copy per tap costs more than a few loads for thin inputs (C = 1 for images). */
          const float *src = row + (u32)ix * C;
          for (u32 c = 0; c < C; c++) dst[c] = src[c];
        }
      }
    }
  }
}

/* Rows [r0, r1) of the columns: x itself for a pointwise convolution, else unfolded into cols. */
static inline const float *unfolded(const Geom *g, const float *x, u32 r0, u32 r1, u32 taps, int pointwise, float *cols) {
  if (pointwise) return x + r0 * taps;
  im2col_rows(g, x, r0, r1, cols);
  return cols;
}

/* dst[i] += src[i] for i < len, 4 lanes at a time. */
static inline void add_into(float *dst, const float *src, u32 len) {
  u32 i = 0;
  for (; i + 4 <= len; i += 4) wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < len; i++) dst[i] += src[i];
}

/*
 * The adjoint of im2col_rows: add the column entries of output rows [r0, r1)
 * back into dx at the taps they were read from.
 */
static void col2im_rows(const Geom *g, const float *cols, u32 r0, u32 r1, float *dx) {
  u32 H = g->H, W = g->W, C = g->C, kh = g->kh, kw = g->kw, Wo = g->Wo, HWo = g->Ho * Wo;
  u32 rowC = kw * C, kcols = kh * rowC;
  const float *s = cols;
  for (u32 r = r0; r < r1; r++, s += kcols) {
    u32 n = r / HWo, oy = (r - n * HWo) / Wo, ox = r - n * HWo - oy * Wo;
    float *xn = dx + n * H * W * C;
    int iy0 = (int)(oy * g->sh) - (int)g->top, ix0 = (int)(ox * g->sw) - (int)g->left;
    for (u32 ky = 0; ky < kh; ky++) {
      int iy = iy0 + (int)(ky * g->dh);
      if (iy < 0 || iy >= (int)H) continue;
      float *row = xn + (u32)iy * W * C;
      for (u32 kx = 0; kx < kw; kx++) {
        int ix = ix0 + (int)(kx * g->dw);
        if (ix >= 0 && ix < (int)W) add_into(row + (u32)ix * C, s + ky * rowC + kx * C, C);
      }
    }
  }
}

/* ---- convolutions as GEMMs, shared among threads ----------------------- */

enum { CONV_FORWARD, CONV_FILTER_GRAD, CONV_INPUT_GRAD };

/*
 * One convolution, laid out by JS as 8 u32 (see pool.ts / native.ts).
 *   forward      a = x,  b = W,  out = y       y  = cols · W
 *   filter grad  a = x,  b = dy, out = dW      dW = colsᵀ · dy
 *   input grad   a = dy, b = W,  out = dx      dx = col2im(dy · Wᵀ)
 * Each thread owns cols_floats of cols (from cols + t·cols_floats); for the
 * filter gradient, threads t > 0 sum into partials + (t-1)·taps·Cout, which
 * conv_reduce adds into out afterwards. taps = kh·kw·C.
 */
typedef struct {
  u32 op;
  const Geom *g;
  const float *a, *b;
  float *out, *partials, *cols;
  u32 cols_floats;
} ConvJob;

static inline u32 min_u32(u32 a, u32 b) { return a < b ? a : b; }

/*
 * Thread t of T's share of a convolution. Forward and filter gradient split
 * the output rows (n·Ho + oy)·Wo + ox evenly; the input gradient splits whole
 * images, because col2im of neighbouring rows adds into the same pixels.
 * Each share is unfolded a chunk of rows at a time, so that its columns stay
 * in this core's cache while the GEMM reads them.
 */
void conv_part(const ConvJob *j, u32 t, u32 T, float *ws) {
  const Geom *g = j->g;
  u32 taps = g->kh * g->kw * g->C, HWo = g->Ho * g->Wo, M = g->N * HWo, Cout = g->Cout;
  int pointwise = g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->top == 0 && g->left == 0 && g->Ho == g->H &&
                  g->Wo == g->W;
  u32 r0, r1;
  if (j->op == CONV_INPUT_GRAD) {
    u32 per = (g->N + T - 1) / T;
    r0 = min_u32(g->N, t * per) * HWo;
    r1 = min_u32(g->N, (t + 1) * per) * HWo;
  } else {
    u32 per = ((M + T - 1) / T + MR - 1) / MR * MR;
    r0 = min_u32(M, t * per);
    r1 = min_u32(M, r0 + per);
  }
  /* A pointwise convolution reads x itself as its columns: one GEMM per share. */
  u32 chunk = pointwise ? M : j->cols_floats / taps;
  if (chunk < MR) chunk = MR;
  float *cols = j->cols + t * j->cols_floats;
  if (j->op == CONV_FORWARD) {
    for (u32 r = r0; r < r1; r += chunk) {
      u32 re = min_u32(r1, r + chunk);
      const float *A = unfolded(g, j->a, r, re, taps, pointwise, cols);
      sgemm(re - r, Cout, taps, A, taps, 0, j->b, Cout, 0, j->out + r * Cout, Cout, 0, ws);
    }
  } else if (j->op == CONV_FILTER_GRAD) {
    float *dst = t == 0 ? j->out : j->partials + (t - 1) * taps * Cout;
    if (r0 >= r1) __builtin_memset(dst, 0, taps * Cout * 4);
    for (u32 r = r0; r < r1; r += chunk) {
      u32 re = min_u32(r1, r + chunk);
      const float *A = unfolded(g, j->a, r, re, taps, pointwise, cols);
      sgemm(taps, Cout, re - r, A, taps, 1, j->b + r * Cout, Cout, 0, dst, Cout, r > r0, ws);
    }
  } else {
    if (pointwise) {
      if (r1 > r0) sgemm(r1 - r0, taps, Cout, j->a + r0 * Cout, Cout, 0, j->b, Cout, 1, j->out + r0 * taps, taps, 0, ws);
      return;
    }
    u32 img = g->H * g->W * g->C;
    __builtin_memset(j->out + r0 / HWo * img, 0, (r1 - r0) / HWo * img * 4);
    for (u32 r = r0; r < r1; r += chunk) {
      u32 re = min_u32(r1, r + chunk);
      sgemm(re - r, taps, Cout, j->a + r * Cout, Cout, 0, j->b, Cout, 1, cols, taps, 0, ws);
      col2im_rows(g, cols, r, re, j->out);
    }
  }
}

/* After all T shares of a filter gradient: out += each thread's partial sum. */
void conv_reduce(const ConvJob *j, u32 T) {
  u32 len = j->g->kh * j->g->kw * j->g->C * j->g->Cout;
  for (u32 t = 1; t < T; t++) add_into(j->out, j->partials + (t - 1) * len, len);
}

/* ---- elementwise ------------------------------------------------------ */

#define SPLAT(v) wasm_f32x4_splat(v)

/*
 * e^x, Cephes' single-precision scheme (range reduction by ln 2 in two
 * parts, degree-6 polynomial, exponent by integer shift): within 2 ulp of
 * the correctly rounded result on [-87.3, ln FLT_MAX]; +inf above, 0 below, NaN
 * stays NaN.
 */
static inline v128_t exp4(v128_t x) {
  v128_t xc = wasm_f32x4_min(wasm_f32x4_max(x, SPLAT(-87.3f)), SPLAT(88.72283935546875f));
  v128_t fx = wasm_f32x4_nearest(wasm_f32x4_mul(xc, SPLAT(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(xc, wasm_f32x4_mul(fx, SPLAT(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(fx, SPLAT(-2.12194440e-4f)));
  v128_t p = SPLAT(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), SPLAT(1.f));
  /* Scale by 2^n in two halves: n reaches 128 and -126, beyond one float's exponent range. */
  v128_t n = wasm_i32x4_trunc_sat_f32x4(fx);
  v128_t n1 = wasm_i32x4_shr(n, 1), n2 = wasm_i32x4_sub(n, n1);
  v128_t y = wasm_f32x4_mul(p, wasm_i32x4_shl(wasm_i32x4_add(n1, wasm_i32x4_splat(127)), 23));
  y = wasm_f32x4_mul(y, wasm_i32x4_shl(wasm_i32x4_add(n2, wasm_i32x4_splat(127)), 23));
  y = wasm_v128_bitselect(SPLAT(__builtin_inff()), y, wasm_f32x4_gt(x, SPLAT(88.72283935546875f)));
  return wasm_v128_bitselect(SPLAT(0.f), y, wasm_f32x4_lt(x, SPLAT(-87.3f)));
}

/*
 * ln x, Cephes' single-precision scheme (mantissa in [√½, √2), degree-8
 * polynomial); subnormals are scaled first. ln 0 = -inf, ln x<0 = NaN,
 * ln inf = inf.
 */
static inline v128_t log4(v128_t x) {
  v128_t tiny = wasm_f32x4_lt(x, SPLAT(1.17549435e-38f));
  v128_t xs = wasm_v128_bitselect(wasm_f32x4_mul(x, SPLAT(8388608.f)), x, tiny);
  v128_t bits = xs;
  v128_t e = wasm_f32x4_convert_i32x4(wasm_i32x4_sub(wasm_u32x4_shr(bits, 23), wasm_i32x4_splat(126)));
  e = wasm_f32x4_sub(e, wasm_v128_and(tiny, SPLAT(23.f)));
  v128_t m = wasm_v128_or(wasm_v128_and(bits, wasm_i32x4_splat(0x007fffff)), wasm_i32x4_splat(0x3f000000));
  v128_t small = wasm_f32x4_lt(m, SPLAT(0.707106781186547524f));
  e = wasm_f32x4_sub(e, wasm_v128_and(small, SPLAT(1.f)));
  m = wasm_f32x4_sub(wasm_f32x4_add(m, wasm_v128_and(small, m)), SPLAT(1.f));
  v128_t z = wasm_f32x4_mul(m, m);
  v128_t p = SPLAT(7.0376836292e-2f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), SPLAT(-1.1514610310e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), SPLAT(1.1676998740e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), SPLAT(-1.2420140846e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), SPLAT(1.4249322787e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), SPLAT(-1.6668057665e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), SPLAT(2.0000714765e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), SPLAT(-2.4999993993e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, m), SPLAT(3.3333331174e-1f));
  v128_t y = wasm_f32x4_mul(wasm_f32x4_mul(p, m), z);
  y = wasm_f32x4_add(y, wasm_f32x4_mul(e, SPLAT(-2.12194440e-4f)));
  y = wasm_f32x4_sub(y, wasm_f32x4_mul(z, SPLAT(0.5f)));
  y = wasm_f32x4_add(wasm_f32x4_add(m, y), wasm_f32x4_mul(e, SPLAT(0.693359375f)));
  y = wasm_v128_bitselect(SPLAT(-__builtin_inff()), y, wasm_f32x4_eq(x, SPLAT(0.f)));
  y = wasm_v128_bitselect(SPLAT(__builtin_nanf("")), y, wasm_f32x4_lt(x, SPLAT(0.f)));
  y = wasm_v128_bitselect(x, y, wasm_f32x4_eq(x, SPLAT(__builtin_inff())));
  return wasm_v128_bitselect(x, y, wasm_f32x4_ne(x, x)); /* NaN in, NaN out */
}

/*
 * ln(1 + u) without the cancellation of ln(fl(1 + u)) for small u:
 * ln(w)·u/(w-1) with w = fl(1 + u) corrects the rounding of w (Goldberg).
 */
static inline v128_t log1p4(v128_t u) {
  v128_t w = wasm_f32x4_add(u, SPLAT(1.f));
  v128_t d = wasm_f32x4_sub(w, SPLAT(1.f));
  v128_t r = wasm_f32x4_mul(log4(w), wasm_f32x4_div(u, d));
  r = wasm_v128_bitselect(u, r, wasm_f32x4_eq(d, SPLAT(0.f)));
  return wasm_v128_bitselect(w, r, wasm_f32x4_eq(w, SPLAT(__builtin_inff()))); /* u = inf */
}

/* TF.js's softplus: x above -ln(ε)-2, e^x below ln(ε)+2, else ln(1 + e^x). */
static inline v128_t softplus4(v128_t x) {
  const float threshold = -13.942385152878742f; /* ln(2^-23) + 2 */
  v128_t mid = log1p4(exp4(x));
  v128_t y = wasm_v128_bitselect(exp4(x), mid, wasm_f32x4_lt(x, SPLAT(threshold)));
  return wasm_v128_bitselect(x, y, wasm_f32x4_gt(x, SPLAT(-threshold)));
}

enum { OP_EXP, OP_LOG, OP_SOFTPLUS, OP_SQRT, OP_LEAKY_RELU, OP_MAXIMUM, OP_MINIMUM, OP_LOG1P };

static inline v128_t unary4(u32 op, v128_t x, v128_t s) {
  switch (op) {
    case OP_EXP: return exp4(x);
    case OP_LOG: return log4(x);
    case OP_SOFTPLUS: return softplus4(x);
    case OP_SQRT: return wasm_f32x4_sqrt(x);
    case OP_LEAKY_RELU: return wasm_v128_bitselect(wasm_f32x4_mul(x, s), x, wasm_f32x4_lt(x, SPLAT(0.f)));
    case OP_MAXIMUM: return wasm_f32x4_max(x, s);
    case OP_MINIMUM: return wasm_f32x4_min(x, s);
    default: return log1p4(x);
  }
}

/* y = op(x[, s]) elementwise; s is LeakyReLU's alpha or the scalar of max/min. */
void unary_f32(u32 op, const float *x, float *y, u32 n, float s) {
  v128_t sv = SPLAT(s);
  u32 i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, unary4(op, wasm_v128_load(x + i), sv));
  /* The tail goes through the same vector code, one lane used. */
  for (; i < n; i++) y[i] = wasm_f32x4_extract_lane(unary4(op, SPLAT(x[i]), sv), 0);
}

enum { CMP_GT, CMP_GE, CMP_LT, CMP_LE };

static inline v128_t cmp4(u32 op, v128_t a, v128_t b) {
  switch (op) {
    case CMP_GT: return wasm_f32x4_gt(a, b);
    case CMP_GE: return wasm_f32x4_ge(a, b);
    case CMP_LT: return wasm_f32x4_lt(a, b);
    default: return wasm_f32x4_le(a, b);
  }
}

/*
 * y[i] = a[i] op b[i] as bytes 0/1 (TF.js's bool layout); b_stride 0
 * compares against the scalar b[0].
 */
void compare_f32(u32 op, const float *a, const float *b, u32 b_stride, unsigned char *y, u32 n) {
  u32 i = 0;
  v128_t one = wasm_i8x16_splat(1);
  if (b_stride == 0) {
    v128_t bs = wasm_v128_load32_splat(b);
    for (; i + 16 <= n; i += 16) {
      v128_t m0 = cmp4(op, wasm_v128_load(a + i), bs), m1 = cmp4(op, wasm_v128_load(a + i + 4), bs);
      v128_t m2 = cmp4(op, wasm_v128_load(a + i + 8), bs), m3 = cmp4(op, wasm_v128_load(a + i + 12), bs);
      v128_t m = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(m0, m1), wasm_i16x8_narrow_i32x4(m2, m3));
      wasm_v128_store(y + i, wasm_v128_and(m, one));
    }
  } else {
    for (; i + 16 <= n; i += 16) {
      v128_t m0 = cmp4(op, wasm_v128_load(a + i), wasm_v128_load(b + i));
      v128_t m1 = cmp4(op, wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4));
      v128_t m2 = cmp4(op, wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8));
      v128_t m3 = cmp4(op, wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12));
      v128_t m = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(m0, m1), wasm_i16x8_narrow_i32x4(m2, m3));
      wasm_v128_store(y + i, wasm_v128_and(m, one));
    }
  }
  for (; i < n; i++) {
    float av = a[i], bv = b[b_stride ? i : 0];
    y[i] = op == CMP_GT ? av > bv : op == CMP_GE ? av >= bv : op == CMP_LT ? av < bv : av <= bv;
  }
}

/* y[i] = cond[i] ? t[i] : e[i] (cond as bytes). */
void select_f32(const unsigned char *cond, const float *t, const float *e, float *y, u32 n) {
  u32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t c = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(cond + i)));
    v128_t mask = wasm_i32x4_ne(c, wasm_i32x4_splat(0));
    wasm_v128_store(y + i, wasm_v128_bitselect(wasm_v128_load(t + i), wasm_v128_load(e + i), mask));
  }
  for (; i < n; i++) y[i] = cond[i] ? t[i] : e[i];
}

/* y[c] = Σ_r x[r·cols + c]: a sum over every leading axis (bias gradients). */
void sum_rows(const float *x, u32 rows, u32 cols, float *y) {
  u32 c = 0;
  for (; c + 16 <= cols; c += 16) {
    v128_t s0 = SPLAT(0.f), s1 = s0, s2 = s0, s3 = s0;
    const float *p = x + c;
    for (u32 r = 0; r < rows; r++, p += cols) {
      s0 = wasm_f32x4_add(s0, wasm_v128_load(p));
      s1 = wasm_f32x4_add(s1, wasm_v128_load(p + 4));
      s2 = wasm_f32x4_add(s2, wasm_v128_load(p + 8));
      s3 = wasm_f32x4_add(s3, wasm_v128_load(p + 12));
    }
    wasm_v128_store(y + c, s0);
    wasm_v128_store(y + c + 4, s1);
    wasm_v128_store(y + c + 8, s2);
    wasm_v128_store(y + c + 12, s3);
  }
  for (; c + 4 <= cols; c += 4) {
    v128_t s = SPLAT(0.f);
    for (u32 r = 0; r < rows; r++) s = wasm_f32x4_add(s, wasm_v128_load(x + r * cols + c));
    wasm_v128_store(y + c, s);
  }
  for (; c < cols; c++) {
    float s = 0.f;
    for (u32 r = 0; r < rows; r++) s += x[r * cols + c];
    y[c] = s;
  }
}

/*
 * One Adam step for one variable, in TF.js's operation order:
 *   m' = β1·m + (1-β1)·g        v' = β2·v + (1-β2)·g²
 *   w' = w - lr · (m'/bc1) / (√(v'/bc2) + ε)
 * with 1-β1, 1-β2 (rounded from double, as TF.js does), bc1 = 1-β1^t and
 * bc2 = 1-β2^t computed by the caller.
 */
void adam_f32(const float *w, const float *m, const float *v, const float *g, float *w_out, float *m_out, float *v_out,
              u32 n, float lr, float beta1, float beta2, float one_minus_beta1, float one_minus_beta2, float eps,
              float bc1, float bc2) {
  v128_t b1 = SPLAT(beta1), b2 = SPLAT(beta2), c1 = SPLAT(one_minus_beta1), c2 = SPLAT(one_minus_beta2);
  v128_t vbc1 = SPLAT(bc1), vbc2 = SPLAT(bc2), veps = SPLAT(eps), vlr = SPLAT(lr);
  u32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(gi, c1));
    v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), c2));
    v128_t step = wasm_f32x4_div(wasm_f32x4_div(mi, vbc1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, vbc2)), veps));
    wasm_v128_store(w_out + i, wasm_f32x4_sub(wasm_v128_load(w + i), wasm_f32x4_mul(step, vlr)));
    wasm_v128_store(m_out + i, mi);
    wasm_v128_store(v_out + i, vi);
  }
  for (; i < n; i++) {
    float mi = m[i] * beta1 + g[i] * one_minus_beta1;
    float vi = v[i] * beta2 + g[i] * g[i] * one_minus_beta2;
    w_out[i] = w[i] - (mi / bc1) / (__builtin_sqrtf(vi / bc2) + eps) * lr;
    m_out[i] = mi;
    v_out[i] = vi;
  }
}
