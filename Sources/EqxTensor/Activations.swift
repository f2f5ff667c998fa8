import CEqxKernels
import Foundation

/// An element-wise op: `forward` maps each scalar, `derivative(x, y)` gives dy/dx from input and output.
func elementwise<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, forward: (Scalar) -> Scalar, derivative: @escaping (Scalar, Scalar) -> Scalar) -> VariableOf<Scalar> {
    let y = x.value.map(forward)
    let xv = x.value
    return VariableOf<Scalar>.make(y, inputs: [x]) { dy in
        [TensorOf<Scalar>(shape: dy.shape) { out in
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
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func relu<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) -> VariableOf<Scalar> {
    pointwise(x, cost: 1, forward: reluForward, backward: reluBackward)
}

/// A pointwise op whose derivative is a function of its output: `forward(x, y, range)` fills y,
/// `backward(y, dy, dx, range)` fills dx; both split over the compute threads.
@inline(__always)
func pointwise<Scalar: TensorScalar>(
    _ x: VariableOf<Scalar>, cost: Int,
    forward: (UnsafePointer<Scalar>, UnsafeMutablePointer<Scalar>, Range<Int>) -> Void,
    backward: @escaping (UnsafePointer<Scalar>, UnsafePointer<Scalar>, UnsafeMutablePointer<Scalar>, Range<Int>) -> Void
) -> VariableOf<Scalar> {
    let y = TensorOf<Scalar>(shape: x.shape) { out in
        x.value.withUnsafeBufferPointer { xp in
            let ob = out.baseAddress!, xb = xp.baseAddress!
            parallelFor(out.count, cost: cost) { r in forward(xb, ob, r) }
        }
    }
    return VariableOf<Scalar>.make(y, inputs: [x]) { dy in
        [TensorOf<Scalar>(shape: dy.shape) { out in
            y.withUnsafeBufferPointer { yp in
                dy.withUnsafeBufferPointer { gp in
                    let ob = out.baseAddress!, yb = yp.baseAddress!, gb = gp.baseAddress!
                    parallelFor(out.count, cost: 1) { r in backward(yb, gb, ob, r) }
                }
            }
        }]
    }
}

/// x for x > 0, slope·x otherwise.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func leakyRelu<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, slope: Scalar = 0.01) -> VariableOf<Scalar> {
    elementwise(x, forward: { $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
}

/// tanh element-wise: float32 through the vectorised kernel (CEqxKernels/Tanh.c, within 1 ulp), float64
/// through libm; the backward pass is dy·(1 − y²). Both passes split over the compute threads.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func tanh<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) -> VariableOf<Scalar> {
    pointwise(x, cost: 8, forward: tanhForward) { y, dy, dx, r in
        for i in r { let v = y[i]; dx[i] = dy[i] * (1 - v * v) }
    }
}

/// y = tanh(x) over `r`.
@inline(__always)
func tanhForward<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, _ r: Range<Int>) {
    guard !r.isEmpty else { return }
    if Scalar.self == Float.self {
        let xf = UnsafeRawPointer(x + r.lowerBound).assumingMemoryBound(to: Float.self)
        let yf = UnsafeMutableRawPointer(y + r.lowerBound).assumingMemoryBound(to: Float.self)
        eqx_tanh_f32(xf, yf, r.count)
    } else {
        for i in r { y[i] = Scalar.tanh(x[i]) }
    }
}

/// 1 / (1 + e^{−x}), computed without overflow for large |x|.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func sigmoid<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) -> VariableOf<Scalar> {
    elementwise(x, forward: stableSigmoid, derivative: { _, y in y * (1 - y) })
}

@inline(__always)
func stableSigmoid<Scalar: TensorScalar>(_ x: Scalar) -> Scalar {
    if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
    let e = Scalar.exp(x)
    return e / (1 + e)
}

/// x²  element-wise.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func square<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) -> VariableOf<Scalar> {
    elementwise(x, forward: { $0 * $0 }, derivative: { x, _ in 2 * x })
}

// Branch-free kernels (selects, not branches): activation signs are unpredictable, so a branch
// mispredicts; written as plain loops the optimiser vectorises.
@inline(__always)
func reluForward<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, _ r: Range<Int>) {
    for i in r {
        let v = x[i]
        y[i] = v > 0 ? v : 0
    }
}

/// dx = dy where y > 0, else 0.
@inline(__always)
func reluBackward<Scalar: TensorScalar>(_ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>, _ dx: UnsafeMutablePointer<Scalar>, _ r: Range<Int>) {
    for i in r {
        let v = y[i], g = dy[i]
        dx[i] = v > 0 ? g : 0
    }
}
