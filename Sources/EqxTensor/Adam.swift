import Foundation

/// Float32 Adam (the default precision).
public typealias Adam = AdamOf<Float>

/// Adam and AdamW with PyTorch's semantics (bias-corrected, eps added after the square root):
/// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; θ ← θ − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
/// Adam adds λ·θ to g (L2); AdamW (`decoupled`) multiplies θ by (1 − lr·λ) first.
public struct AdamOf<Scalar: TensorScalar>: ScalarOptimizer {
    public let beta1: Scalar
    public let beta2: Scalar
    public let epsilon: Scalar
    public let weightDecay: Scalar
    /// AdamW when true.
    public let decoupled: Bool
    /// First and second moment estimates per parameter; empty before the first step.
    public var firstMoments: [TensorOf<Scalar>] = []
    public var secondMoments: [TensorOf<Scalar>] = []
    /// Steps taken (t in the bias corrections).
    public var stepCount = 0

    public init(beta1: Scalar = 0.9, beta2: Scalar = 0.999, epsilon: Scalar = 1e-8, weightDecay: Scalar = 0, decoupled: Bool = false) throws {
        guard (0..<1).contains(beta1), (0..<1).contains(beta2), epsilon >= 0, weightDecay >= 0 else {
            throw TensorError.invalidArgument(op: "Adam", message: "betas (\(beta1), \(beta2)) must be in [0, 1), eps and weight decay >= 0")
        }
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    /// AdamW (PyTorch default weight decay 0.01).
    public static func adamW(beta1: Scalar = 0.9, beta2: Scalar = 0.999, epsilon: Scalar = 1e-8, weightDecay: Scalar = 0.01) throws -> AdamOf {
        try AdamOf(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func step(parameters: inout [TensorOf<Scalar>], gradients: [TensorOf<Scalar>], learningRate lr: Scalar) throws {
        try checkStep(decoupled ? "AdamW.step" : "Adam.step", parameters: parameters, gradients: gradients,
                      stateCount: firstMoments.isEmpty ? nil : firstMoments.count)
        if firstMoments.isEmpty {
            firstMoments = parameters.map { TensorOf<Scalar>.zeros($0.shape) }
            secondMoments = firstMoments
        }
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = Scalar(Double(lr) / (1 - Foundation.pow(Double(beta1), t)))
        let correction2Sqrt = Scalar((1 - Foundation.pow(Double(beta2), t)).squareRoot())
        let (b1, b2, eps, wd, decoupled) = (beta1, beta2, epsilon, weightDecay, self.decoupled)
        for i in parameters.indices {
            let g = gradients[i]
            var m = firstMoments[i], v = secondMoments[i]
            firstMoments[i] = TensorOf<Scalar>.zeros([])
            secondMoments[i] = TensorOf<Scalar>.zeros([])  // release references so m, v update in place
            parameters[i].withUnsafeMutableBufferPointer { p in
                m.withUnsafeMutableBufferPointer { mp in
                    v.withUnsafeMutableBufferPointer { vp in
                        g.withUnsafeBufferPointer { gp in
                            for j in 0..<p.count {
                                var gj = gp[j]
                                if wd != 0 {
                                    if decoupled { p[j] *= 1 - lr * wd } else { gj += wd * p[j] }
                                }
                                mp[j] = b1 * mp[j] + (1 - b1) * gj
                                vp[j] = b2 * vp[j] + (1 - b2) * gj * gj
                                p[j] -= stepSize * mp[j] / (vp[j].squareRoot() / correction2Sqrt + eps)
                            }
                        }
                    }
                }
            }
            firstMoments[i] = m
            secondMoments[i] = v
        }
    }
}
