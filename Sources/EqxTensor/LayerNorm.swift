/// Layer normalisation over the trailing `normalizedShape.count` axes of x, whose trailing extents must
/// equal `normalizedShape`. `weight`/`bias` (shape `normalizedShape`) are optional.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func layerNorm<Scalar: TensorScalar>(
    _ x: VariableOf<Scalar>, normalizedShape: [Int], weight: VariableOf<Scalar>? = nil, bias: VariableOf<Scalar>? = nil, epsilon: Scalar = 1e-5
) throws -> VariableOf<Scalar> {
    let op = "layerNorm \(weight?.displayName ?? x.displayName)"
    let k = normalizedShape.count
    guard k >= 1, x.shape.count >= k, Array(x.shape.suffix(k)) == normalizedShape else {
        throw TensorError.shapeMismatch(op: op, expected: [-1] + normalizedShape, got: x.shape)
    }
    for p in [weight, bias].compactMap({ $0 }) where p.shape != normalizedShape {
        throw TensorError.shapeMismatch(op: op + " affine parameter \(p.displayName)", expected: normalizedShape, got: p.shape)
    }
    let d = normalizedShape.reduce(1, *)
    guard d > 0 else { throw TensorError.invalidArgument(op: op, message: "empty normalized shape \(normalizedShape)") }
    let rows = x.value.count / d
    let xv = x.value
    // Per-row statistics, each row written by one thread; rows are independent, so the results do not
    // depend on the thread count.
    var mean = [Scalar](repeating: 0, count: rows), invStd = [Scalar](repeating: 0, count: rows)
    let gamma = weight?.value, beta = bias?.value
    let y = TensorOf<Scalar>(shape: x.shape) { out in
        xv.withUnsafeBufferPointer { xp in
            mean.withUnsafeMutableBufferPointer { mp in
                invStd.withUnsafeMutableBufferPointer { ip in
                    withOptionalPointer(gamma) { gp in
                        withOptionalPointer(beta) { bp in
                            let xb = xp.baseAddress!, ob = out.baseAddress!, mb = mp.baseAddress!, ib = ip.baseAddress!
                            parallelFor(rows, cost: 4 * d) { range in
                                for r in range {
                                    let row = xb + r * d, dst = ob + r * d
                                    var sum = 0.0
                                    for i in 0..<d { sum += Double(row[i]) }
                                    let mu = sum / Double(d)
                                    var sq = 0.0
                                    for i in 0..<d { let t = Double(row[i]) - mu; sq += t * t }
                                    let inv = Scalar(1 / (sq / Double(d) + Double(epsilon)).squareRoot())
                                    let m = Scalar(mu)
                                    mb[r] = m
                                    ib[r] = inv
                                    switch (gp, bp) {
                                    case let (g?, b?): for i in 0..<d { dst[i] = (row[i] - m) * inv * g[i] + b[i] }
                                    case let (g?, nil): for i in 0..<d { dst[i] = (row[i] - m) * inv * g[i] + 0 }
                                    case let (nil, b?): for i in 0..<d { dst[i] = (row[i] - m) * inv * 1 + b[i] }
                                    case (nil, nil): for i in 0..<d { dst[i] = (row[i] - m) * inv + 0 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    let inputs = [x] + [weight, bias].compactMap { $0 }
    return VariableOf<Scalar>.make(y, inputs: inputs) { dy in
        var dgamma = [Double](repeating: 0, count: d), dbeta = [Double](repeating: 0, count: d)
        var dx: TensorOf<Scalar>? = needX ? TensorOf<Scalar>(shape: xv.shape) { _ in } : nil  // every row is written
        xv.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { gp in
                withOptionalPointer(gamma) { wp in
                    let xb = xp.baseAddress!, gb = gp.baseAddress!
                    if needW || needB {
                        // Summed over rows in row order (one thread): the affine gradients are exact sums.
                        for r in 0..<rows {
                            let mu = mean[r], inv = invStd[r]
                            for i in 0..<d {
                                let xhat = (xb[r * d + i] - mu) * inv
                                dgamma[i] += Double(gb[r * d + i] * xhat)
                                dbeta[i] += Double(gb[r * d + i])
                            }
                        }
                    }
                    guard needX else { return }
                    withOptionalMutablePointer(&dx) { dxp in
                        let db = dxp!
                        mean.withUnsafeBufferPointer { mp in
                            invStd.withUnsafeBufferPointer { ip in
                                let mb = mp.baseAddress!, ib = ip.baseAddress!
                                parallelFor(rows, cost: 4 * d) { range in
                                    for r in range {
                                        let mu = mb[r], inv = ib[r], row = xb + r * d, g = gb + r * d, out = db + r * d
                                        var sumG = 0.0, sumGX = 0.0
                                        for i in 0..<d {
                                            let xhat = (row[i] - mu) * inv
                                            let gi = g[i] * (wp?[i] ?? 1)
                                            sumG += Double(gi)
                                            sumGX += Double(gi * xhat)
                                        }
                                        let mg = Scalar(sumG / Double(d)), mgx = Scalar(sumGX / Double(d))
                                        if let wp {
                                            for i in 0..<d { out[i] = inv * (g[i] * wp[i] - mg - (row[i] - mu) * inv * mgx) }
                                        } else {
                                            for i in 0..<d { out[i] = inv * (g[i] - mg - (row[i] - mu) * inv * mgx) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var grads: [TensorOf<Scalar>?] = [dx]
        if weight != nil { grads.append(needW ? try TensorOf<Scalar>(shape: normalizedShape, scalars: dgamma.map { Scalar($0) }) : nil) }
        if bias != nil { grads.append(needB ? try TensorOf<Scalar>(shape: normalizedShape, scalars: dbeta.map { Scalar($0) }) : nil) }
        return grads
    }
}
