import EqxIR
import EqxTensor

/// The forward op of `Dense` (EqxIR/Layers/Dense.swift).
extension Dense {
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, layer: Layer, context: ForwardContextOf<Scalar>) throws -> VariableOf<Scalar> {
        let n = x.shape[0], h = layer.outputShape[1], w = layer.outputShape[2]
        let bias = try context.parameter(layer, "bias").map { try reshape($0, [out * h * w]) }
        let y = try linear(try flatten(x), weight: context.parameter(layer, "weight")!, bias: bias)
        return try reshape(y, [n, out, h, w])
    }
}
