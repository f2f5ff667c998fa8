import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
import EqxNN
import EqxSyntax
import EqxTensor
@testable import EqxTraining

// MARK: Networks without the front end

/// A layer with its per-sample output shape from its kind's shape rule.
func layer(_ name: String, _ kind: LayerKind, input s: [Int]) -> Layer {
    let out = kind.definition.outputShape(input: s)
    return Layer(name: name, kind: kind, inputShape: s, outputShape: out)
}

func makeSpec(_ name: String, input: [Int], _ kinds: [(String, LayerKind)]) -> NetworkSpec {
    var shape = input
    var layers: [Layer] = []
    for (n, k) in kinds {
        let l = layer(n, k, input: shape)
        layers.append(l)
        shape = l.outputShape
    }
    return NetworkSpec(name: name, layers: layers, inputShape: input, outputShape: shape, range: .none)
}

func conv3(_ out: Int) -> LayerKind {
    .conv(out: out, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, circular: false, bias: true)
}

/// conv → batchnorm → relu → conv → relu → maxpool → flatten → linear on [1, 6, 6]: every layer type
/// a C4 experiment on small images uses.
func smallCNN(width c: Int = 4, classes: Int = 3) -> NetworkSpec {
    makeSpec("cnn", input: [1, 6, 6], [
        ("conv1", conv3(c)), ("bn1", .batchNorm(affine: true, momentum: 0.1)), ("relu1", .relu),
        ("conv2", conv3(c)), ("relu2", .relu), ("pool", .maxPool(kernel: 2, stride: 2)),
        ("flat", .flatten), ("fc", .linear(out: classes, bias: true)),
    ])
}

/// conv → relu → conv → relu → global avgpool → linear on [1, 6, 6] (for regular channels).
func pooledCNN(width c: Int, classes: Int = 3) -> NetworkSpec {
    makeSpec("pooled", input: [1, 6, 6], [
        ("conv1", conv3(c)), ("relu1", .relu), ("conv2", conv3(c)), ("bn", .batchNorm(affine: true, momentum: 0.1)),
        ("relu2", .relu), ("gap", .globalAvgPool), ("fc", .linear(out: classes, bias: true)),
    ])
}

// MARK: Data

/// `count` random images with labels from a fixed random linear rule (so the nets can learn something).
func toyData(_ name: String, count: Int, shape: [Int] = [1, 6, 6], classes: Int = 3) throws -> Dataset {
    var rng = RandomStream(seed: 99, name: "test/training/data/" + name)
    let size = shape.reduce(1, *)
    let inputs = (0..<(count * size)).map { _ in rng.uniform(-1, 1) }
    let directions = (0..<(classes * size)).map { _ in rng.uniform(-1, 1) }
    let labels = (0..<count).map { i -> Int in
        let scores = (0..<classes).map { c in (0..<size).reduce(Float(0)) { $0 + inputs[i * size + $1] * directions[c * size + $1] } }
        return scores.indices.max { scores[$0] < scores[$1] }!
    }
    return try Dataset(name: name, sampleShape: shape, inputs: inputs, labels: labels, classes: classes)
}

// MARK: Training statements

func trainSpec(_ network: NetworkSpec, mode: TrainingMode, channels: ChannelAction = .trivial,
               optimizer: OptimizerSpec = .sgd(lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0),
               batch: Int = 16, steps: Int, tracked: [TrackedMetric] = [], trackEvery: Int = 1,
               invariance: InvariancePenalty? = nil, seedName: String = "toy") -> TrainSpec {
    TrainSpec(id: seedName, network: network, initialWeights: nil, data: DataRef(data: "toy", split: .train),
              mode: mode, channels: .action(channels), invariance: invariance, loss: .crossEntropy, optimizer: optimizer,
              schedule: .constant, batchSize: batch, epochs: 1, steps: steps, tracked: tracked, trackEvery: trackEvery,
              evaluation: [], seedName: seedName, seed: 5, range: .none)
}

func momentumSGD(_ lr: Double = 0.05) -> OptimizerSpec { .sgd(lr: lr, momentum: 0.9, nesterov: false, weightDecay: 1e-3) }
func adam(_ lr: Double = 0.01) -> OptimizerSpec {
    .adam(lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3, decoupled: false)
}

/// A fresh network with PyTorch's initialisation from a fixed seed.
func freshNetwork(_ spec: NetworkSpec, _ name: String = "toy") -> Network {
    Network(spec: spec, seed: 11, streamName: name)
}

/// Every tensor bit for bit (NaN-safe: compares bit patterns).
func bitIdentical(_ a: StateDict, _ b: StateDict) -> Bool {
    a.keys == b.keys && a.keys.allSatisfy { k in
        a[k]!.shape == b[k]!.shape && zip(a[k]!.scalars, b[k]!.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}

func group(_ spec: GroupSpec, _ network: NetworkSpec) throws -> FiniteGroup {
    try spec.finiteGroup(forInput: network.inputShape)
}

func invariancePenalty(_ group: GroupSpec, weight: Double, start: Double) -> InvariancePenalty {
    InvariancePenalty(group: group, weight: weight, start: start)
}
