// Which implementation the hand-written kernels run: the AVX2/FMA one when the CPU has both, else the
// portable C one (or always the portable one with EQX_KERNELS=portable), decided on first use.
#include "CEqxKernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define EQX_HAVE_AVX2_PATH 1
#endif

// Read and written atomically: the first use may come from several compute threads at once (they all
// store the same value).
static int selected = -1;

eqx_kernel_path eqx_kernels_select(void) {
    const char *forced = getenv("EQX_KERNELS");
    int avx2 = 0;
#ifdef EQX_HAVE_AVX2_PATH
    __builtin_cpu_init();
    avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    if (forced && strcmp(forced, "portable") == 0) avx2 = 0;
    const int path = avx2 ? EQX_KERNELS_AVX2 : EQX_KERNELS_PORTABLE;
    __atomic_store_n(&selected, path, __ATOMIC_RELAXED);
    return (eqx_kernel_path)path;
}

eqx_kernel_path eqx_kernels_path(void) {
    const int path = __atomic_load_n(&selected, __ATOMIC_RELAXED);
    return path < 0 ? eqx_kernels_select() : (eqx_kernel_path)path;
}

