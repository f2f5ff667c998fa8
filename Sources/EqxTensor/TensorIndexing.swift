// Gathers, row slices and concatenation, argmax: the index plumbing others build group actions from.
extension TensorOf {
    /// Flat gather: `out[i] = self[flat: indices[i]]`, shaped `shape` (default: `[indices.count]`).
    /// Used to apply permutation group actions to parameters and inputs.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gathered(indices: [Int], shape outShape: [Int]? = nil) throws -> TensorOf<Scalar> {
        let target = outShape ?? [indices.count]
        guard TensorOf<Scalar>.elementCount(target) == indices.count else {
            throw TensorError.countMismatch(op: "gathered", shape: target, count: indices.count)
        }
        let n = count
        for i in indices where i < 0 || i >= n {
            throw TensorError.indexOutOfRange(op: "gathered", index: i, bound: n)
        }
        return TensorOf<Scalar>(shape: target) { out in
            scalars.withUnsafeBufferPointer { a in
                indices.withUnsafeBufferPointer { idx in
                    for i in 0..<idx.count { out[i] = a[idx[i]] }
                }
            }
        }
    }

    /// Number of scalars in one row along axis 0.
    var rowSize: Int { shape.isEmpty ? 1 : shape.dropFirst().reduce(1, *) }

    /// Rows `range` along axis 0 (e.g. a mini-batch).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func slicedBatch(_ range: Range<Int>) throws -> TensorOf<Scalar> {
        guard rank >= 1 else { throw TensorError.rankMismatch(op: "slicedBatch", expected: "rank >= 1", got: shape) }
        guard range.lowerBound >= 0, range.upperBound <= shape[0] else {
            throw TensorError.indexOutOfRange(op: "slicedBatch", index: range.lowerBound < 0 ? range.lowerBound : range.upperBound, bound: shape[0] + 1)
        }
        let r = rowSize
        var newShape = shape
        newShape[0] = range.count
        return TensorOf<Scalar>(uncheckedShape: newShape, scalars: Array(scalars[(range.lowerBound * r)..<(range.upperBound * r)]))
    }

    /// The scalars viewed as [outer, n, inner] rearranged to [n, outer·inner]: row k holds, for each
    /// a < outer in turn, the `inner` scalars at (a, k). A block copy (no index table), split across
    /// threads by row.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func axisMovedFirst(outer: Int, n: Int, inner: Int) throws -> TensorOf<Scalar> {
        guard outer >= 0, n >= 0, inner >= 0, outer * n * inner == count else {
            throw TensorError.shapeMismatch(op: "axisMovedFirst", expected: [outer, n, inner], got: shape)
        }
        return TensorOf<Scalar>(shape: [n, outer * inner]) { out in
            scalars.withUnsafeBufferPointer { a in
                guard let src = a.baseAddress, let dst = out.baseAddress else { return }
                parallelFor(n, cost: outer * inner) { rows in
                    for k in rows {
                        for o in 0..<outer { copyRun(dst + (k * outer + o) * inner, src + (o * n + k) * inner, inner) }
                    }
                }
            }
        }
    }

    /// Rows `indices` along axis 0, in that order (e.g. a shuffled mini-batch).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gatheredBatch(_ indices: [Int]) throws -> TensorOf<Scalar> {
        guard rank >= 1 else { throw TensorError.rankMismatch(op: "gatheredBatch", expected: "rank >= 1", got: shape) }
        let r = rowSize
        for i in indices where i < 0 || i >= shape[0] {
            throw TensorError.indexOutOfRange(op: "gatheredBatch", index: i, bound: shape[0])
        }
        var newShape = shape
        newShape[0] = indices.count
        return TensorOf<Scalar>(shape: newShape) { out in
            scalars.withUnsafeBufferPointer { a in
                for (k, i) in indices.enumerated() {
                    for j in 0..<r { out[k * r + j] = a[i * r + j] }
                }
            }
        }
    }

    /// Concatenation along axis 0; all parts must agree on the trailing dimensions.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func concatenatedBatch(_ parts: [TensorOf<Scalar>]) throws -> TensorOf<Scalar> {
        guard let first = parts.first else {
            throw TensorError.invalidArgument(op: "concatenatedBatch", message: "no tensors to concatenate")
        }
        guard first.rank >= 1 else { throw TensorError.rankMismatch(op: "concatenatedBatch", expected: "rank >= 1", got: first.shape) }
        let trailing = Array(first.shape.dropFirst())
        var rows = 0
        for p in parts {
            guard p.rank >= 1, Array(p.shape.dropFirst()) == trailing else {
                throw TensorError.shapeMismatch(op: "concatenatedBatch", expected: [-1] + trailing, got: p.shape)
            }
            rows += p.shape[0]
        }
        var all = [Scalar]()
        all.reserveCapacity(rows * first.rowSize)
        for p in parts { all.append(contentsOf: p.scalars) }
        return TensorOf<Scalar>(uncheckedShape: [rows] + trailing, scalars: all)
    }

    /// Index of the largest scalar along the last axis, for every leading index (first index on ties).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmaxLastAxis() throws -> [Int] {
        guard rank >= 1, shape[rank - 1] > 0 else {
            throw TensorError.rankMismatch(op: "argmaxLastAxis", expected: "rank >= 1 with a non-empty last axis", got: shape)
        }
        let k = shape[rank - 1]
        let rows = count / k
        return scalars.withUnsafeBufferPointer { a in
            (0..<rows).map { r in
                var best = 0
                var bestValue = a[r * k]
                for j in 1..<k where a[r * k + j] > bestValue {
                    best = j
                    bestValue = a[r * k + j]
                }
                return best
            }
        }
    }
}
