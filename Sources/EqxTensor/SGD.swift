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
        for i in parameters.indices {
            var g = gradients[i]
            if weightDecay != 0 { try g.add(parameters[i], scaledBy: weightDecay) }
            if momentum != 0 {
                if var b = momentumBuffers[i] {
                    momentumBuffers[i] = nil  // keep b uniquely referenced: update in place
                    try b.scaleAndAdd(beta: momentum, g, alpha: 1 - dampening)
                    momentumBuffers[i] = b
                } else {
                    momentumBuffers[i] = g
                }
                if nesterov { try g.add(momentumBuffers[i]!, scaledBy: momentum) } else { g = momentumBuffers[i]! }
            }
            try parameters[i].add(g, scaledBy: -learningRate)
        }
    }
}
