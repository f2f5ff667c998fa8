import EqxIR
import EqxTensor

/// The forward op of `Conv` (EqxIR/Layers/Conv.swift).
extension Conv {
    /// `epilogue`: a following eval-mode batch norm (and ReLU) applied as the output is written (inference only).
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, layer: Layer, context: ForwardContextOf<Scalar>,
                                       epilogue: ChannelEpilogue<Scalar>? = nil) throws -> VariableOf<Scalar> {
        let weight = context.parameter(layer, "weight")!, bias = context.parameter(layer, "bias")
        let mode: PaddingMode = circular ? .circular : .zeros
        if let orbits = context.options.tiedKernels[layer.name] {
            return try orbitTiedConv2d(x, weight: tapOrbitMean(weight, orbits: orbits), orbits: orbits, bias: bias, stride: stride,
                                       padding: padding, paddingMode: mode)
        }
        return try conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, paddingMode: mode, epilogue: epilogue)
    }
}
