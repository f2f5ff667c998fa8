import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// Nordenfors et al.'s key identity measured on data: ∇R_aug(θ) = Π_E ∇R(θ) holds at θ ∈ E, where R is the
/// nominal risk and R_aug the full-orbit augmented one (every g·x with the label of x). Both gradients are
/// taken in evaluation mode (batch norm with its running statistics, no dropout), so each is the mean of
/// per-sample gradients and the identity is exact up to rounding.
public struct GradientIdentity: Equatable {
    /// ‖∇R_aug − Π_E ∇R‖: zero up to rounding at a point of E.
    public var discrepancy: Double
    /// ‖(I − Π_E) ∇R‖, the part of the nominal gradient that leaves E.
    public var offE: Double
    /// ‖∇R‖ and ‖∇R_aug‖, the scales the two numbers above compare with.
    public var nominalNorm: Double
    public var augmentedNorm: Double
}

/// The gradient identity of `network` on `data` for the loss `loss`, with E defined by `group` and the
/// hidden channel action (and a merge's learned channel permutations, per layer). The orbit batch of a chunk holds all |G| transforms of its samples.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func gradientIdentity<Scalar: TensorScalar>(_ network: NetworkOf<Scalar>, group: FiniteGroup, hidden: ChannelAction,
                             learned: [String: ChannelRepresentation] = [:], on data: Dataset,
                             loss: LossKind) throws -> GradientIdentity {
    guard data.count > 0 else { throw MeasurementError(message: "cannot measure a gradient on empty data '\(data.name)'") }
    let rep = try NetworkRepresentation(group: group, spec: network.spec, hidden: hidden, learned: learned)
    let projector = try ReynoldsProjector(representation: rep)
    let action = try rep.inputAction
    let keys = network.state.parameterKeys
    var nominal = keys.map { [Double](repeating: 0, count: network.state[$0]!.count) }
    var augmented = nominal
    let chunk = max(1, 512 / group.order)
    for (x, labels) in try ScalarDataset<Scalar>(data).sequentialBatches(size: chunk) {
        let orbit = try TensorOf<Scalar>.concatenatedBatch(group.elements.map { try x.acted(by: action, element: $0) })
        let orbitLabels = Array(Array(repeating: labels, count: group.order).joined())
        // Each pass gives the mean gradient of its batch; weighting by the sample count sums per-sample gradients.
        try accumulateGradient(network, x, labels, loss: loss, weight: Double(labels.count), keys: keys, into: &nominal)
        try accumulateGradient(network, orbit, orbitLabels, loss: loss, weight: Double(labels.count), keys: keys,
                               into: &augmented)
    }
    let n = Double(data.count)
    var nominalState = network.state
    for (k, g) in zip(keys, nominal) {
        nominalState[k] = try TensorOf<Scalar>(shape: network.state[k]!.shape, scalars: g.map { Scalar($0 / n) })
    }
    let projected = projector.project(nominalState)
    var discrepancy = 0.0, offE = 0.0, nominalNorm = 0.0, augmentedNorm = 0.0
    for (i, k) in keys.enumerated() {
        let p = projected[k]!.scalars
        for j in 0..<p.count {
            let g = nominal[i][j] / n, a = augmented[i][j] / n, pj = Double(p[j])
            discrepancy += (a - pj) * (a - pj)
            offE += (g - pj) * (g - pj)
            nominalNorm += g * g
            augmentedNorm += a * a
        }
    }
    return GradientIdentity(discrepancy: discrepancy.squareRoot(), offE: offE.squareRoot(),
                            nominalNorm: nominalNorm.squareRoot(), augmentedNorm: augmentedNorm.squareRoot())
}

private func accumulateGradient<Scalar: TensorScalar>(_ network: NetworkOf<Scalar>, _ x: TensorOf<Scalar>, _ labels: [Int], loss: LossKind, weight: Double,
                                keys: [String], into sums: inout [[Double]]) throws {
    let result = try network.forward(x, options: ForwardOptions(training: false, gradients: true))
    try lossFunction(loss, result.output, labels: labels).backward()
    for (i, k) in keys.enumerated() {
        guard let grad = result.parameters[k]?.grad else { continue }   // a parameter the loss does not reach
        let s = grad.scalars
        for j in 0..<s.count { sums[i][j] += weight * Double(s[j]) }
    }
}
