import CBLAS
import Foundation

/// OpenBLAS process setup and introspection.
///
/// OpenBLAS picks its kernels at load time from the CPU, unless `OPENBLAS_CORETYPE` names them. On
/// AVX-512 machines the AVX2 "Haswell" kernels reach about half the sgemm rate of "SkylakeX" /
/// "Cooperlake" (≈250 vs ≈480 GFLOP/s for 1024³ on 2 Zen 5 cores), so check `coreName` when
/// comparing speeds.
public enum OpenBLAS {
    /// The kernel family OpenBLAS uses (e.g. "Haswell", "SkylakeX", "Cooperlake").
    public static var coreName: String {
        prepareBLAS()
        return openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// One-time process setup: single-threaded OpenBLAS (we partition GEMMs ourselves, see `sgemm`)
    /// and a malloc that serves large blocks from its heap and keeps freed memory instead of
    /// unmapping it, so per-step activations (33 MB for one VGG layer at batch 512) do not page-fault
    /// afresh on every step: that cost as much as the layer's arithmetic.
    static let setup: Void = {
        openblas_set_num_threads(1)
        // glibc's mallopt (not exported by the Glibc module): M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4
        // (0: never mmap single blocks; the mmap threshold itself cannot exceed 32 MiB).
        if let f = dlsym(nil, "mallopt") {
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(f, to: Mallopt.self)
            _ = mallopt(-4, 0)
            _ = mallopt(-1, 1 << 30)
        }
    }()
}

/// Must run before any BLAS call (cheap after the first time).
@inline(__always)
public func prepareBLAS() { OpenBLAS.setup }
