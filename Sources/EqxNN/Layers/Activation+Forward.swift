import EqxIR
import EqxTensor

/// The forward op of `Activation` (EqxIR/Layers/Activation.swift).
extension Activation {
    func forward(_ x: Variable) -> Variable {
        switch function {
        case .relu: return relu(x)
        case .leakyRelu(let s): return leakyRelu(x, slope: Float(s))
        case .tanh: return tanh(x)
        case .sigmoid: return sigmoid(x)
        }
    }
}
