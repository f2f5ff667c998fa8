import EqxIR
import EqxTensor

/// The loss of a batch of logits against integer labels.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func lossFunction<Scalar: TensorScalar>(_ kind: LossKind, _ logits: VariableOf<Scalar>, labels: [Int]) throws -> VariableOf<Scalar> {
    switch kind {
    case .crossEntropy: return try crossEntropy(logits, labels: labels)
    case .mse: return try mseLoss(logits, labels: labels)
    case .bce: return try binaryCrossEntropyWithLogits(logits, targets: TensorOf<Scalar>(shape: [labels.count, 1], scalars: labels.map { Scalar($0) }))
    }
}
