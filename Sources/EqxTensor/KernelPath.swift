import CEqxKernels

/// Which implementation the hand-written kernels (CEqxKernels) run: AVX2/FMA when the CPU has both,
/// the portable C path otherwise or when `EQX_KERNELS=portable` is set (CEqxKernels/KernelPath.c). The
/// few-tap convolution's paths agree to rounding (the forward sums run in the same order but AVX2 fuses
/// multiply and add; the weight gradient's sums over pixels are split into 8 lanes on AVX2); tanh's return
/// the same bits.
public enum KernelPath: Sendable {
    case avx2, portable

    /// The path the kernels use now.
    public static var current: KernelPath { eqx_kernels_path() == EQX_KERNELS_AVX2 ? .avx2 : .portable }

    /// Re-reads `EQX_KERNELS` and the CPU features (for tests that force the portable path).
    @discardableResult
    public static func select() -> KernelPath { eqx_kernels_select() == EQX_KERNELS_AVX2 ? .avx2 : .portable }
}

// The C kernels take float pointers; the generic Swift code calls them only when Scalar is Float.
@inline(__always)
func float32<Scalar: TensorScalar>(_ p: UnsafePointer<Scalar>) -> UnsafePointer<Float> {
    precondition(Scalar.self == Float.self, "the CEqxKernels kernels are Float32 only")
    return UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always)
func float32<Scalar: TensorScalar>(_ p: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<Float> {
    precondition(Scalar.self == Float.self, "the CEqxKernels kernels are Float32 only")
    return UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}
