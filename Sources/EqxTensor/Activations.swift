import Foundation

/// An element-wise op: `forward` maps each scalar, `derivative(x, y)` gives dy/dx from input and output.
func elementwise(_ x: Variable, forward: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Variable {
    let y = x.value.map(forward)
    let xv = x.value
    return Variable.make(y, inputs: [x]) { dy in
        [Tensor(shape: dy.shape) { out in
            xv.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    dy.withUnsafeBufferPointer { gp in
                        for i in 0..<out.count { out[i] = gp[i] * derivative(xp[i], yp[i]) }
                    }
                }
            }
        }]
    }
}

/// max(x, 0); the derivative at 0 is taken as 0 (as PyTorch).
public func relu(_ x: Variable) -> Variable {
    let y = Tensor(shape: x.shape) { out in
        x.value.withUnsafeBufferPointer { xp in
            let ob = out.baseAddress!, xb = xp.baseAddress!
            parallelFor(out.count, cost: 1) { r in reluForward(xb, ob, r) }
        }
    }
    return Variable.make(y, inputs: [x]) { dy in
        [Tensor(shape: dy.shape) { out in
            y.withUnsafeBufferPointer { yp in
                dy.withUnsafeBufferPointer { gp in
                    let ob = out.baseAddress!, yb = yp.baseAddress!, gb = gp.baseAddress!
                    parallelFor(out.count, cost: 1) { r in reluBackward(yb, gb, ob, r) }
                }
            }
        }]
    }
}

/// x for x > 0, slope·x otherwise.
public func leakyRelu(_ x: Variable, slope: Float = 0.01) -> Variable {
    elementwise(x, forward: { $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
}

public func tanh(_ x: Variable) -> Variable {
    elementwise(x, forward: { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y })
}

/// 1 / (1 + e^{−x}), computed without overflow for large |x|.
public func sigmoid(_ x: Variable) -> Variable {
    elementwise(x, forward: stableSigmoid, derivative: { _, y in y * (1 - y) })
}

@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

/// x²  element-wise.
public func square(_ x: Variable) -> Variable {
    elementwise(x, forward: { $0 * $0 }, derivative: { x, _ in 2 * x })
}

// Branch-free kernels (selects, not branches): activation signs are unpredictable, so a branch
// mispredicts; written as plain loops the optimiser vectorises.
@inline(__always)
func reluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ r: Range<Int>) {
    for i in r {
        let v = x[i]
        y[i] = v > 0 ? v : 0
    }
}

/// dx = dy where y > 0, else 0.
@inline(__always)
func reluBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ r: Range<Int>) {
    for i in r {
        let v = y[i], g = dy[i]
        dx[i] = v > 0 ? g : 0
    }
}
