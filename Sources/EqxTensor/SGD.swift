/// Float32 SGD (the default precision).
public typealias SGD = SGDOf<Float>

/// Stochastic gradient descent with PyTorch's semantics:
/// g ← g + λ·θ; b ← g on the first step, else b ← μ·b + (1 − τ)·g; g ← g + μ·b (Nesterov) or b; θ ← θ − lr·g.
public struct SGDOf<Scalar: TensorScalar>: ScalarOptimizer {
    public let momentum: Scalar
    public let dampening: Scalar
    public let nesterov: Bool
    public let weightDecay: Scalar
    /// Momentum buffer per parameter (nil before the first step or without momentum). Public so that
    /// callers can inspect or project it.
    public var momentumBuffers: [TensorOf<Scalar>?] = []

    public init(momentum: Scalar = 0, dampening: Scalar = 0, nesterov: Bool = false, weightDecay: Scalar = 0) throws {
        guard momentum >= 0, weightDecay >= 0, dampening >= 0 else {
            throw TensorError.invalidArgument(op: "SGD", message: "momentum \(momentum), dampening \(dampening), weight decay \(weightDecay) must be >= 0")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw TensorError.invalidArgument(op: "SGD", message: "Nesterov momentum needs momentum > 0 and dampening 0")
        }
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func step(parameters: inout [TensorOf<Scalar>], gradients: [TensorOf<Scalar>], learningRate: Scalar) throws {
        try checkStep("SGD.step", parameters: parameters, gradients: gradients,
                      stateCount: momentumBuffers.isEmpty ? nil : momentumBuffers.count)
        if momentumBuffers.isEmpty { momentumBuffers = Array(repeating: nil, count: parameters.count) }
        let (mu, damp, wd, nesterov, lr) = (momentum, dampening, weightDecay, self.nesterov, learningRate)
        for i in parameters.indices {
            let g = gradients[i]
            let first = momentumBuffers[i] == nil
            var buffer = momentumBuffers[i] ?? (mu != 0 ? TensorOf<Scalar>(shape: g.shape) { _ in } : TensorOf<Scalar>.zeros([0]))
            momentumBuffers[i] = nil  // keep the buffer uniquely referenced: updated in place
            parameters[i].withUnsafeMutableBufferPointer { pp in
                buffer.withUnsafeMutableBufferPointer { bp in
                    g.withUnsafeBufferPointer { gp in
                        let p = pp.baseAddress!, b = bp.baseAddress, gr = gp.baseAddress!
                        // One fused, element-wise pass (thread split cannot change the result).
                        parallelFor(pp.count, cost: 4) { range in
                            for j in range {
                                var d = gr[j]
                                if wd != 0 { d += wd * p[j] }
                                if mu != 0 {
                                    let v = first ? d : mu * b![j] + (1 - damp) * d
                                    b![j] = v
                                    d = nesterov ? d + mu * v : v
                                }
                                p[j] -= lr * d
                            }
                        }
                    }
                }
            }
            if mu != 0 { momentumBuffers[i] = buffer }
        }
    }
}
