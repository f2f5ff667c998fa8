import EqxIR
import EqxTensor

/// The forward op of `Conv` (EqxIR/Layers/Conv.swift).
extension Conv {
    func forward(_ x: Variable, layer: Layer, context: ForwardContext) throws -> Variable {
        try conv2d(x, weight: context.parameter(layer, "weight")!, bias: context.parameter(layer, "bias"), stride: stride,
                   padding: padding, paddingMode: circular ? .circular : .zeros)
    }
}
