/// The parts batch norm (`batchNorm`) and batch norm with shared statistics (`orbitBatchNorm`) have in common:
/// the affine parameters' shapes, and the per-channel sums of the backward pass.

/// γ and β, when given, have one entry per channel.
func checkAffineShapes<Scalar: TensorScalar>(_ weight: VariableOf<Scalar>?, _ bias: VariableOf<Scalar>?, channels c: Int,
                                            op: String) throws {
    for p in [weight, bias].compactMap({ $0 }) where p.shape != [c] {
        throw TensorError.shapeMismatch(op: op + " affine parameter \(p.displayName)", expected: [c], got: p.shape)
    }
}

/// Per channel of x [N, C, S], Σdy and Σdy·x̂ in Double, with x̂ = (x − mean[c])·invStd[c] and dy masked where a
/// fused ReLU clamped the output y (`masked`). Σdy·x̂ is γ's gradient, Σdy β's.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func channelGradientSums<Scalar: TensorScalar>(x: TensorOf<Scalar>, y: TensorOf<Scalar>, dy: TensorOf<Scalar>, n: Int, c: Int, s: Int,
                                               masked: Bool, mean: [Scalar], invStd: [Scalar]) -> (sumDy: [Double], sumDyXhat: [Double]) {
    var sumDy = [Double](repeating: 0, count: c)
    var sumDyXhat = [Double](repeating: 0, count: c)
    x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
            dy.withUnsafeBufferPointer { gp in
                sumDy.withUnsafeMutableBufferPointer { sd in
                    sumDyXhat.withUnsafeMutableBufferPointer { sx in
                        let xb = xp.baseAddress!, gb = gp.baseAddress!, yb = yp.baseAddress!
                        parallelFor(c, cost: n * s) { range in
                            for ch in range {
                                var a = 0.0, b = 0.0
                                for i in 0..<n {
                                    let off = (i * c + ch) * s
                                    let (sum, dot) = masked
                                        ? blockMaskedSumAndDot(gb + off, mask: yb + off, xb + off, s, shift: mean[ch])
                                        : blockSumAndDot(gb + off, xb + off, s, shift: mean[ch])
                                    a += sum
                                    b += dot
                                }
                                sd[ch] = a
                                sx[ch] = b * Double(invStd[ch])
                            }
                        }
                    }
                }
            }
        }
    }
    return (sumDy, sumDyXhat)
}

/// γ's and β's gradients, for those that are given (nil where one needs none).
func affineGradients<Scalar: TensorScalar>(_ weight: VariableOf<Scalar>?, _ bias: VariableOf<Scalar>?,
                                          sumDy: [Double], sumDyXhat: [Double]) -> [TensorOf<Scalar>?] {
    var grads: [TensorOf<Scalar>?] = []
    if let w = weight { grads.append(w.requiresGrad ? TensorOf<Scalar>(sumDyXhat.map { Scalar($0) }) : nil) }
    if let b = bias { grads.append(b.requiresGrad ? TensorOf<Scalar>(sumDy.map { Scalar($0) }) : nil) }
    return grads
}
