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
    var mean = [Scalar](repeating: 0, count: rows), invStd = [Scalar](repeating: 0, count: rows)
    let gamma = weight?.value.scalars, beta = bias?.value.scalars
    let y = TensorOf<Scalar>(shape: x.shape) { out in
        xv.withUnsafeBufferPointer { xp in
            for r in 0..<rows {
                var sum = 0.0
                for i in 0..<d { sum += Double(xp[r * d + i]) }
                let mu = sum / Double(d)
                var sq = 0.0
                for i in 0..<d { let t = Double(xp[r * d + i]) - mu; sq += t * t }
                let inv = Scalar(1 / (sq / Double(d) + Double(epsilon)).squareRoot())
                mean[r] = Scalar(mu)
                invStd[r] = inv
                for i in 0..<d {
                    let xhat = (xp[r * d + i] - Scalar(mu)) * inv
                    out[r * d + i] = xhat * (gamma?[i] ?? 1) + (beta?[i] ?? 0)
                }
            }
        }
    }
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    let inputs = [x] + [weight, bias].compactMap { $0 }
    return VariableOf<Scalar>.make(y, inputs: inputs) { dy in
        var dgamma = [Double](repeating: 0, count: d), dbeta = [Double](repeating: 0, count: d)
        var dx = needX ? TensorOf<Scalar>.zeros(xv.shape) : nil
        xv.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { gp in
                for r in 0..<rows {
                    let mu = mean[r], inv = invStd[r]
                    var sumG = 0.0, sumGX = 0.0
                    for i in 0..<d {
                        let xhat = (xp[r * d + i] - mu) * inv
                        let g = gp[r * d + i] * (gamma?[i] ?? 1)
                        sumG += Double(g)
                        sumGX += Double(g * xhat)
                        dgamma[i] += Double(gp[r * d + i] * xhat)
                        dbeta[i] += Double(gp[r * d + i])
                    }
                    if needX {
                        let mg = Scalar(sumG / Double(d)), mgx = Scalar(sumGX / Double(d))
                        for i in 0..<d {
                            let xhat = (xp[r * d + i] - mu) * inv
                            dx![flat: r * d + i] = inv * (gp[r * d + i] * (gamma?[i] ?? 1) - mg - xhat * mgx)
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
