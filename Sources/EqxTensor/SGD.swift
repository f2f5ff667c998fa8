/// Stochastic gradient descent with PyTorch's semantics:
/// g ← g + λ·θ; b ← g on the first step, else b ← μ·b + (1 − τ)·g; g ← g + μ·b (Nesterov) or b; θ ← θ − lr·g.
public struct SGD: Optimizer {
    public let momentum: Float
    public let dampening: Float
    public let nesterov: Bool
    public let weightDecay: Float
    /// Momentum buffer per parameter (nil before the first step or without momentum). Public so that
    /// callers can inspect or project it.
    public var momentumBuffers: [Tensor?] = []

    public init(momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) throws {
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

    public mutating func step(parameters: inout [Tensor], gradients: [Tensor], learningRate: Float) throws {
        try checkStep("SGD.step", parameters: parameters, gradients: gradients,
                      stateCount: momentumBuffers.isEmpty ? nil : momentumBuffers.count)
        if momentumBuffers.isEmpty { momentumBuffers = Array(repeating: nil, count: parameters.count) }
        let (mu, damp, wd, nesterov, lr) = (momentum, dampening, weightDecay, self.nesterov, learningRate)
        for i in parameters.indices {
            let g = gradients[i]
            let first = momentumBuffers[i] == nil
            var buffer = momentumBuffers[i] ?? (mu != 0 ? Tensor(shape: g.shape) { _ in } : Tensor.zeros([0]))
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
