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

/// y[i] = tanh(x[i]) for n floats, within 1 ulp of the exact value (computed in double, rounded once);
/// NaN stays NaN, ±∞ gives ±1. The AVX2 and portable paths return the same bits. x and y may alias.
void eqx_tanh_f32(const float *x, float *y, size_t n);

#ifdef __cplusplus
}
#endif

#endif
