import EqxIR
import EqxTensor

/// The forward op of `LayerNorm` (EqxIR/Layers/LayerNorm.swift).
extension LayerNorm {
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, layer: Layer, context: ForwardContextOf<Scalar>) throws -> VariableOf<Scalar> {
        try layerNorm(x, normalizedShape: Array(x.shape.suffix(dimensions)), weight: context.parameter(layer, "weight"),
                      bias: context.parameter(layer, "bias"))
    }
}
