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
    elementwise(x, forward: { max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
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
