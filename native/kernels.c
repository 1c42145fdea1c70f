/*
 * Latent Lab's own WebAssembly kernels: a packed SIMD GEMM and the
 * convolution unfold/fold loops around it.
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
#define KC 256
#define MC 128
#define NC 512

/* Workspace the caller must provide to sgemm, in floats. */
u32 gemm_workspace_floats(void) { return MC * KC + KC * NC + MR * NR; }

/* C[MR×NR] (+)= Ap[kc×MR] · Bp[kc×NR]; c has row stride ldc. */
static inline void micro_kernel(u32 kc, const float *a, const float *b, float *c, u32 ldc, u32 accumulate) {
  v128_t c00 = wasm_f32x4_splat(0.f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (u32 k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t a0 = wasm_v128_load32_splat(a);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, b1));
    v128_t a1 = wasm_v128_load32_splat(a + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, b1));
    v128_t a2 = wasm_v128_load32_splat(a + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a2, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a2, b1));
    v128_t a3 = wasm_v128_load32_splat(a + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a3, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a3, b1));
    a += MR;
    b += NR;
  }
  if (accumulate) {
    c00 = wasm_f32x4_add(c00, wasm_v128_load(c));
    c01 = wasm_f32x4_add(c01, wasm_v128_load(c + 4));
    c10 = wasm_f32x4_add(c10, wasm_v128_load(c + ldc));
    c11 = wasm_f32x4_add(c11, wasm_v128_load(c + ldc + 4));
    c20 = wasm_f32x4_add(c20, wasm_v128_load(c + 2 * ldc));
    c21 = wasm_f32x4_add(c21, wasm_v128_load(c + 2 * ldc + 4));
    c30 = wasm_f32x4_add(c30, wasm_v128_load(c + 3 * ldc));
    c31 = wasm_f32x4_add(c31, wasm_v128_load(c + 3 * ldc + 4));
  }
  wasm_v128_store(c, c00);
  wasm_v128_store(c + 4, c01);
  wasm_v128_store(c + ldc, c10);
  wasm_v128_store(c + ldc + 4, c11);
  wasm_v128_store(c + 2 * ldc, c20);
  wasm_v128_store(c + 2 * ldc + 4, c21);
  wasm_v128_store(c + 3 * ldc, c30);
  wasm_v128_store(c + 3 * ldc + 4, c31);
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
 * Unfold images [n0, n1) of x into cols: one row per output pixel
 * ((n·Ho + oy)·Wo + ox), kh·kw·C columns ordered (ky, kx, c) like a
 * [kh, kw, C, Cout] filter's leading axes. Taps outside the image are 0.
 */
void im2col(const Geom *g, const float *x, u32 n0, u32 n1, float *cols) {
  u32 H = g->H, W = g->W, C = g->C, kh = g->kh, kw = g->kw;
  u32 rowC = kw * C, kcols = kh * rowC;
  float *d = cols;
  for (u32 n = n0; n < n1; n++) {
    const float *xn = x + n * H * W * C;
    for (u32 oy = 0; oy < g->Ho; oy++) {
      int iy0 = (int)(oy * g->sh) - (int)g->top;
      for (u32 ox = 0; ox < g->Wo; ox++, d += kcols) {
        int ix0 = (int)(ox * g->sw) - (int)g->left;
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
            if (ix < 0 || ix >= (int)W) __builtin_memset(dk + kx * C, 0, C * 4);
            else __builtin_memcpy(dk + kx * C, row + (u32)ix * C, C * 4);
          }
        }
      }
    }
  }
}

/* dst[i] += src[i] for i < len, 4 lanes at a time. */
static inline void add_into(float *dst, const float *src, u32 len) {
  u32 i = 0;
  for (; i + 4 <= len; i += 4) wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < len; i++) dst[i] += src[i];
}

/*
 * The adjoint of im2col: add every column entry of images [n0, n1) back into
 * dx at the tap it was read from. dx must be zeroed (or hold a partial sum).
 */
void col2im_add(const Geom *g, const float *cols, u32 n0, u32 n1, float *dx) {
  u32 H = g->H, W = g->W, C = g->C, kh = g->kh, kw = g->kw;
  u32 rowC = kw * C, kcols = kh * rowC;
  const float *s = cols;
  for (u32 n = n0; n < n1; n++) {
    float *xn = dx + n * H * W * C;
    for (u32 oy = 0; oy < g->Ho; oy++) {
      int iy0 = (int)(oy * g->sh) - (int)g->top;
      for (u32 ox = 0; ox < g->Wo; ox++, s += kcols) {
        int ix0 = (int)(ox * g->sw) - (int)g->left;
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
  }
}
