// Fast, deterministic reductions: two pairs of eight-lane accumulators over blocks of at most 512
// elements, each block's partial sums flushed into a Double in a fixed order. The result depends only
// on the data (never on threads or timing); Float partial sums of ≤ 32 terms per lane keep rounding at
// the Float-epsilon level relative to the block's magnitude.

@usableFromInline let reductionBlock = 512

/// Σ over 0..<count of up to two quantities: `vector(i)` gives lanes i..<i+8 of each, `scalar(i)`
/// one element (for the tail). Blocks as described above.
@inline(__always)
func blockReduce2<Scalar: TensorScalar>(_ count: Int, _ vector: (Int) -> (Lanes8<Scalar>, Lanes8<Scalar>), _ scalar: (Int) -> (Scalar, Scalar)) -> (Double, Double) {
    var total = (0.0, 0.0)
    var start = 0
    while start < count {
        let end = min(start + reductionBlock, count)
        var a0 = Lanes8<Scalar>(), a1 = Lanes8<Scalar>(), b0 = Lanes8<Scalar>(), b1 = Lanes8<Scalar>()
        var i = start
        while i + 16 <= end {
            let (u0, v0) = vector(i), (u1, v1) = vector(i + 8)
            a0 += u0; b0 += v0; a1 += u1; b1 += v1
            i += 16
        }
        if i + 8 <= end {
            let (u0, v0) = vector(i)
            a0 += u0; b0 += v0
            i += 8
        }
        var a = Double((a0 + a1).sum()), b = Double((b0 + b1).sum())
        while i < end { let (u, v) = scalar(i); a += Double(u); b += Double(v); i += 1 }
        total.0 += a
        total.1 += b
        start = end
    }
    return total
}

@inline(__always)
func load8<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ i: Int) -> Lanes8<Scalar> {
    Lanes8(x, i)
}

/// Σ x[i].
@inline(__always)
func blockSum<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ count: Int) -> Double {
    blockReduce2(count, { (load8(x, $0), Lanes8()) }, { (x[$0], 0) }).0
}

/// Σ (x[i] − shift)², for a variance around a known mean.
@inline(__always)
func blockSumOfSquares<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ count: Int, shift: Scalar) -> Double {
    blockShiftedMoments(x, count, shift: shift).1
}

/// Σ x[i]·(y[i] − shift).
@inline(__always)
func blockDot<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ count: Int, shift: Scalar = 0) -> Double {
    blockSumAndDot(x, y, count, shift: shift).1
}

/// (Σ x[i], Σ x[i]·(y[i] − shift)) in one pass: batch norm's backward sums over dy.
@inline(__always)
func blockSumAndDot<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ count: Int, shift: Scalar) -> (Double, Double) {
    let shift8 = Lanes8<Scalar>(repeating: shift)
    return blockReduce2(count, { i in
        let u = load8(x, i)
        return (u, u * (load8(y, i) - shift8))
    }, { i in (x[i], x[i] * (y[i] - shift)) })
}

/// `blockSumAndDot` of x masked to where `mask` > 0 (dy through a ReLU whose output is `mask`).
@inline(__always)
func blockMaskedSumAndDot<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, mask: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ count: Int,
                          shift: Scalar) -> (Double, Double) {
    let shift8 = Lanes8<Scalar>(repeating: shift)
    return blockReduce2(count, { i in
        let u = load8(x, i).keeping(wherePositive: load8(mask, i))
        return (u, u * (load8(y, i) - shift8))
    }, { i in
        let u = mask[i] > 0 ? x[i] : 0
        return (u, u * (y[i] - shift))
    })
}

/// (Σ (x[i] − shift), Σ (x[i] − shift)²) in one pass; with `shift` near the mean (e.g. one sample of
/// the data) the variance E[d²] − E[d]² does not suffer cancellation.
@inline(__always)
func blockShiftedMoments<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ count: Int, shift: Scalar) -> (Double, Double) {
    let shift8 = Lanes8<Scalar>(repeating: shift)
    return blockReduce2(count, { i in
        let d = load8(x, i) - shift8
        return (d, d * d)
    }, { i in
        let d = x[i] - shift
        return (d, d * d)
    })
}
