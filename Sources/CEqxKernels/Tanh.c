// Element-wise tanh for float32 tensors. libm's tanhf is a scalar call of ~10 ns; this evaluates
// (e − 1)/(e + 1), e = exp(2|x|), in double precision with a branch-free exp that the compiler
// vectorises, and rounds once to float, so the result is the correctly rounded tanh except in
// near-halfway cases (within 1 ulp). Contraction into FMA is off, so the AVX2 clone and the portable
// one compute the same IEEE operations and return the same bits.
#include "CEqxKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

// exp(y) for y in [0, 40]: y = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2, exact k·ln2_hi
// for |k| < 2^11), then the Taylor polynomial of degree 10 (truncation < 1e-12 relative) times 2^k.
static inline double exp_small(double y) {
    const double log2e = 1.4426950408889634, ln2_hi = 0.693145751953125, ln2_lo = 1.4286068203094173e-06;
    const double shift = 6755399441055744.0;  // 1.5·2^52: adding it rounds to an integer in the low bits
    double t = y * log2e + shift;
    double k = t - shift;
    double r = (y - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    // The low bits of t hold k (two's complement offset by the shift); 2^k's exponent field is k + 1023.
    uint64_t scale_bits = (bits + 1023) << 52;
    double scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    return p * scale;
}

static inline float tanh_one(float xf) {
    double x = xf;
    double a = x < 0 ? -x : x;
    // tanh(20) rounds to 1 in float; clamping keeps exp finite (NaN is restored below).
    double c = a < 20.0 ? a : 20.0;
    double e = exp_small(2.0 * c);
    double big = (e - 1.0) / (e + 1.0);
    // Below 2^-10 the subtraction e − 1 would cancel: the odd series to x^5 is exact to < 1e-19 there.
    double a2 = c * c;
    double small = c - c * a2 * (1.0 / 3.0) + c * a2 * a2 * (2.0 / 15.0);
    double m = c < 0.0009765625 ? small : big;
    float result = (float)copysign(m, x);  // tanh(−0) = −0
    return xf != xf ? xf : result;
}

static void tanh_portable(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = tanh_one(x[i]);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma")))
static void tanh_avx2(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = tanh_one(x[i]);
}
#endif

void eqx_tanh_f32(const float *x, float *y, size_t n) {
#if defined(__x86_64__) || defined(__i386__)
    if (eqx_kernels_path() == EQX_KERNELS_AVX2) { tanh_avx2(x, y, n); return; }
#endif
    tanh_portable(x, y, n);
}
