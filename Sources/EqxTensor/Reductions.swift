// Fast, deterministic reductions: 8 independent Float accumulators over blocks of at most 512
// elements, each block flushed into a Double in index order. The result depends only on the data
// (never on threads or timing); Float partial sums of ≤ 64 terms per accumulator keep rounding at the
// Float-epsilon level relative to the block's magnitude. (Plain scalar code: Swift's SIMD16 type is
// lowered element by element without AVX, so the optimiser does better on independent scalars.)

@usableFromInline let reductionBlock = 512

/// Σ f(i) over 0..<count for an inlinable element function, in blocks as described above.
@inline(__always)
func blockReduce(_ count: Int, _ f: (Int) -> Float) -> Double {
    var total = 0.0
    var start = 0
    while start < count {
        let end = min(start + reductionBlock, count)
        var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
        var a4: Float = 0, a5: Float = 0, a6: Float = 0, a7: Float = 0
        var i = start
        while i + 8 <= end {
            a0 += f(i); a1 += f(i + 1); a2 += f(i + 2); a3 += f(i + 3)
            a4 += f(i + 4); a5 += f(i + 5); a6 += f(i + 6); a7 += f(i + 7)
            i += 8
        }
        var s = Double((a0 + a1) + (a2 + a3)) + Double((a4 + a5) + (a6 + a7))
        while i < end { s += Double(f(i)); i += 1 }
        total += s
        start = end
    }
    return total
}

/// Σ x[i].
@inline(__always)
func blockSum(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
    blockReduce(count) { x[$0] }
}

/// Σ (x[i] − shift)², for a variance around a known mean.
@inline(__always)
func blockSumOfSquares(_ x: UnsafePointer<Float>, _ count: Int, shift: Float) -> Double {
    blockReduce(count) { let d = x[$0] - shift; return d * d }
}

/// Σ x[i]·(y[i] − shift).
@inline(__always)
func blockDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int, shift: Float = 0) -> Double {
    blockReduce(count) { x[$0] * (y[$0] - shift) }
}

/// (Σ (x[i] − shift), Σ (x[i] − shift)²) in one pass; with `shift` near the mean (e.g. one sample of
/// the data) the variance E[d²] − E[d]² does not suffer cancellation.
@inline(__always)
func blockShiftedMoments(_ x: UnsafePointer<Float>, _ count: Int, shift: Float) -> (Double, Double) {
    var total = 0.0, totalSquares = 0.0
    var start = 0
    while start < count {
        let end = min(start + reductionBlock, count)
        var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
        var q0: Float = 0, q1: Float = 0, q2: Float = 0, q3: Float = 0
        var i = start
        while i + 4 <= end {
            let d0 = x[i] - shift, d1 = x[i + 1] - shift, d2 = x[i + 2] - shift, d3 = x[i + 3] - shift
            a0 += d0; a1 += d1; a2 += d2; a3 += d3
            q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3
            i += 4
        }
        var s = Double((a0 + a1) + (a2 + a3)), q = Double((q0 + q1) + (q2 + q3))
        while i < end { let d = Double(x[i] - shift); s += d; q += d * d; i += 1 }
        total += s
        totalSquares += q
        start = end
    }
    return (total, totalSquares)
}
