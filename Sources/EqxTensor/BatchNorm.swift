import Foundation

/// Float32 batch-norm statistics (the default precision).
public typealias BatchNormStatistics = BatchNormStatisticsOf<Float>

/// Running statistics of a batch-norm layer, updated by `batchNorm(..., training: true)`.
public struct BatchNormStatisticsOf<Scalar: TensorScalar>: Equatable {
    public var runningMean: TensorOf<Scalar>
    /// Running unbiased variance.
    public var runningVariance: TensorOf<Scalar>
    /// Weight of the newest batch in the running update (PyTorch default 0.1); nil means a cumulative
    /// equal-weight average over all batches since the last `reset()` (used to re-estimate statistics
    /// after merging).
    public var momentum: Scalar?
    /// Number of training-mode batches seen since the last reset.
    public var batchesTracked: Int

    public init(channels: Int, momentum: Scalar? = 0.1) {
        runningMean = .zeros([channels])
        runningVariance = .filled([channels], with: 1)
        self.momentum = momentum
        batchesTracked = 0
    }

    public var channels: Int { runningMean.count }

    /// Mean 0, variance 1, no batches tracked.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func reset() {
        runningMean = .zeros([channels])
        runningVariance = .filled([channels], with: 1)
        batchesTracked = 0
    }
}

/// Batch normalisation over every axis but 1 of x [N, C] or [N, C, H, W] (any [N, C, ...]).
/// Training mode normalises with the batch statistics (biased variance) and updates `statistics`
/// with the unbiased variance; eval mode normalises with the running statistics. `weight` (γ) and
/// `bias` (β), both [C], are optional (affine = false when nil).
@inlinable
public func batchNorm<Scalar: TensorScalar>(
    _ x: VariableOf<Scalar>, weight: VariableOf<Scalar>? = nil, bias: VariableOf<Scalar>? = nil,
    statistics: inout BatchNormStatisticsOf<Scalar>, training: Bool, epsilon: Scalar = 1e-5
) throws -> VariableOf<Scalar> {
    try batchNorm(x, weight: weight, bias: bias, statistics: &statistics, training: training, epsilon: epsilon, thenReLU: false)
}

/// `relu(batchNorm(...))` as one op: the normalised values are never stored, and the backward pass
/// masks dy inside batch norm's own sums (one pass over memory each way instead of two).
@inlinable
public func batchNormReLU<Scalar: TensorScalar>(
    _ x: VariableOf<Scalar>, weight: VariableOf<Scalar>? = nil, bias: VariableOf<Scalar>? = nil,
    statistics: inout BatchNormStatisticsOf<Scalar>, training: Bool, epsilon: Scalar = 1e-5
) throws -> VariableOf<Scalar> {
    try batchNorm(x, weight: weight, bias: bias, statistics: &statistics, training: training, epsilon: epsilon, thenReLU: true)
}

// The wrappers above inline into their callers, which reach a specialisation of this through its generic entry.
@usableFromInline
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func batchNorm<Scalar: TensorScalar>(
    _ x: VariableOf<Scalar>, weight: VariableOf<Scalar>?, bias: VariableOf<Scalar>?,
    statistics: inout BatchNormStatisticsOf<Scalar>, training: Bool, epsilon: Scalar, thenReLU: Bool
) throws -> VariableOf<Scalar> {
    let op = "batchNorm \(weight?.displayName ?? x.displayName)"
    guard x.shape.count >= 2 else { throw TensorError.rankMismatch(op: op, expected: "input [N, C, ...]", got: x.shape) }
    let n = x.shape[0], c = x.shape[1], s = x.shape.dropFirst(2).reduce(1, *)
    guard statistics.channels == c else {
        throw TensorError.shapeMismatch(op: op + " running statistics", expected: [c], got: statistics.runningMean.shape)
    }
    try checkAffineShapes(weight, bias, channels: c, op: op)
    let m = n * s
    if training && m <= 1 {
        throw TensorError.invalidArgument(op: op, message: "training needs more than one value per channel, got input \(x.shape)")
    }

    var mean = [Scalar](repeating: 0, count: c)
    var invStd = [Scalar](repeating: 0, count: c)
    let xv = x.value
    if training {
        var batchVar = [Double](repeating: 0, count: c)
        var batchMean = [Double](repeating: 0, count: c)
        xv.withUnsafeBufferPointer { xp in
            batchMean.withUnsafeMutableBufferPointer { bm in
                batchVar.withUnsafeMutableBufferPointer { bv in
                    let xb = xp.baseAddress!
                    parallelFor(c, cost: m) { range in
                        for ch in range {
                            // One pass, shifted by a sample of the channel to avoid cancellation.
                            let shift = xb[ch * s]
                            var sum = 0.0, sq = 0.0
                            for i in 0..<n {
                                let (a, b) = blockShiftedMoments(xb + (i * c + ch) * s, s, shift: shift)
                                sum += a
                                sq += b
                            }
                            let meanShift = sum / Double(m)
                            let mu = Double(shift) + meanShift
                            bm[ch] = mu
                            bv[ch] = max(0, sq / Double(m) - meanShift * meanShift)
                        }
                    }
                }
            }
        }
        statistics.batchesTracked += 1
        let factor = statistics.momentum ?? 1 / Scalar(statistics.batchesTracked)
        for ch in 0..<c {
            mean[ch] = Scalar(batchMean[ch])
            invStd[ch] = Scalar(1 / (batchVar[ch] + Double(epsilon)).squareRoot())
            let unbiased = Scalar(batchVar[ch] * Double(m) / Double(m - 1))
            statistics.runningMean[flat: ch] = (1 - factor) * statistics.runningMean[flat: ch] + factor * mean[ch]
            statistics.runningVariance[flat: ch] = (1 - factor) * statistics.runningVariance[flat: ch] + factor * unbiased
        }
    } else {
        (mean, invStd) = runningMoments(statistics, epsilon: epsilon)
    }

    // The fold a conv's epilogue uses too (ChannelEpilogue.batchNorm), so fused and unfused agree bit for bit.
    let (scale, shift) = foldedAffine(mean: mean, invStd: invStd, gamma: weight?.value.scalars, beta: bias?.value.scalars)
    let y = channelAffine(xv, n: n, c: c, s: s, scale: scale, shift: shift, relu: thenReLU)

    let needX = x.requiresGrad
    let inputs = [x] + [weight, bias].compactMap { $0 }
    return VariableOf<Scalar>.make(y, inputs: inputs) { dy in
        let (sumDy, sumDyXhat) = channelGradientSums(x: xv, y: y, dy: dy, n: n, c: c, s: s, masked: thenReLU,
                                                     mean: mean, invStd: invStd)
        var dx: TensorOf<Scalar>? = nil
        if needX {
            dx = rowwiseInputGradient(x: xv, y: y, dy: dy, n: n, c: c, s: s) { _, ch, xr, yr, gr, out in
                let a = scale[ch], mu = mean[ch], inv = invStd[ch]
                let meanDy = training ? Scalar(sumDy[ch] / Double(m)) : 0
                let meanDyXhat = training ? Scalar(sumDyXhat[ch] / Double(m)) : 0
                if thenReLU {
                    maskedBatchNormGradient(dy: gr, y: yr, x: xr, into: out, count: s, training: training, scale: a, mean: mu,
                                            invStd: inv, meanDy: meanDy, meanDyXhat: meanDyXhat)
                } else if training {
                    for k in 0..<s {
                        let xhat = (xr[k] - mu) * inv
                        out[k] = a * (gr[k] - meanDy - xhat * meanDyXhat)
                    }
                } else {
                    for k in 0..<s { out[k] = a * gr[k] }
                }
            }
        }
        return [dx] + affineGradients(weight, bias, sumDy: sumDy, sumDyXhat: sumDyXhat)
    }
}

/// Batch norm's input gradient with dy masked by a fused ReLU (zero where the output y was clamped),
/// as vector selects rather than a data-dependent branch per element. The arithmetic is the unfused
/// formula's, so results match `relu` + `batchNorm` bit for bit.
@inline(__always)
private func maskedBatchNormGradient<Scalar: TensorScalar>(dy: UnsafePointer<Scalar>, y: UnsafePointer<Scalar>, x: UnsafePointer<Scalar>,
                                     into dx: UnsafeMutablePointer<Scalar>, count: Int, training: Bool, scale: Scalar,
                                     mean: Scalar, invStd: Scalar, meanDy: Scalar, meanDyXhat: Scalar) {
    let scale8 = Lanes8(repeating: scale), mean8 = Lanes8(repeating: mean)
    let inv8 = Lanes8(repeating: invStd), meanDy8 = Lanes8(repeating: meanDy), meanDyXhat8 = Lanes8(repeating: meanDyXhat)
    var k = 0
    while k + 8 <= count {
        let g = load8(dy, k).keeping(wherePositive: load8(y, k))
        let value = training ? scale8 * (g - meanDy8 - (load8(x, k) - mean8) * inv8 * meanDyXhat8) : scale8 * g
        value.store(to: dx + k)
        k += 8
    }
    while k < count {
        let g = y[k] > 0 ? dy[k] : 0
        dx[k] = training ? scale * (g - meanDy - (x[k] - mean) * invStd * meanDyXhat) : scale * g
        k += 1
    }
}
