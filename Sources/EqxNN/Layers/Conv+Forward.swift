import EqxIR
import EqxTensor

/// The forward op of `Conv` (EqxIR/Layers/Conv.swift).
extension Conv {
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, layer: Layer, context: ForwardContextOf<Scalar>) throws -> VariableOf<Scalar> {
        try conv2d(x, weight: context.parameter(layer, "weight")!, bias: context.parameter(layer, "bias"), stride: stride,
                   padding: padding, paddingMode: circular ? .circular : .zeros)
    }
}
