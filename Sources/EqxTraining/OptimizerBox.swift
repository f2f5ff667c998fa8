import EqxIR
import EqxTensor

/// The optimizer a statement chose, with its state named by parameter key so it can be saved with a
/// checkpoint (`optim.conv1.weight.momentum`) and restored on resume.
struct OptimizerBoxOf<Scalar: TensorScalar> {
    enum Kind { case sgd(SGDOf<Scalar>), adam(AdamOf<Scalar>) }
    var kind: Kind

    init(_ spec: OptimizerSpec) throws {
        switch spec {
        case let .sgd(_, momentum, nesterov, wd):
            kind = .sgd(try SGDOf<Scalar>(momentum: Scalar(momentum), nesterov: nesterov, weightDecay: Scalar(wd)))
        case let .adam(_, b1, b2, eps, wd, decoupled):
            kind = .adam(try AdamOf<Scalar>(beta1: Scalar(b1), beta2: Scalar(b2), epsilon: Scalar(eps), weightDecay: Scalar(wd), decoupled: decoupled))
        }
    }

    mutating func step(parameters: inout [TensorOf<Scalar>], gradients: [TensorOf<Scalar>], learningRate: Scalar) throws {
        switch kind {
        case .sgd(var o): try o.step(parameters: &parameters, gradients: gradients, learningRate: learningRate); kind = .sgd(o)
        case .adam(var o): try o.step(parameters: &parameters, gradients: gradients, learningRate: learningRate); kind = .adam(o)
        }
    }

    func state(keys: [String]) -> [String: TensorOf<Scalar>] {
        var out: [String: TensorOf<Scalar>] = [:]
        switch kind {
        case .sgd(let o):
            for (k, b) in zip(keys, o.momentumBuffers) { if let b = b { out["\(k).momentum"] = b } }
        case .adam(let o):
            for (k, m) in zip(keys, o.firstMoments) { out["\(k).exp_avg"] = m }
            for (k, v) in zip(keys, o.secondMoments) { out["\(k).exp_avg_sq"] = v }
            out["step"] = TensorOf<Scalar>(scalar: Scalar(o.stepCount))
        }
        return out
    }

    /// Restores saved state; every buffer must have its parameter's shape (a resumed checkpoint is
    /// untrusted input, and a wrong-sized buffer would be read past its end in the update).
    mutating func restore(_ state: [String: TensorOf<Scalar>], keys: [String], shapes: [[Int]]) throws {
        func buffer(_ name: String, _ shape: [Int]) throws -> TensorOf<Scalar>? {
            guard let t = state[name] else { return nil }
            guard t.shape == shape else {
                throw TrainingError(message: "checkpoint's optimizer state '\(name)' has shape \(t.shape), expected \(shape)")
            }
            return t
        }
        switch kind {
        case .sgd(var o):
            if state.isEmpty { return }
            o.momentumBuffers = try zip(keys, shapes).map { try buffer("\($0).momentum", $1) }
            kind = .sgd(o)
        case .adam(var o):
            guard let s = state["step"]?.scalars.first else { return }
            guard s.isFinite, s >= 0, s == s.rounded(), s < 1e9 else {
                throw TrainingError(message: "checkpoint's Adam step \(s) is not a step count")
            }
            o.firstMoments = try zip(keys, shapes).map { k, shape in
                guard let t = try buffer("\(k).exp_avg", shape) else { throw TrainingError(message: "checkpoint lacks Adam state for \(k)") }
                return t
            }
            o.secondMoments = try zip(keys, shapes).map { k, shape in
                guard let t = try buffer("\(k).exp_avg_sq", shape) else { throw TrainingError(message: "checkpoint lacks Adam state for \(k)") }
                return t
            }
            o.stepCount = Int(s)
            kind = .adam(o)
        }
    }
}
