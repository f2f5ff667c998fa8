/// Channels whose batch-norm statistics are shared: channel c uses the statistics of every value of the
/// channels in its orbit (escnn's InnerBatchNorm for regular fields). Under a group that permutes
/// channels, per-channel running statistics drift apart within an orbit and leave E; shared ones stay in
/// E, so eval-mode batch norm is equivariant at every step of training, not only after a final projection.
public struct ChannelOrbits: Hashable, Sendable {
    /// Orbit number of each channel, 0..<count.
    public let orbitOfChannel: [Int]
    public let count: Int
    public let sizes: [Int]

    public init(orbitOfChannel: [Int]) throws {
        let count = (orbitOfChannel.max() ?? -1) + 1
        var sizes = [Int](repeating: 0, count: count)
        for o in orbitOfChannel {
            guard o >= 0 else { throw TensorError.invalidArgument(op: "ChannelOrbits", message: "orbit number \(o) < 0") }
            sizes[o] += 1
        }
        guard !sizes.contains(0) else {
            throw TensorError.invalidArgument(op: "ChannelOrbits", message: "orbit numbers must be 0..<\(count) without gaps")
        }
        self.orbitOfChannel = orbitOfChannel; self.count = count; self.sizes = sizes
    }
}

/// Batch norm of x [N, C, ...] whose statistics are shared over each orbit of channels (see
/// `ChannelOrbits`): in training the mean and biased variance of orbit o are taken over the N·S·|o|
/// values of its channels, and every channel of o gets them (running statistics updated with the
/// unbiased variance, so they are equal within an orbit whenever they start so); γ and β stay per
/// channel. With every orbit a single channel this is `batchNorm`, in other arithmetic. `thenReLU`
/// clamps the output and masks the gradient.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func orbitBatchNorm<Scalar: TensorScalar>(
    _ x: VariableOf<Scalar>, orbits: ChannelOrbits, weight: VariableOf<Scalar>? = nil, bias: VariableOf<Scalar>? = nil,
    statistics: inout BatchNormStatisticsOf<Scalar>, training: Bool, epsilon: Scalar = 1e-5, thenReLU: Bool = false
) throws -> VariableOf<Scalar> {
    let op = "batchNorm (shared statistics) \(weight?.displayName ?? x.displayName)"
    guard x.shape.count >= 2 else { throw TensorError.rankMismatch(op: op, expected: "input [N, C, ...]", got: x.shape) }
    let n = x.shape[0], c = x.shape[1], s = x.shape.dropFirst(2).reduce(1, *)
    guard statistics.channels == c, orbits.orbitOfChannel.count == c else {
        throw TensorError.shapeMismatch(op: op + " running statistics and orbits", expected: [c],
                                        got: [statistics.channels, orbits.orbitOfChannel.count])
    }
    try checkAffineShapes(weight, bias, channels: c, op: op)
    let k = orbits.count, orbitOf = orbits.orbitOfChannel
    let count = orbits.sizes.map { Double(n * s * $0) }   // values per orbit
    if training, let smallest = count.min(), smallest <= 1 {
        throw TensorError.invalidArgument(op: op, message: "training needs more than one value per orbit, got input \(x.shape)")
    }
    let xv = x.value
    var mean = [Scalar](repeating: 0, count: k), invStd = [Scalar](repeating: 0, count: k)
    if training {
        // Per channel: the mean and the sum of squared deviations from it (shifted by a sample of the
        // channel against cancellation), then pooled per orbit with the between-channel term.
        var channelMean = [Double](repeating: 0, count: c), channelSquares = [Double](repeating: 0, count: c)
        xv.withUnsafeBufferPointer { xp in
            channelMean.withUnsafeMutableBufferPointer { cm in
                channelSquares.withUnsafeMutableBufferPointer { cq in
                    let xb = xp.baseAddress!
                    parallelFor(c, cost: n * s) { range in
                        for ch in range {
                            let shift = xb[ch * s]
                            var sum = 0.0, sq = 0.0
                            for i in 0..<n {
                                let (a, b) = blockShiftedMoments(xb + (i * c + ch) * s, s, shift: shift)
                                sum += a; sq += b
                            }
                            let m = Double(n * s)
                            cm[ch] = Double(shift) + sum / m
                            cq[ch] = max(0, sq - sum * sum / m)
                        }
                    }
                }
            }
        }
        var orbitMean = [Double](repeating: 0, count: k), orbitVariance = [Double](repeating: 0, count: k)
        let perChannel = Double(n * s)
        for ch in 0..<c { orbitMean[orbitOf[ch]] += channelMean[ch] * perChannel }
        for o in 0..<k { orbitMean[o] /= count[o] }
        for ch in 0..<c {
            let d = channelMean[ch] - orbitMean[orbitOf[ch]]
            orbitVariance[orbitOf[ch]] += channelSquares[ch] + perChannel * d * d
        }
        statistics.batchesTracked += 1
        let factor = statistics.momentum ?? 1 / Scalar(statistics.batchesTracked)
        for o in 0..<k {
            let biased = orbitVariance[o] / count[o]
            mean[o] = Scalar(orbitMean[o])
            invStd[o] = Scalar(1 / (biased + Double(epsilon)).squareRoot())
            orbitVariance[o] = orbitVariance[o] / (count[o] - 1)
        }
        for ch in 0..<c {
            let o = orbitOf[ch]
            statistics.runningMean[flat: ch] = (1 - factor) * statistics.runningMean[flat: ch] + factor * mean[o]
            statistics.runningVariance[flat: ch] = (1 - factor) * statistics.runningVariance[flat: ch] + factor * Scalar(orbitVariance[o])
        }
    } else {
        // Running statistics are per channel (PyTorch's keys); averaged over the orbit they are the
        // shared ones (equal already when every update was shared).
        var m = [Double](repeating: 0, count: k), v = [Double](repeating: 0, count: k)
        for ch in 0..<c {
            m[orbitOf[ch]] += Double(statistics.runningMean[flat: ch])
            v[orbitOf[ch]] += Double(statistics.runningVariance[flat: ch])
        }
        for o in 0..<k {
            let size = Double(orbits.sizes[o])
            mean[o] = Scalar(m[o] / size)
            invStd[o] = 1 / (Scalar(v[o] / size) + epsilon).squareRoot()
        }
    }

    let gamma = weight?.value.scalars ?? [Scalar](repeating: 1, count: c)
    let beta = bias?.value.scalars ?? [Scalar](repeating: 0, count: c)
    let scale = (0..<c).map { gamma[$0] * invStd[orbitOf[$0]] }
    let y = channelAffine(xv, n: n, c: c, s: s, scale: scale, shift: (0..<c).map { beta[$0] - mean[orbitOf[$0]] * scale[$0] },
                          relu: thenReLU)

    let inputs = [x] + [weight, bias].compactMap { $0 }
    return VariableOf<Scalar>.make(y, inputs: inputs) { dy in
        // Per channel Σdy and Σdy·x̂ with x̂ from the orbit's statistics (dy masked where a fused ReLU clamped).
        let (sumDy, sumDyXhat) = channelGradientSums(x: xv, y: y, dy: dy, n: n, c: c, s: s, masked: thenReLU,
                                                     mean: orbitOf.map { mean[$0] }, invStd: orbitOf.map { invStd[$0] })
        // dL/dx = invStd_o (γ_c dy − mean_o(γ dy) − x̂ mean_o(γ dy x̂)) in training; γ_c invStd_o dy in evaluation.
        var orbitDy = [Double](repeating: 0, count: k), orbitDyXhat = [Double](repeating: 0, count: k)
        for ch in 0..<c {
            orbitDy[orbitOf[ch]] += Double(gamma[ch]) * sumDy[ch]
            orbitDyXhat[orbitOf[ch]] += Double(gamma[ch]) * sumDyXhat[ch]
        }
        let meanDy = (0..<k).map { Scalar(orbitDy[$0] / count[$0]) }, meanDyXhat = (0..<k).map { Scalar(orbitDyXhat[$0] / count[$0]) }
        var dx: TensorOf<Scalar>? = nil
        if x.requiresGrad {
            dx = rowwiseInputGradient(x: xv, y: y, dy: dy, n: n, c: c, s: s) { _, ch, xr, yr, gr, out in
                let o = orbitOf[ch], inv = invStd[o], gc = gamma[ch]
                if training {
                    orbitNormGradient(dy: gr, y: yr, x: xr, into: out, count: s, masked: thenReLU, gamma: gc, mean: mean[o],
                                      invStd: inv, meanDy: meanDy[o], meanDyXhat: meanDyXhat[o])
                } else if thenReLU {
                    for j in 0..<s { out[j] = yr[j] > 0 ? gc * inv * gr[j] : 0 }
                } else {
                    for j in 0..<s { out[j] = gc * inv * gr[j] }
                }
            }
        }
        return [dx] + affineGradients(weight, bias, sumDy: sumDy, sumDyXhat: sumDyXhat)
    }
}

/// inv·(γ·dy − mean(γ dy) − x̂·mean(γ dy x̂)) for one row, dy masked where a fused ReLU clamped (y ≤ 0), as
/// vector selects.
@inline(__always)
private func orbitNormGradient<Scalar: TensorScalar>(dy: UnsafePointer<Scalar>, y: UnsafePointer<Scalar>, x: UnsafePointer<Scalar>,
                                                     into dx: UnsafeMutablePointer<Scalar>, count: Int, masked: Bool, gamma: Scalar,
                                                     mean: Scalar, invStd: Scalar, meanDy: Scalar, meanDyXhat: Scalar) {
    let gamma8 = Lanes8(repeating: gamma), mean8 = Lanes8(repeating: mean)
    let inv8 = Lanes8(repeating: invStd), meanDy8 = Lanes8(repeating: meanDy), meanDyXhat8 = Lanes8(repeating: meanDyXhat)
    var k = 0
    while k + 8 <= count {
        var g = load8(dy, k)
        if masked { g = g.keeping(wherePositive: load8(y, k)) }
        let value = inv8 * (gamma8 * g - meanDy8 - (load8(x, k) - mean8) * inv8 * meanDyXhat8)
        value.store(to: dx + k)
        k += 8
    }
    while k < count {
        let g = masked && !(y[k] > 0) ? 0 : dy[k]
        dx[k] = invStd * (gamma * g - meanDy - (x[k] - mean) * invStd * meanDyXhat)
        k += 1
    }
}
