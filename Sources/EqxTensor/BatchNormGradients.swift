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

/// y = x·a[c] + b[c] over x [N, C, S] (clamped at 0 when `relu`): the normalisation, once each op has folded
/// its statistics and γ, β into one scale and shift per channel.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func channelAffine<Scalar: TensorScalar>(_ x: TensorOf<Scalar>, n: Int, c: Int, s: Int, scale a: [Scalar], shift b: [Scalar],
                                         relu: Bool) -> TensorOf<Scalar> {
    TensorOf<Scalar>(shape: x.shape) { out in
        x.withUnsafeBufferPointer { xp in
            let ob = out.baseAddress!
            parallelFor(n * c, cost: s) { range in
                for r in range {
                    let ch = r % c
                    // The branch outside the loops, so each loop vectorises.
                    if relu {
                        for k in 0..<s { let v = xp[r * s + k] * a[ch] + b[ch]; ob[r * s + k] = v > 0 ? v : 0 }
                    } else {
                        for k in 0..<s { ob[r * s + k] = xp[r * s + k] * a[ch] + b[ch] }
                    }
                }
            }
        }
    }
}

/// dL/dx row by row: `row(r, ch, x, y, dy, dx)` fills the S values of row r = (sample, channel ch), in parallel.
@inline(__always)
func rowwiseInputGradient<Scalar: TensorScalar>(
    x: TensorOf<Scalar>, y: TensorOf<Scalar>, dy: TensorOf<Scalar>, n: Int, c: Int, s: Int,
    row: (_ r: Int, _ ch: Int, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
          _ dx: UnsafeMutablePointer<Scalar>) -> Void
) -> TensorOf<Scalar> {
    TensorOf<Scalar>(shape: x.shape) { out in
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                dy.withUnsafeBufferPointer { gp in
                    let ob = out.baseAddress!, xb = xp.baseAddress!, yb = yp.baseAddress!, gb = gp.baseAddress!
                    parallelFor(n * c, cost: s) { range in
                        for r in range { row(r, r % c, xb + r * s, yb + r * s, gb + r * s, ob + r * s) }
                    }
                }
            }
        }
    }
}
