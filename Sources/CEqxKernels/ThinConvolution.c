// Direct convolution for layers with few input channels (the first layer: K = c·kh·kw = 9 or 27), where
// im2col + GEMM spends its time writing and re-reading a K-row patch matrix that is barely reused. Both
// kernels copy the image into a zero-bordered plane once and then read shifted rows of it directly.
#include "CEqxKernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EQX_HAVE_AVX2_PATH 1
#endif

size_t eqx_thin_conv_plane_size(int c, int h, int w, int kh, int kw, int pad) {
    (void)kh; (void)kw;
    return (size_t)c * (size_t)(h + 2 * pad) * (size_t)(w + 2 * pad);
}

/// Copies x [c, h, w] into zero-bordered planes [c, h + 2·pad, w + 2·pad].
static void border(const float *x, int c, int h, int w, int pad, float *plane) {
    const int pw = w + 2 * pad, ph = h + 2 * pad;
    memset(plane, 0, sizeof(float) * (size_t)c * ph * pw);
    for (int ci = 0; ci < c; ci++)
        for (int r = 0; r < h; r++)
            memcpy(plane + ((size_t)ci * ph + r + pad) * pw + pad, x + ((size_t)ci * h + r) * w, sizeof(float) * w);
}

/// Offset in the bordered planes of tap t = (ci, i, j) relative to the output pixel's top-left.
static void tap_offsets(int c, int h, int w, int kh, int kw, int pad, int *offsets) {
    const int pw = w + 2 * pad, ph = h + 2 * pad;
    for (int ci = 0, t = 0; ci < c; ci++)
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++) offsets[t++] = (ci * ph + i) * pw + j;
}

enum { max_taps = 64 };

static void forward_portable(const float *plane, const int *off, int taps, int pw, int oh, int ow,
                             const float *weight, const float *bias, int o, float *y) {
    for (int oc = 0; oc < o; oc++) {
        const float *wo = weight + (size_t)oc * taps;
        const float b = bias ? bias[oc] : 0.0f;
        for (int oy = 0; oy < oh; oy++) {
            const float *row = plane + (size_t)oy * pw;
            float *yr = y + ((size_t)oc * oh + oy) * ow;
            for (int ox = 0; ox < ow; ox++) {
                float a = b;
                for (int t = 0; t < taps; t++) a += wo[t] * row[off[t] + ox];
                yr[ox] = a;
            }
        }
    }
}

static void weight_gradient_portable(const float *plane, const int *off, int taps, int pw, int oh, int ow,
                                     const float *dy, int o, float *dw) {
    for (int oc = 0; oc < o; oc++) {
        const float *d = dy + (size_t)oc * oh * ow;
        for (int t = 0; t < taps; t++) {
            float a = 0.0f;
            for (int oy = 0; oy < oh; oy++) {
                const float *row = plane + (size_t)oy * pw + off[t];
                for (int ox = 0; ox < ow; ox++) a += d[oy * ow + ox] * row[ox];
            }
            dw[(size_t)oc * taps + t] += a;
        }
    }
}

#ifdef EQX_HAVE_AVX2_PATH
__attribute__((target("avx2,fma")))
static void forward_avx2(const float *plane, const int *off, int taps, int pw, int oh, int ow,
                         const float *weight, const float *bias, int o, float *y) {
    for (int oc = 0; oc < o; oc++) {
        const float *wo = weight + (size_t)oc * taps;
        const float b = bias ? bias[oc] : 0.0f;
        for (int oy = 0; oy < oh; oy++) {
            const float *row = plane + (size_t)oy * pw;
            float *yr = y + ((size_t)oc * oh + oy) * ow;
            int ox = 0;
            for (; ox + 16 <= ow; ox += 16) {
                __m256 a0 = _mm256_set1_ps(b), a1 = a0;
                for (int t = 0; t < taps; t++) {
                    const __m256 wt = _mm256_broadcast_ss(wo + t);
                    a0 = _mm256_fmadd_ps(wt, _mm256_loadu_ps(row + off[t] + ox), a0);
                    a1 = _mm256_fmadd_ps(wt, _mm256_loadu_ps(row + off[t] + ox + 8), a1);
                }
                _mm256_storeu_ps(yr + ox, a0);
                _mm256_storeu_ps(yr + ox + 8, a1);
            }
            for (; ox + 8 <= ow; ox += 8) {
                __m256 a0 = _mm256_set1_ps(b);
                for (int t = 0; t < taps; t++)
                    a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(wo + t), _mm256_loadu_ps(row + off[t] + ox), a0);
                _mm256_storeu_ps(yr + ox, a0);
            }
            for (; ox < ow; ox++) {
                float a = b;
                for (int t = 0; t < taps; t++) a = __builtin_fmaf(wo[t], row[off[t] + ox], a);
                yr[ox] = a;
            }
        }
    }
}

__attribute__((target("avx2,fma")))
static float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Taps in groups of at most 9 (one 3×3 channel), so the accumulators stay in registers.
__attribute__((target("avx2,fma")))
static void weight_gradient_avx2(const float *plane, const int *off, int taps, int pw, int oh, int ow,
                                 const float *dy, int o, float *dw) {
    enum { group = 9 };
    for (int oc = 0; oc < o; oc++) {
        const float *d = dy + (size_t)oc * oh * ow;
        for (int t0 = 0; t0 < taps; t0 += group) {
            const int n = taps - t0 < group ? taps - t0 : group;
            __m256 acc[group];
            float tail[group];
            for (int u = 0; u < group; u++) { acc[u] = _mm256_setzero_ps(); tail[u] = 0.0f; }
            for (int oy = 0; oy < oh; oy++) {
                const float *row = plane + (size_t)oy * pw, *dr = d + (size_t)oy * ow;
                int ox = 0;
                for (; ox + 8 <= ow; ox += 8) {
                    const __m256 g = _mm256_loadu_ps(dr + ox);
                    for (int u = 0; u < n; u++)
                        acc[u] = _mm256_fmadd_ps(g, _mm256_loadu_ps(row + off[t0 + u] + ox), acc[u]);
                }
                for (; ox < ow; ox++)
                    for (int u = 0; u < n; u++) tail[u] = __builtin_fmaf(dr[ox], row[off[t0 + u] + ox], tail[u]);
            }
            for (int u = 0; u < n; u++) dw[(size_t)oc * taps + t0 + u] += horizontal_sum(acc[u]) + tail[u];
        }
    }
}
#endif

void eqx_thin_conv_forward(const float *x, int c, int h, int w, int kh, int kw, int pad,
                           const float *weight, const float *bias, int o, float *y, float *plane) {
    const int taps = c * kh * kw, pw = w + 2 * pad;
    const int oh = h + 2 * pad - kh + 1, ow = w + 2 * pad - kw + 1;
    if (taps > max_taps || oh <= 0 || ow <= 0) return;
    int off[max_taps];
    border(x, c, h, w, pad, plane);
    tap_offsets(c, h, w, kh, kw, pad, off);
#ifdef EQX_HAVE_AVX2_PATH
    if (eqx_kernels_path() == EQX_KERNELS_AVX2) {
        forward_avx2(plane, off, taps, pw, oh, ow, weight, bias, o, y);
        return;
    }
#endif
    forward_portable(plane, off, taps, pw, oh, ow, weight, bias, o, y);
}

void eqx_thin_conv_weight_gradient(const float *x, int c, int h, int w, int kh, int kw, int pad,
                                   const float *dy, int o, float *dw, float *plane) {
    const int taps = c * kh * kw, pw = w + 2 * pad;
    const int oh = h + 2 * pad - kh + 1, ow = w + 2 * pad - kw + 1;
    if (taps > max_taps || oh <= 0 || ow <= 0) return;
    int off[max_taps];
    border(x, c, h, w, pad, plane);
    tap_offsets(c, h, w, kh, kw, pad, off);
#ifdef EQX_HAVE_AVX2_PATH
    if (eqx_kernels_path() == EQX_KERNELS_AVX2) {
        weight_gradient_avx2(plane, off, taps, pw, oh, ow, dy, o, dw);
        return;
    }
#endif
    weight_gradient_portable(plane, off, taps, pw, oh, ow, dy, o, dw);
}
