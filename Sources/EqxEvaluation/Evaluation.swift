import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// Mean loss and accuracy of a network (eval mode) on a dataset. `beforeEachBatch` runs before every batch;
/// what it throws ends the evaluation (a merge uses it to stop on Ctrl-C).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func evaluate<Scalar: TensorScalar>(_ network: NetworkOf<Scalar>, on data: Dataset, loss: LossKind, batchSize: Int = 256,
                     beforeEachBatch: () throws -> Void = {}) throws -> (loss: Double, accuracy: Double) {
    try evaluate(network, on: ScalarDataset<Scalar>(data), loss: loss, batchSize: batchSize, beforeEachBatch: beforeEachBatch)
}

/// `evaluate` on inputs already in the network's precision.
public func evaluate<Scalar: TensorScalar>(_ network: NetworkOf<Scalar>, on data: ScalarDataset<Scalar>, loss: LossKind, batchSize: Int = 256,
                                    beforeEachBatch: () throws -> Void = {}) throws -> (loss: Double, accuracy: Double) {
    guard data.count > 0 else { throw MeasurementError(message: "cannot evaluate on empty data '\(data.name)'") }
    var totalLoss = 0.0, correct = 0
    for (x, labels) in try data.sequentialBatches(size: batchSize) {
        try beforeEachBatch()
        let logits = try network.forward(x, options: .evaluation).output
        let l = try Gradients.disabled { try lossFunction(loss, logits, labels: labels) }
        totalLoss += Double(l.value.scalars[0]) * Double(labels.count)
        correct += try correctCount(logits.value, labels: labels, loss: loss)
    }
    return (totalLoss / Double(data.count), Double(correct) / Double(data.count))
}

func correctCount<Scalar: TensorScalar>(_ logits: TensorOf<Scalar>, labels: [Int], loss: LossKind) throws -> Int {
    if loss == .bce || logits.shape.last == 1 {
        return zip(logits.scalars, labels).filter { ($0.0 > 0 ? 1 : 0) == $0.1 }.count
    }
    return zip(try logits.argmaxLastAxis(), labels).filter { $0.0 == $0.1 }.count
}

/// How much the outputs change when the inputs are transformed: the mean relative change
/// ‖f(g·x) − f(x)‖ / ‖f(x)‖ and the rate at which the predicted class changes, averaged over the
/// non-identity elements (or over `samples` random ones when the group is too large to enumerate).
public struct InvarianceError: Equatable {
    public var relativeChange: Double
    public var disagreement: Double
}

@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func invarianceError<Scalar: TensorScalar>(_ network: NetworkOf<Scalar>, group: FiniteGroup, on data: Dataset,
                            seed: UInt64 = 0, samples: Int = 16) throws -> InvarianceError {
    let action = try SampleAction.shared(group: group, sampleShape: network.spec.inputShape)
    let elements = try testElements(group, seed: seed, samples: samples)
    guard !elements.isEmpty else { return InvarianceError(relativeChange: 0, disagreement: 0) }
    let x = try ScalarDataset<Scalar>(data).allInputs
    let fx = try network.predict(x)
    let px = try fx.argmaxLastAxis()
    var change = 0.0, disagree = 0.0
    let n = data.count, k = fx.count / max(1, n)
    for g in elements {
        let fgx = try network.predict(x.acted(by: action, element: g))
        let pg = try fgx.argmaxLastAxis()
        var sumRel = 0.0
        let a = fx.scalars, b = fgx.scalars
        for s in 0..<n {
            var d2 = 0.0, n2 = 0.0
            for j in 0..<k {
                let u = Double(a[s * k + j]), v = Double(b[s * k + j])
                d2 += (u - v) * (u - v); n2 += u * u
            }
            sumRel += n2 > 0 ? (d2 / n2).squareRoot() : d2.squareRoot()
        }
        change += sumRel / Double(n)
        disagree += Double(zip(px, pg).filter { $0.0 != $0.1 }.count) / Double(n)
    }
    return InvarianceError(relativeChange: change / Double(elements.count), disagreement: disagree / Double(elements.count))
}

/// Per layer, the mean over non-identity g of ‖Φ_i(g·x) − ρ_i(g)Φ_i(x)‖ / ‖Φ_i(x)‖ on the data, with ρ_i(g)
/// from the hidden channel action or, per layer, a merge's learned channel permutations.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func equivarianceErrors<Scalar: TensorScalar>(_ network: NetworkOf<Scalar>, group: FiniteGroup, hidden: ChannelAction,
                               learned: [String: ChannelRepresentation] = [:], on data: Dataset,
                               seed: UInt64 = 0, samples: Int = 16) throws -> [(layer: String, error: Double)] {
    let rep = try NetworkRepresentation(group: group, spec: network.spec, hidden: hidden, learned: learned)
    let elements = try testElements(group, seed: seed, samples: samples)
    let layers = network.spec.flattenedLayers
    let capture = Set(layers.map(\.name))
    let x = try ScalarDataset<Scalar>(data).allInputs
    let base = try network.forward(x, options: ForwardOptions(training: false, gradients: false, capture: capture)).activations
    var sums = [Double](repeating: 0, count: layers.count)
    let input = try rep.inputAction
    // ρ_i(g) on each layer's features is the same per-sample action, on that layer's space.
    let features = try rep.outputSpaces.map { try SampleAction(group: group, space: $0) }
    for g in elements {
        let moved = try network.forward(x.acted(by: input, element: g),
                                        options: ForwardOptions(training: false, gradients: false, capture: capture)).activations
        for (i, layer) in layers.enumerated() {
            guard let phi = base[layer.name], let phig = moved[layer.name] else { continue }
            let expected = try phi.acted(by: features[i], element: g)
            let diff = try (phig - expected).squaredNorm
            let norm = phi.squaredNorm
            sums[i] += norm > 0 ? (diff / norm).squareRoot() : diff.squareRoot()
        }
    }
    return layers.enumerated().map { ($0.element.name, elements.isEmpty ? 0 : sums[$0.offset] / Double(elements.count)) }
}

/// Non-identity elements to test with: all of them, or `samples` random ones from a named stream.
func testElements(_ group: FiniteGroup, seed: UInt64, samples: Int) throws -> [Int] {
    if group.order <= 64 { return Array(group.elements.dropFirst()) }
    var r = StreamGenerator(stream: RandomStream(seed: seed, name: "metrics/elements/\(group.name)"))
    var out: [Int] = []
    while out.count < samples {
        let e = group.randomElement(using: &r)
        if e != group.identity { out.append(e) }
    }
    return out
}
