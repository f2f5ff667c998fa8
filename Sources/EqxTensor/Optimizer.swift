/// An optimizer of Float32 parameters (the default precision).
public typealias Optimizer = ScalarOptimizer<Float>

/// A first-order optimizer with per-parameter state. The caller computes (and may first modify, e.g.
/// project onto an equivariant subspace) the gradients, then calls `step`.
public protocol ScalarOptimizer<Scalar> {
    associatedtype Scalar: TensorScalar
    /// Updates `parameters` in place from `gradients` (same count, same shapes, same order every call).
    mutating func step(parameters: inout [TensorOf<Scalar>], gradients: [TensorOf<Scalar>], learningRate: Scalar) throws
}

func checkStep<Scalar: TensorScalar>(_ op: String, parameters: [TensorOf<Scalar>], gradients: [TensorOf<Scalar>], stateCount: Int?) throws {
    guard parameters.count == gradients.count else {
        throw TensorError.invalidArgument(op: op, message: "\(parameters.count) parameters but \(gradients.count) gradients")
    }
    if let stateCount, stateCount != parameters.count {
        throw TensorError.invalidArgument(op: op, message: "optimizer state holds \(stateCount) parameters, step got \(parameters.count)")
    }
    for (i, (p, g)) in zip(parameters, gradients).enumerated() where p.shape != g.shape {
        throw TensorError.shapeMismatch(op: op + " gradient \(i)", expected: p.shape, got: g.shape)
    }
}
