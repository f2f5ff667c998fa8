import EqxIR
import EqxTensor

/// The forward op of `Dropout` (EqxIR/Layers/Dropout.swift).
extension Dropout {
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, context: inout ForwardContextOf<Scalar>) throws -> VariableOf<Scalar> {
        guard context.options.training, probability > 0 else { return x }
        if context.rng == nil { context.rng = RandomStream(seed: 0, name: "dropout") }
        return try dropout(x, p: Scalar(probability), training: true, rng: &context.rng!)
    }
}
