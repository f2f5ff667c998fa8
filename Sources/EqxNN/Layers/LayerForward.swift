import EqxIR
import EqxTensor

// Each layer kind's forward op (its backward is the tensor op's own). One extension per kind, next to the
// kind's definition in EqxIR/Layers; `Network.apply` dispatches to them.

extension ForwardContextOf {
    /// The parameter `suffix` of `layer` in this pass.
    func parameter(_ layer: Layer, _ suffix: String) -> VariableOf<Scalar>? { params["\(layer.name).\(suffix)"] }
}
