import EqxIR
import EqxTensor

/// The forward op of `LayerNorm` (EqxIR/Layers/LayerNorm.swift).
extension LayerNorm {
    func forward(_ x: Variable, layer: Layer, context: ForwardContext) throws -> Variable {
        try layerNorm(x, normalizedShape: Array(x.shape.suffix(dimensions)), weight: context.parameter(layer, "weight"),
                      bias: context.parameter(layer, "bias"))
    }
}
