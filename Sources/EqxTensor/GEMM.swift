/// Row-major `C = alpha * op(A) * op(B) + beta * C` with op(A): m×k, op(B): k×n, C: m×n, on the
/// calling thread. Leading dimensions are those of the stored (untransposed) row-major matrices.
@inline(__always)
func gemmSerial<Scalar: TensorScalar>(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Scalar, a: UnsafePointer<Scalar>, lda: Int,
    b: UnsafePointer<Scalar>, ldb: Int,
    beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    Scalar.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}

/// `gemmSerial` split over `ComputeThreads.count` threads, each running single-threaded OpenBLAS on
/// its own block: rows of C when C is tall, columns when it is wide, otherwise the inner dimension k
/// (partial products summed in a fixed order). The split depends only on the shapes and the thread
/// count, so results are reproducible. We partition ourselves rather than use OpenBLAS's threads
/// because its idle workers spin (sched_yield) and steal the cores from our other parallel loops.
func gemm<Scalar: TensorScalar>(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Scalar = 1, a: UnsafePointer<Scalar>, lda: Int,
    b: UnsafePointer<Scalar>, ldb: Int,
    beta: Scalar = 0, c: UnsafeMutablePointer<Scalar>, ldc: Int
) {
    prepareBLAS()
    let threads = ComputeThreads.count
    let work = m * n * max(k, 1)
    guard threads > 1, work >= 1 << 18, m > 0, n > 0 else {
        gemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    if m >= threads * 64 {
        // Row blocks of C (measured faster than column blocks for large squares on OpenBLAS 0.3.21).
        let blocks = aligned(m, parts: threads, quantum: 16)
        DispatchQueueConcurrent.perform(blocks.count) { t in
            let rows = blocks[t]
            gemmSerial(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha,
                        a: transA ? a + rows.lowerBound : a + rows.lowerBound * lda, lda: lda,
                        b: b, ldb: ldb, beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
        }
    } else if n >= threads * 64 || (n >= threads * 16 && n >= m) {
        // Column blocks of C (multiples of 16 so kernels see full vector widths).
        let blocks = aligned(n, parts: threads, quantum: 16)
        DispatchQueueConcurrent.perform(blocks.count) { t in
            let cols = blocks[t]
            gemmSerial(transA: transA, transB: transB, m: m, n: cols.count, k: k, alpha: alpha, a: a, lda: lda,
                        b: transB ? b + cols.lowerBound * ldb : b + cols.lowerBound, ldb: ldb,
                        beta: beta, c: c + cols.lowerBound, ldc: ldc)
        }
    } else if k >= threads * 256 {
        // Small C, long inner dimension (weight gradients of thin layers): split k, add in order.
        let blocks = aligned(k, parts: threads, quantum: 64)
        let partials = UnsafeMutablePointer<Scalar>.allocate(capacity: blocks.count * m * n)
        defer { partials.deallocate() }
        DispatchQueueConcurrent.perform(blocks.count) { t in
            let ks = blocks[t]
            gemmSerial(transA: transA, transB: transB, m: m, n: n, k: ks.count, alpha: alpha,
                        a: transA ? a + ks.lowerBound * lda : a + ks.lowerBound, lda: lda,
                        b: transB ? b + ks.lowerBound : b + ks.lowerBound * ldb, ldb: ldb,
                        beta: 0, c: partials + t * m * n, ldc: n)
        }
        for i in 0..<m {
            for j in 0..<n {
                var s = beta == 0 ? 0 : beta * c[i * ldc + j]
                for t in 0..<blocks.count { s += partials[t * m * n + i * n + j] }
                c[i * ldc + j] = s
            }
        }
    } else {
        gemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

/// `parts` contiguous ranges covering 0..<count whose boundaries are multiples of `quantum`.
func aligned(_ count: Int, parts: Int, quantum: Int) -> [Range<Int>] {
    let units = (count + quantum - 1) / quantum
    let p = max(1, min(parts, units))
    return (0..<p).map { t in
        let r = chunk(t, of: p, count: units)
        return (r.lowerBound * quantum)..<min(count, r.upperBound * quantum)
    }
}

extension TensorOf {
    /// Matrix product of rank-2 tensors, optionally transposing either operand (`[m,k]·[k,n]`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: TensorOf<Scalar>, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> TensorOf<Scalar> {
        guard rank == 2, other.rank == 2 else {
            throw TensorError.rankMismatch(op: "matmul", expected: "two rank-2 tensors", got: rank == 2 ? other.shape : shape)
        }
        let m = transposeSelf ? shape[1] : shape[0], k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0], n = transposeOther ? other.shape[0] : other.shape[1]
        guard k == k2 else {
            throw TensorError.shapeMismatch(op: "matmul", expected: transposeOther ? [n, k] : [k, n], got: other.shape)
        }
        guard m > 0, n > 0, k > 0 else { return TensorOf<Scalar>.zeros([m, n]) }
        return TensorOf<Scalar>(shape: [m, n]) { c in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                          a: a.baseAddress!, lda: shape[1], b: b.baseAddress!, ldb: other.shape[1],
                          c: c.baseAddress!, ldc: n)
                }
            }
        }
    }
}
