import EqxIR
import EqxTensor

/// The forward op of `Pool` (EqxIR/Layers/Pool.swift).
extension Pool {
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) throws -> VariableOf<Scalar> {
        switch reduction {
        case .max: return try maxPool2d(x, kernel: kernel, stride: stride)
        case .average: return try avgPool2d(x, kernel: kernel, stride: stride)
        }
    }
}
