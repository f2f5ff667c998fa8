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
    /// and a malloc that keeps freed blocks up to 32 MiB in the heap instead of unmapping them, so
    /// per-step activations do not page-fault afresh on every training step (larger temporaries go
    /// through `ScratchBuffer`).
    static let setup: Void = {
        openblas_set_num_threads(1)
        // glibc's mallopt (not exported by the Glibc module): M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
        // 32 MiB is the largest mmap threshold glibc accepts on 64-bit.
        if let f = dlsym(nil, "mallopt") {
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(f, to: Mallopt.self)
            _ = mallopt(-3, 32 << 20)
            _ = mallopt(-1, 1 << 30)
        }
    }()
}

/// Must run before any BLAS call (cheap after the first time).
@inline(__always)
public func prepareBLAS() { OpenBLAS.setup }
