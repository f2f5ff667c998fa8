import CBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The number of threads used by `parallelFor` and by our partitioned GEMMs.
///
/// OpenBLAS itself always runs single-threaded inside each partition (see `gemm`): its idle threads
/// spin and would compete with our loops on small machines.
///
/// Work is always split into the same contiguous chunks for a given count, and no reduction combines
/// partial results in scheduling order, so results are bit-identical for the same thread count.
public enum ComputeThreads {
    nonisolated(unsafe) private static var current: Int = {
        prepareBLAS()
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

    /// Threads used for compute (default: all online cores).
    public static var count: Int {
        get { current }
        set {
            let n = max(1, newValue)
            current = n
        }
    }
}

/// Runs `body` on `0..<count` split into at most `ComputeThreads.count` contiguous chunks.
/// Falls back to a plain call when the work (`count * cost`) is too small to be worth a dispatch.
@inlinable
public func parallelFor(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let threads = min(ComputeThreads.count, count)
    if threads <= 1 || count * cost < 32_768 {
        body(0..<count)
        return
    }
    DispatchQueueConcurrent.perform(threads) { t in body(chunk(t, of: threads, count: count)) }
}

/// `DispatchQueue.concurrentPerform` for a non-escaping body.
@usableFromInline
enum DispatchQueueConcurrent {
    @inlinable
    static func perform(_ iterations: Int, _ body: (Int) -> Void) {
        if iterations == 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
        }
    }
}

/// The `t`-th of `parts` contiguous, nearly equal chunks of `0..<count`.
@inlinable
func chunk(_ t: Int, of parts: Int, count: Int) -> Range<Int> {
    let base = count / parts, extra = count % parts
    let start = t * base + min(t, extra)
    return start..<(start + base + (t < extra ? 1 : 0))
}
