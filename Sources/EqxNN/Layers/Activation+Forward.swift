import EqxIR
import EqxTensor

/// The forward op of `Activation` (EqxIR/Layers/Activation.swift).
extension Activation {
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) -> VariableOf<Scalar> {
        switch function {
        case .relu: return relu(x)
        case .leakyRelu(let s): return leakyRelu(x, slope: Scalar(s))
        case .tanh: return tanh(x)
        case .sigmoid: return sigmoid(x)
        }
    }
}
