import EqxIR
import EqxTensor

/// The forward op of `Linear` (EqxIR/Layers/Linear.swift).
extension Linear {
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, layer: Layer, context: ForwardContextOf<Scalar>) throws -> VariableOf<Scalar> {
        let flat = x.shape.count == 2 ? x : try flatten(x)
        return try linear(flat, weight: context.parameter(layer, "weight")!, bias: context.parameter(layer, "bias"))
    }
}
