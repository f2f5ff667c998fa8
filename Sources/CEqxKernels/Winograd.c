// Winograd F(2×2, 3×3) (Lavin & Gray 2016) for stride-1 3×3 convolutions: each 2×2 output tile is
// Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for its 4×4 input tile d, so the 36 multiplies per tile and channel pair of
// the direct method become 16, done as 16 products over the channels (one per transform point ξ). The
// transforms work on 8 channels at once: the image is first transposed to channel-last (so a tile's 16
// values of 8 channels are 16 vector loads), and the output is transposed back. They only add, subtract
// and halve, so the AVX2 and portable clones return the same bits; the products differ between the
// clones only by fused multiply-adds.
#include "CEqxKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#pragma clang fp contract(off)

typedef float v8 __attribute__((vector_size(32), aligned(4)));

static inline __attribute__((always_inline)) v8 load8(const float *p) { v8 r; memcpy(&r, p, sizeof r); return r; }
static inline __attribute__((always_inline)) void store8(float *p, v8 v) { memcpy(p, &v, sizeof v); }

/// Tiles down (th) and across (tw) of the output of an h × w image padded by `pad`.
static inline void tile_grid(int h, int w, int pad, int *th, int *tw) {
    *th = (h + 2 * pad - 1) / 2;  // ⌈(h + 2·pad − 2)/2⌉
    *tw = (w + 2 * pad - 1) / 2;
}

#if defined(__x86_64__) || defined(__i386__)
/// dst[j·ds + i] = src[i·ss + j] for an 8 × 8 block, in registers.
__attribute__((target("avx2,fma")))
static inline void transpose8_avx2(const float *src, size_t ss, float *dst, size_t ds) {
    __m256 r[8], t[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + i * ss);
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        _mm256_storeu_ps(dst + i * ds, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
        _mm256_storeu_ps(dst + (i + 4) * ds, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
    }
}
#endif

/// dst[j·ds + i] = src[i·ss + j] for i < rows, j < cols (at most 8 × 8); `avx` (a constant in each clone)
/// lets full blocks go through registers. A copy, so both ways give the same bits.
static inline __attribute__((always_inline)) void transpose_block(const float *src, size_t ss, float *dst, size_t ds,
                                                                  int rows, int cols, int avx) {
#if defined(__x86_64__) || defined(__i386__)
    if (avx && rows == 8 && cols == 8) { transpose8_avx2(src, ss, dst, ds); return; }
#endif
    (void)avx;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) dst[j * ds + i] = src[i * ss + j];
}

size_t eqx_winograd_scratch_size(int c, int o, int h, int w, int pad) {
    int th, tw;
    tile_grid(h, w, pad, &th, &tw);
    const size_t in = (size_t)(2 * th + 2) * (size_t)(2 * tw + 2) * (size_t)c;
    const size_t out = (size_t)(2 * th) * (size_t)(2 * tw) * (size_t)o;
    return in > out ? in : out;
}

void eqx_winograd_weights(const float *weight, int o, int c, float *u) {
    for (int oc = 0; oc < o; oc++)
    for (int ci = 0; ci < c; ci++) {
        const float *g = weight + ((size_t)oc * c + ci) * 9;
        float t[4][3];  // G g: rows of G = (1,0,0), (½,½,½), (½,−½,½), (0,0,1)
        for (int j = 0; j < 3; j++) {
            t[0][j] = g[j];
            t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
            t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
            t[3][j] = g[6 + j];
        }
        for (int i = 0; i < 4; i++) {  // (G g) Gᵀ
            const float r[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
            for (int j = 0; j < 4; j++) u[((size_t)(4 * i + j) * c + ci) * o + oc] = r[j];
        }
    }
}

static inline __attribute__((always_inline)) void input_transform(const float *x, int c, int h, int w, int pad, float *v, size_t ps, float *scratch,
                                                                  int avx) {
    int th, tw;
    tile_grid(h, w, pad, &th, &tw);
    const int ph = 2 * th + 2, pw = 2 * tw + 2;
    float *xt = scratch;  // zero-bordered, channel-last [ph, pw, c]
    memset(xt, 0, sizeof(float) * (size_t)ph * pw * c);
    const size_t plane = (size_t)h * w;
    for (int r = 0; r < h; r++)
        for (int col = 0; col < w; col += 8) {
            const int n = w - col < 8 ? w - col : 8;
            for (int cb = 0; cb < c; cb += 8)
                transpose_block(x + cb * plane + (size_t)r * w + col, plane, xt + ((size_t)(r + pad) * pw + col + pad) * c + cb,
                                (size_t)c, 8, n, avx);
        }
    for (int ty = 0; ty < th; ty++)
        for (int tx = 0; tx < tw; tx++) {
            const float *base = xt + ((size_t)(2 * ty) * pw + 2 * tx) * c;
            float *out = v + ((size_t)ty * tw + tx) * c;
            for (int cb = 0; cb < c; cb += 8) {
                v8 d[4][4], a[4][4];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) d[i][j] = load8(base + ((size_t)i * pw + j) * c + cb);
                for (int j = 0; j < 4; j++) {  // Bᵀ d
                    a[0][j] = d[0][j] - d[2][j];
                    a[1][j] = d[1][j] + d[2][j];
                    a[2][j] = d[2][j] - d[1][j];
                    a[3][j] = d[1][j] - d[3][j];
                }
                for (int i = 0; i < 4; i++) {  // (Bᵀ d) B
                    float *row = out + (size_t)(4 * i) * ps + cb;
                    store8(row, a[i][0] - a[i][2]);
                    store8(row + ps, a[i][1] + a[i][2]);
                    store8(row + 2 * ps, a[i][2] - a[i][1]);
                    store8(row + 3 * ps, a[i][1] - a[i][3]);
                }
            }
        }
}

static inline __attribute__((always_inline)) void output_transform(const float *m, size_t ps, int o, int oh, int ow, const float *bias, float *y,
                                                                   float *scratch, int avx) {
    const int th = (oh + 1) / 2, tw = (ow + 1) / 2, yw = 2 * tw;
    float *yt = scratch;  // channel-last [2·th, 2·tw, o]
    for (int ty = 0; ty < th; ty++)
        for (int tx = 0; tx < tw; tx++) {
            const float *mt = m + ((size_t)ty * tw + tx) * o;
            float *top = yt + ((size_t)(2 * ty) * yw + 2 * tx) * o, *bottom = top + (size_t)yw * o;
            for (int ob = 0; ob < o; ob += 8) {
                v8 q[4][4];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) q[i][j] = load8(mt + (size_t)(4 * i + j) * ps + ob);
                v8 b = {0};
                if (bias) b = load8(bias + ob);
                v8 s[4], d[4];
                for (int j = 0; j < 4; j++) {  // Aᵀ M
                    s[j] = q[0][j] + q[1][j] + q[2][j];
                    d[j] = q[1][j] - q[2][j] - q[3][j];
                }
                store8(top + ob, (s[0] + s[1] + s[2]) + b);  // (Aᵀ M) A
                store8(top + o + ob, (s[1] - s[2] - s[3]) + b);
                store8(bottom + ob, (d[0] + d[1] + d[2]) + b);
                store8(bottom + o + ob, (d[1] - d[2] - d[3]) + b);
            }
        }
    const size_t plane = (size_t)oh * ow;
    for (int ob = 0; ob < o; ob += 8)
        for (int r = 0; r < oh; r++)
            for (int col = 0; col < ow; col += 8) {
                const int n = ow - col < 8 ? ow - col : 8;
                transpose_block(yt + ((size_t)r * yw + col) * o + ob, (size_t)o, y + ob * plane + (size_t)r * ow + col, plane, n, 8, avx);
            }
}


/// out[r·ldc + 0..<16] = (accumulate ? out : 0) + Σ_k a[r·ar + k·ak] · b[k·ldb + 0..<16] for r < rows: one
/// block of a product, 16 columns wide. The AVX2 path (block_avx2) has the same blocks and order of sums
/// over k, with fused multiply-adds.
static void block_portable(const float *a, size_t ar, size_t ak, const float *b, size_t ldb, float *out, size_t ldc, int k,
                           int rows, int accumulate) {
    for (int r = 0; r < rows; r++) {
        v8 acc0 = {0}, acc1 = {0};
        if (accumulate) { acc0 = load8(out + r * ldc); acc1 = load8(out + r * ldc + 8); }
        for (int q = 0; q < k; q++) {
            const v8 x = (v8){0} + a[r * ar + q * ak];
            acc0 = acc0 + x * load8(b + q * ldb);
            acc1 = acc1 + x * load8(b + q * ldb + 8);
        }
        store8(out + r * ldc, acc0);
        store8(out + r * ldc + 8, acc1);
    }
}

typedef void (*block_kernel)(const float *a, size_t ar, size_t ak, const float *b, size_t ldb, float *out, size_t ldc, int k,
                             int rows, int accumulate);

/// m_ξ[t, :] = Σ_ci v_ξ[t, ci] · u_ξ[ci, :] for every transform point (o a multiple of 16), in blocks of
/// 6 tiles × 16 output channels (u_ξ's columns stay in L1 across the tiles).
static inline __attribute__((always_inline)) void multiply(const float *v, const float *u, float *m, int tiles, int c, int o,
                                                           size_t vps, size_t mps, block_kernel block) {
    for (int xi = 0; xi < 16; xi++) {
        const float *vx = v + (size_t)xi * vps, *ux = u + (size_t)xi * c * o;
        float *mx = m + (size_t)xi * mps;
        for (int ob = 0; ob < o; ob += 16)
            for (int t0 = 0; t0 < tiles; t0 += 6) {
                const int rows = tiles - t0 < 6 ? tiles - t0 : 6;
                block(vx + (size_t)t0 * c, (size_t)c, 1, ux + ob, (size_t)o, mx + (size_t)t0 * o + ob, (size_t)o, c, rows, 0);
            }
    }
}

/// du_ξ[oc, ci] += Σ_t g_ξ[t, oc] · v_ξ[t, ci] (c a multiple of 16): the weight gradient in the transform
/// domain, a product over the tiles, in blocks of 6 output × 16 input channels.
static inline __attribute__((always_inline)) void weight_products(const float *g, const float *v, float *du, int tiles, int c,
                                                                  int o, size_t gps, size_t vps, block_kernel block) {
    for (int xi = 0; xi < 16; xi++) {
        const float *gx = g + (size_t)xi * gps, *vx = v + (size_t)xi * vps;
        float *dux = du + (size_t)xi * o * c;
        for (int cb = 0; cb < c; cb += 16)
            for (int o0 = 0; o0 < o; o0 += 6) {
                const int rows = o - o0 < 6 ? o - o0 : 6;
                block(gx + o0, 1, (size_t)o, vx + cb, (size_t)c, dux + (size_t)o0 * c + cb, (size_t)c, tiles, rows, 1);
            }
    }
}

/// The products' gradient A dy Aᵀ of one image's dy [o, oh, ow] (outputs beyond oh, ow count as 0):
/// element (ξ, t, oc) goes to g[ξ·ps + t·o + oc].
static inline __attribute__((always_inline)) void output_gradient_transform(const float *dy, int o, int oh, int ow, float *g,
                                                                            size_t ps, float *scratch, int avx) {
    const int th = (oh + 1) / 2, tw = (ow + 1) / 2, yw = 2 * tw;
    float *yt = scratch;  // channel-last [2·th, 2·tw, o], zero beyond the output
    memset(yt, 0, sizeof(float) * (size_t)(2 * th) * yw * o);
    const size_t plane = (size_t)oh * ow;
    for (int ob = 0; ob < o; ob += 8)
        for (int r = 0; r < oh; r++)
            for (int col = 0; col < ow; col += 8) {
                const int n = ow - col < 8 ? ow - col : 8;
                transpose_block(dy + ob * plane + (size_t)r * ow + col, plane, yt + ((size_t)r * yw + col) * o + ob, (size_t)o, 8, n, avx);
            }
    for (int ty = 0; ty < th; ty++)
        for (int tx = 0; tx < tw; tx++) {
            const float *top = yt + ((size_t)(2 * ty) * yw + 2 * tx) * o, *bottom = top + (size_t)yw * o;
            float *out = g + ((size_t)ty * tw + tx) * o;
            for (int ob = 0; ob < o; ob += 8) {
                const v8 p00 = load8(top + ob), p01 = load8(top + o + ob), p10 = load8(bottom + ob), p11 = load8(bottom + o + ob);
                const v8 rows[4][2] = {{p00, p01}, {p00 + p10, p01 + p11}, {p00 - p10, p01 - p11}, {-p10, -p11}};  // A dy
                for (int k = 0; k < 4; k++) {  // (A dy) Aᵀ
                    float *row = out + (size_t)(4 * k) * ps + ob;
                    store8(row, rows[k][0]);
                    store8(row + ps, rows[k][0] + rows[k][1]);
                    store8(row + 2 * ps, rows[k][0] - rows[k][1]);
                    store8(row + 3 * ps, -rows[k][1]);
                }
            }
        }
}

static void multiply_portable(const float *v, const float *u, float *m, int tiles, int c, int o, size_t vps, size_t mps) {
    multiply(v, u, m, tiles, c, o, vps, mps, block_portable);
}

static void weight_products_portable(const float *g, const float *v, float *du, int tiles, int c, int o, size_t gps, size_t vps) {
    weight_products(g, v, du, tiles, c, o, gps, vps, block_portable);
}

static void output_gradient_portable(const float *dy, int o, int oh, int ow, float *g, size_t ps, float *scratch) {
    output_gradient_transform(dy, o, oh, ow, g, ps, scratch, 0);
}

static void input_portable(const float *x, int c, int h, int w, int pad, float *v, size_t ldv, float *scratch) {
    input_transform(x, c, h, w, pad, v, ldv, scratch, 0);
}

static void output_portable(const float *m, size_t ldm, int o, int oh, int ow, const float *bias, float *y, float *scratch) {
    output_transform(m, ldm, o, oh, ow, bias, y, scratch, 0);
}

#if defined(__x86_64__) || defined(__i386__)
#define EQX_ROW(R)                                                                                   \
    x = _mm256_broadcast_ss(a + (R) * ar + q * ak);                                                  \
    acc##R##0 = _mm256_fmadd_ps(x, b0, acc##R##0);                                                   \
    acc##R##1 = _mm256_fmadd_ps(x, b1, acc##R##1);
#define EQX_LOAD(R)                                                                                  \
    if (accumulate) { acc##R##0 = _mm256_loadu_ps(out + (R) * ldc); acc##R##1 = _mm256_loadu_ps(out + (R) * ldc + 8); }
#define EQX_STORE(R)                                                                                 \
    _mm256_storeu_ps(out + (R) * ldc, acc##R##0);                                                    \
    _mm256_storeu_ps(out + (R) * ldc + 8, acc##R##1);

/// A full 6 × 16 block of block_portable with its 12 accumulators named, so they stay in registers.
__attribute__((target("avx2,fma")))
static void block6_avx2(const float *a, size_t ar, size_t ak, const float *b, size_t ldb, float *out, size_t ldc, int k,
                        int accumulate) {
    __m256 acc00 = _mm256_setzero_ps(), acc01 = acc00, acc10 = acc00, acc11 = acc00, acc20 = acc00, acc21 = acc00;
    __m256 acc30 = acc00, acc31 = acc00, acc40 = acc00, acc41 = acc00, acc50 = acc00, acc51 = acc00;
    EQX_LOAD(0) EQX_LOAD(1) EQX_LOAD(2) EQX_LOAD(3) EQX_LOAD(4) EQX_LOAD(5)
    for (int q = 0; q < k; q++) {
        const __m256 b0 = _mm256_loadu_ps(b + q * ldb), b1 = _mm256_loadu_ps(b + q * ldb + 8);
        __m256 x;
        EQX_ROW(0) EQX_ROW(1) EQX_ROW(2) EQX_ROW(3) EQX_ROW(4) EQX_ROW(5)
    }
    EQX_STORE(0) EQX_STORE(1) EQX_STORE(2) EQX_STORE(3) EQX_STORE(4) EQX_STORE(5)
}

__attribute__((target("avx2,fma")))
static void block_avx2(const float *a, size_t ar, size_t ak, const float *b, size_t ldb, float *out, size_t ldc, int k, int rows,
                       int accumulate) {
    if (rows == 6) { block6_avx2(a, ar, ak, b, ldb, out, ldc, k, accumulate); return; }
    for (int r = 0; r < rows; r++, a += ar, out += ldc) {
        __m256 acc00 = _mm256_setzero_ps(), acc01 = acc00;
        EQX_LOAD(0)
        for (int q = 0; q < k; q++) {
            const __m256 b0 = _mm256_loadu_ps(b + q * ldb), b1 = _mm256_loadu_ps(b + q * ldb + 8);
            __m256 x;
            EQX_ROW(0)
        }
        EQX_STORE(0)
    }
}

__attribute__((target("avx2,fma")))
static void multiply_avx2(const float *v, const float *u, float *m, int tiles, int c, int o, size_t vps, size_t mps) {
    multiply(v, u, m, tiles, c, o, vps, mps, block_avx2);
}

__attribute__((target("avx2,fma")))
static void weight_products_avx2(const float *g, const float *v, float *du, int tiles, int c, int o, size_t gps, size_t vps) {
    weight_products(g, v, du, tiles, c, o, gps, vps, block_avx2);
}

__attribute__((target("avx2,fma")))
static void output_gradient_avx2(const float *dy, int o, int oh, int ow, float *g, size_t ps, float *scratch) {
    output_gradient_transform(dy, o, oh, ow, g, ps, scratch, 1);
}

__attribute__((target("avx2,fma")))
static void input_avx2(const float *x, int c, int h, int w, int pad, float *v, size_t ldv, float *scratch) {
    input_transform(x, c, h, w, pad, v, ldv, scratch, 1);
}

__attribute__((target("avx2,fma")))
static void output_avx2(const float *m, size_t ldm, int o, int oh, int ow, const float *bias, float *y, float *scratch) {
    output_transform(m, ldm, o, oh, ow, bias, y, scratch, 1);
}
#endif

void eqx_winograd_input(const float *x, int c, int h, int w, int pad, float *v, size_t ldv, float *scratch) {
#if defined(__x86_64__) || defined(__i386__)
    if (eqx_kernels_path() == EQX_KERNELS_AVX2) { input_avx2(x, c, h, w, pad, v, ldv, scratch); return; }
#endif
    input_portable(x, c, h, w, pad, v, ldv, scratch);
}

void eqx_winograd_output(const float *m, size_t ldm, int o, int oh, int ow, const float *bias, float *y, float *scratch) {
#if defined(__x86_64__) || defined(__i386__)
    if (eqx_kernels_path() == EQX_KERNELS_AVX2) { output_avx2(m, ldm, o, oh, ow, bias, y, scratch); return; }
#endif
    output_portable(m, ldm, o, oh, ow, bias, y, scratch);
}

void eqx_winograd_multiply(const float *v, const float *u, float *m, int tiles, int c, int o, size_t vps, size_t mps) {
#if defined(__x86_64__) || defined(__i386__)
    if (eqx_kernels_path() == EQX_KERNELS_AVX2) { multiply_avx2(v, u, m, tiles, c, o, vps, mps); return; }
#endif
    multiply_portable(v, u, m, tiles, c, o, vps, mps);
}

void eqx_winograd_output_gradient(const float *dy, int o, int oh, int ow, float *g, size_t ps, float *scratch) {
#if defined(__x86_64__) || defined(__i386__)
    if (eqx_kernels_path() == EQX_KERNELS_AVX2) { output_gradient_avx2(dy, o, oh, ow, g, ps, scratch); return; }
#endif
    output_gradient_portable(dy, o, oh, ow, g, ps, scratch);
}

void eqx_winograd_weight_products(const float *g, const float *v, float *du, int tiles, int c, int o, size_t gps, size_t vps) {
#if defined(__x86_64__) || defined(__i386__)
    if (eqx_kernels_path() == EQX_KERNELS_AVX2) { weight_products_avx2(g, v, du, tiles, c, o, gps, vps); return; }
#endif
    weight_products_portable(g, v, du, tiles, c, o, gps, vps);
}

void eqx_winograd_weight_gradient(const float *du, int o, int c, float *dw) {
    const size_t pairs = (size_t)o * c;
    for (size_t pc = 0; pc < pairs; pc++) {
        float d[4][4], t[3][4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) d[i][j] = du[(size_t)(4 * i + j) * pairs + pc];
        for (int j = 0; j < 4; j++) {  // Gᵀ dU: rows of Gᵀ = (1, ½, ½, 0), (0, ½, −½, 0), (0, ½, ½, 1)
            t[0][j] = d[0][j] + 0.5f * (d[1][j] + d[2][j]);
            t[1][j] = 0.5f * (d[1][j] - d[2][j]);
            t[2][j] = 0.5f * (d[1][j] + d[2][j]) + d[3][j];
        }
        float *g = dw + pc * 9;
        for (int i = 0; i < 3; i++) {  // (Gᵀ dU) G
            g[3 * i] = t[i][0] + 0.5f * (t[i][1] + t[i][2]);
            g[3 * i + 1] = 0.5f * (t[i][1] - t[i][2]);
            g[3 * i + 2] = 0.5f * (t[i][1] + t[i][2]) + t[i][3];
        }
    }
}
