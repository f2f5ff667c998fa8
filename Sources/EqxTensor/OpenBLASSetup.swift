import CBLAS
import Foundation

/// OpenBLAS back-end selection.
///
/// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not recognise AMD Zen 4/5 and falls back to its AVX2
/// "Haswell" kernels, which reach about half of what its AVX-512 "SkylakeX" kernels do on those CPUs
/// (≈250 vs ≈480 GFLOP/s for a 1024³ sgemm on 2 Zen 5 cores). Before the first BLAS call we switch to
/// SkylakeX when the CPU has the AVX-512 subsets those kernels use and OpenBLAS chose Haswell. An
/// explicit `OPENBLAS_CORETYPE` in the environment is always respected.
public enum OpenBLAS {
    /// The kernel family OpenBLAS uses (e.g. "Haswell", "SkylakeX").
    public static var coreName: String {
        prepareBLAS()
        return openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    static let configured: Void = {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let name = openblas_get_corename().map({ String(cString: $0) }), name == "Haswell",
              cpuHasAVX512ForSkylakeXKernels(),
              let quit = dlsym(nil, "gotoblas_dynamic_quit"),  // nil handle = RTLD_DEFAULT
              let initialize = dlsym(nil, "gotoblas_dynamic_init")
        else { return }
        typealias Hook = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        unsafeBitCast(quit, to: Hook.self)()
        unsafeBitCast(initialize, to: Hook.self)()
        unsetenv("OPENBLAS_CORETYPE")
    }()

    /// One-time process setup: single-threaded OpenBLAS (we partition GEMMs ourselves) and a malloc
    /// that keeps freed blocks up to 32 MiB in the heap instead of unmapping them, so per-step
    /// activations do not page-fault afresh on every training step (larger scratch: `ScratchBuffer`).
    static let setup: Void = {
        OpenBLAS.configured
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

    public static func cpuHasAVX512ForSkylakeXKernels() -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(line.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains)
    }
}

/// Must run before any BLAS call (cheap after the first time).
@inline(__always)
public func prepareBLAS() { OpenBLAS.setup }
