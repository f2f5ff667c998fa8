import EqxIR
import EqxTensor

/// The forward op of `Linear` (EqxIR/Layers/Linear.swift).
extension Linear {
    func forward(_ x: Variable, layer: Layer, context: ForwardContext) throws -> Variable {
        let flat = x.shape.count == 2 ? x : try flatten(x)
        return try linear(flat, weight: context.parameter(layer, "weight")!, bias: context.parameter(layer, "bias"))
    }
}
