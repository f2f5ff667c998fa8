// Hand-written kernels of the eqx tensor runtime: an AVX2/FMA path and a portable C path that agree to
// rounding, chosen at run time (CPUID, or EQX_KERNELS=portable to force the fallback).
#ifndef CEQX_KERNELS_H
#define CEQX_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which implementation the kernels run.
typedef enum { EQX_KERNELS_PORTABLE = 0, EQX_KERNELS_AVX2 = 1 } eqx_kernel_path;

/// The path in use (chosen on first use).
eqx_kernel_path eqx_kernels_path(void);

/// Re-reads EQX_KERNELS and the CPU's features and returns the path now in use. `EQX_KERNELS=portable`
/// forces the portable path; otherwise AVX2 runs when the CPU has AVX2 and FMA.
eqx_kernel_path eqx_kernels_select(void);

/// Direct stride-1 zero-padded 2-D cross-correlation of one image, for layers with few input channels
/// (the first layer): x [c, h, w], weight [o, c, kh, kw], bias [o] or NULL, y [o, oh, ow] with
/// oh = h + 2·pad − kh + 1, ow = w + 2·pad − kw + 1. `plane` is scratch of eqx_thin_conv_plane_size
/// floats. Each output is bias + Σ over (c, i, j) in that order.
void eqx_thin_conv_forward(const float *x, int c, int h, int w, int kh, int kw, int pad,
                           const float *weight, const float *bias, int o, float *y, float *plane);

/// Adds this image's weight gradient to dw [o, c, kh, kw]: dw[o, c, i, j] += Σ_p dy[o, p] · x_pad[c, p + (i, j)].
/// dy [o, oh, ow]; `plane` as for the forward pass.
void eqx_thin_conv_weight_gradient(const float *x, int c, int h, int w, int kh, int kw, int pad,
                                   const float *dy, int o, float *dw, float *plane);

/// Scratch floats the thin-conv kernels need for one image.
size_t eqx_thin_conv_plane_size(int c, int h, int w, int kh, int kw, int pad);

/// Winograd F(2×2, 3×3) for stride-1 3×3 convolutions with zero padding `pad` (CEqxKernels/Winograd.c).
/// Transform points ξ = 4·i + j (i, j < 4); tiles t = ty·tw + tx cover the output [oh, ow] in 2×2 blocks,
/// th = ⌈oh/2⌉ by tw = ⌈ow/2⌉. The input channels c must be a multiple of 8, the
/// output channels o of 16.
///
/// Transformed weights G g Gᵀ of weight [o, c, 3, 3]: u [16, c, o].
void eqx_winograd_weights(const float *weight, int o, int c, float *u);

/// The 16 products m_ξ [tiles, o] = v_ξ [tiles, c] · u_ξ [c, o], where v_ξ starts at v + ξ·vps and m_ξ at
/// m + ξ·mps (rows packed: strides c and o). Sums over c run in order; the AVX2 path fuses multiply-adds.
void eqx_winograd_multiply(const float *v, const float *u, float *m, int tiles, int c, int o, size_t vps, size_t mps);

/// Transformed input tiles Bᵀ d B of one image x [c, h, w]: element (ξ, t, ci) goes to v[ξ·ps + t·c + ci].
void eqx_winograd_input(const float *x, int c, int h, int w, int pad, float *v, size_t ps, float *scratch);

/// One image's output y [o, oh, ow] = Aᵀ m A + bias (bias may be NULL) from the products m, whose element
/// (ξ, t, oc) is m[ξ·ps + t·o + oc].
void eqx_winograd_output(const float *m, size_t ps, int o, int oh, int ow, const float *bias, float *y, float *scratch);

/// The weight gradient's side (input channels c a multiple of 16). The gradient of the products for one
/// image's dy [o, oh, ow], A dy Aᵀ: element (ξ, t, oc) goes to g[ξ·ps + t·o + oc].
void eqx_winograd_output_gradient(const float *dy, int o, int oh, int ow, float *g, size_t ps, float *scratch);

/// du [16, o, c] += Σ_t g_ξ[t, oc] · v_ξ[t, ci], with g_ξ at g + ξ·gps and v_ξ at v + ξ·vps (rows packed).
void eqx_winograd_weight_products(const float *g, const float *v, float *du, int tiles, int c, int o, size_t gps, size_t vps);

/// dw [o, c, 3, 3] = Gᵀ du G from the transform-domain gradient du [16, o, c].
void eqx_winograd_weight_gradient(const float *du, int o, int c, float *dw);

/// Scratch floats eqx_winograd_input, eqx_winograd_output and eqx_winograd_output_gradient need for one image.
size_t eqx_winograd_scratch_size(int c, int o, int h, int w, int pad);

/// y[i] = tanh(x[i]) for n floats, within 1 ulp of the exact value (computed in double, rounded once);
/// NaN stays NaN, ±∞ gives ±1. The AVX2 and portable paths return the same bits. x and y may alias.
void eqx_tanh_f32(const float *x, float *y, size_t n);

#ifdef __cplusplus
}
#endif

#endif
