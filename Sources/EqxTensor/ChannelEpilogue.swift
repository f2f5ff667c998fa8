/// A per-channel affine map y ↦ y·scale[c] + shift[c], optionally clamped at 0, applied to a conv's output
/// while each chunk of it is still in cache: an eval-mode batch norm (and ReLU) after a conv without another
/// pass over the activations. Same operations in the same order as `batchNorm(…, training: false)` (and
/// `relu`) on the conv's output, so the results are bit-identical to the unfused layers.
public struct ChannelEpilogue<Scalar: TensorScalar> {
    public let scale: [Scalar]
    public let shift: [Scalar]
    public let relu: Bool

    public init(scale: [Scalar], shift: [Scalar], relu: Bool) throws {
        guard scale.count == shift.count else {
            throw TensorError.shapeMismatch(op: "channel epilogue", expected: [scale.count], got: [shift.count])
        }
        self.scale = scale; self.shift = shift; self.relu = relu
    }

    /// Eval-mode batch norm's scale γ/√(var + ε) and shift β − mean·scale from running statistics.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func batchNorm(statistics: BatchNormStatisticsOf<Scalar>, weight: TensorOf<Scalar>?, bias: TensorOf<Scalar>?,
                                 epsilon: Scalar = 1e-5, relu: Bool) throws -> ChannelEpilogue {
        let c = statistics.channels
        for p in [weight, bias].compactMap({ $0 }) where p.shape != [c] {
            throw TensorError.shapeMismatch(op: "batchNorm affine parameter", expected: [c], got: p.shape)
        }
        let (mean, invStd) = runningMoments(statistics, epsilon: epsilon)
        let (scale, shift) = foldedAffine(mean: mean, invStd: invStd, gamma: weight?.scalars, beta: bias?.scalars)
        return try ChannelEpilogue(scale: scale, shift: shift, relu: relu)
    }

    var channels: Int { scale.count }

    /// Applies the map to `images` consecutive [channels, plane] blocks at y.
    func apply(_ y: UnsafeMutablePointer<Scalar>, images: Int, plane p: Int) {
        let c = channels
        for r in 0..<(images * c) {
            let row = y + r * p, a = scale[r % c], b = shift[r % c]
            // Explicit lanes: in place, the compiler keeps the scalar loop (and branches on the ReLU).
            let a8 = Lanes8(repeating: a), b8 = Lanes8(repeating: b)
            var k = 0
            while k + 8 <= p {
                let v = Lanes8(row, k) * a8 + b8
                (relu ? v.keeping(wherePositive: v) : v).store(to: row + k)
                k += 8
            }
            while k < p {
                let v = row[k] * a + b
                row[k] = relu ? (v > 0 ? v : 0) : v
                k += 1
            }
        }
    }
}

/// Eval-mode batch norm's mean and 1/√(var + ε) per channel, from the running statistics.
func runningMoments<Scalar: TensorScalar>(_ statistics: BatchNormStatisticsOf<Scalar>, epsilon: Scalar) -> (mean: [Scalar], invStd: [Scalar]) {
    let c = statistics.channels
    return ((0..<c).map { statistics.runningMean[flat: $0] },
            (0..<c).map { 1 / (statistics.runningVariance[flat: $0] + epsilon).squareRoot() })
}

/// Batch norm folded into one scale γ·invStd and shift β − mean·scale per channel (γ = 1 and β = 0 when absent).
func foldedAffine<Scalar: TensorScalar>(mean: [Scalar], invStd: [Scalar], gamma: [Scalar]?, beta: [Scalar]?) -> (scale: [Scalar], shift: [Scalar]) {
    let scale = invStd.indices.map { (gamma?[$0] ?? 1) * invStd[$0] }
    return (scale, scale.indices.map { (beta?[$0] ?? 0) - mean[$0] * scale[$0] })
}
