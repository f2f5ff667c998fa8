import CBLAS

/// Row-major `C = alpha * op(A) * op(B) + beta * C` with op(A): m×k, op(B): k×n, C: m×n.
/// Leading dimensions are those of the stored (untransposed) row-major matrices.
@inline(__always)
func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

extension Tensor {
    /// Matrix product of rank-2 tensors, optionally transposing either operand (`[m,k]·[k,n]`).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> Tensor {
        guard rank == 2, other.rank == 2 else {
            throw TensorError.rankMismatch(op: "matmul", expected: "two rank-2 tensors", got: rank == 2 ? other.shape : shape)
        }
        let m = transposeSelf ? shape[1] : shape[0], k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0], n = transposeOther ? other.shape[0] : other.shape[1]
        guard k == k2 else {
            throw TensorError.shapeMismatch(op: "matmul", expected: transposeOther ? [n, k] : [k, n], got: other.shape)
        }
        var out = Tensor.zeros([m, n])
        guard m > 0, n > 0, k > 0 else { return out }
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                out.storage.withUnsafeMutableBufferPointer { c in
                    sgemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                          a: a.baseAddress!, lda: shape[1], b: b.baseAddress!, ldb: other.shape[1],
                          c: c.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }
}
