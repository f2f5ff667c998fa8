import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxSyntax
import EqxTensor

// MARK: Building networks without the front end

/// A layer or residual block of a test network; shapes are inferred by `makeSpec`.
indirect enum Block {
    case layer(String, LayerKind, ChannelAction?)
    case residual(String, [Block])
}

func conv(_ name: String, _ out: Int, k: Int = 3, stride: Int = 1, pad: Int = 1, circular: Bool = false,
          bias: Bool = true, channels: ChannelAction? = nil) -> Block {
    .layer(name, .conv(out: out, kernelHeight: k, kernelWidth: k, stride: stride, padding: pad,
                       circular: circular, bias: bias), channels)
}
func linear(_ name: String, _ out: Int, bias: Bool = true) -> Block { .layer(name, .linear(out: out, bias: bias), nil) }
func dense(_ name: String, _ out: Int, bias: Bool = true) -> Block { .layer(name, .dense(out: out, bias: bias), nil) }
func batchNorm(_ name: String) -> Block { .layer(name, .batchNorm(affine: true, momentum: 0.1), nil) }
/// Layer norm over the whole sample (`dimensions` = its rank) or over H, W only (`spatial`).
func layerNorm(_ name: String, spatial: Bool = false, rank: Int) -> Block {
    .layer(name, .layerNorm(dimensions: spatial ? 2 : rank, affine: true), nil)
}
func op(_ name: String, _ kind: LayerKind) -> Block { .layer(name, kind, nil) }

/// The per-sample output shape of a layer kind (its kind's shape rule).
func outputShape(_ kind: LayerKind, input s: [Int]) -> [Int] { kind.definition.outputShape(input: s) }

func buildLayers(_ blocks: [Block], shape: inout [Int]) -> [Layer] {
    blocks.map { block in
        switch block {
        case let .layer(name, kind, channels):
            let input = shape
            shape = outputShape(kind, input: input)
            return Layer(name: name, kind: kind, inputShape: input, outputShape: shape, channels: channels)
        case let .residual(name, body):
            let input = shape
            var inner = shape
            let layers = buildLayers(body, shape: &inner)
            precondition(inner == input, "residual body of \(name) changes the shape \(input) to \(inner)")
            return Layer(name: name, kind: .residual(layers), inputShape: input, outputShape: input)
        }
    }
}

/// A checked-looking `NetworkSpec` with every shape filled in.
func makeSpec(_ name: String, input: [Int], _ blocks: [Block]) -> NetworkSpec {
    var shape = input
    let layers = buildLayers(blocks, shape: &shape)
    return NetworkSpec(name: name, layers: layers, inputShape: input, outputShape: shape, range: .none)
}

// MARK: Random values

/// A reproducible stream for a test.
func stream(_ name: String, seed: UInt64 = 2024) -> RandomStream { RandomStream(seed: seed, name: "test/nn/" + name) }

/// PyTorch-style initial weights with every other tensor randomised too: norm γ around 1, β, running
/// means and positive running variances random, so that projecting them is not a no-op.
func randomState(_ spec: NetworkSpec, _ name: String) -> StateDict {
    var state = Network(spec: spec, seed: 7, streamName: name).state
    var rng = stream("state/" + name)
    for layer in spec.flattenedLayers {
        switch layer.kind {
        case .batchNorm, .layerNorm:
            for key in state.keys where key.hasPrefix(layer.name + ".") {
                let shape = state[key]!.shape
                switch key.dropFirst(layer.name.count + 1) {
                case "weight": state[key] = rng.uniformTensor(shape, 0.5, 1.5)
                // Statistics of the size of activations under PyTorch's initialisation, so that
                // normalised features are not all cut by the next ReLU.
                case "running_var": state[key] = rng.uniformTensor(shape, 0.02, 0.1)
                case "running_mean": state[key] = rng.uniformTensor(shape, -0.1, 0.1)
                default: state[key] = rng.uniformTensor(shape, -0.2, 0.2)
                }
            }
        default:
            break
        }
    }
    return state
}

func randomInput(_ spec: NetworkSpec, batch: Int, _ name: String) -> Tensor {
    var rng = stream("input/" + name)
    return rng.uniformTensor([batch] + spec.inputShape, -1, 1)
}

// MARK: Comparisons

/// ‖a − b‖ / ‖b‖ in Double (‖a − b‖ when b = 0).
func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape, "relativeError of \(a.shape) and \(b.shape)")
    var d2 = 0.0, n2 = 0.0
    for (x, y) in zip(a.scalars, b.scalars) {
        d2 += (Double(x) - Double(y)) * (Double(x) - Double(y))
        n2 += Double(y) * Double(y)
    }
    return n2 > 0 ? (d2 / n2).squareRoot() : d2.squareRoot()
}

/// The largest relative error over the tensors of two state dicts.
func relativeError(_ a: StateDict, _ b: StateDict, keys: [String]? = nil) -> Double {
    (keys ?? b.keys).map { relativeError(a[$0]!, b[$0]!) }.max() ?? 0
}

/// ‖a − b‖ / ‖b‖ over all `keys` together (for gradients, some of whose tensors are zero up to rounding).
func globalRelativeError(_ a: StateDict, _ b: StateDict, keys: [String]) throws -> Double {
    var d2 = 0.0, n2 = 0.0
    for k in keys {
        d2 += try (a[k]! - b[k]!).squaredNorm
        n2 += b[k]!.squaredNorm
    }
    return (d2 / n2).squareRoot()
}

/// Σ_k ⟨a_k, b_k⟩ over `keys`, in Double.
func innerProduct(_ a: StateDict, _ b: StateDict, keys: [String]) throws -> Double {
    try keys.reduce(0) { $0 + (try a[$1]!.dot(b[$1]!)) }
}

/// Activations of every layer (eval mode) keyed by layer name.
func activations(_ network: Network, _ x: Tensor) throws -> [String: Tensor] {
    let names = Set(network.spec.flattenedLayers.map(\.name))
    return try network.forward(x, options: ForwardOptions(training: false, gradients: false, capture: names)).activations
}

// MARK: Equivariance

/// ρ_i(g) applied to a batch of layer-i activations.
func act(_ rep: NetworkRepresentation, _ g: Int, layer i: Int, on t: Tensor) throws -> Tensor {
    try t.acted(by: SampleAction(group: rep.group, space: rep.outputSpaces[i]), element: g)
}

/// max over layers and test elements of ‖Φ_i(g·x) − ρ_i(g)Φ_i(x)‖ / ‖Φ_i(x)‖, and the same for the logits.
func equivarianceError(_ network: Network, _ rep: NetworkRepresentation, _ x: Tensor) throws
    -> (layers: Double, logits: Double, worstLayer: String) {
    let base = try activations(network, x)
    let layers = network.spec.flattenedLayers
    var worst = 0.0, worstLayer = "", logits = 0.0
    for g in testElements(rep.group) {
        let moved = try activations(network, x.acted(by: rep.inputAction, element: g))
        for (i, layer) in layers.enumerated() {
            let e = relativeError(moved[layer.name]!, try act(rep, g, layer: i, on: base[layer.name]!))
            if e > worst { worst = e; worstLayer = "\(layer.name) under \(rep.group.name(of: g))" }
        }
        let last = layers.last!.name
        logits = max(logits, relativeError(moved[last]!, base[last]!))
    }
    return (worst, logits, worstLayer)
}

/// A group for a network, as the runtime makes it from a script's declaration.
func group(_ spec: GroupSpec, _ network: NetworkSpec) throws -> FiniteGroup {
    try spec.finiteGroup(forInput: network.inputShape)
}

/// Elements to test with: all of a small group, else the generators and `samples` random ones.
func testElements(_ g: FiniteGroup, samples: Int = 12) -> [Int] {
    if g.order <= 64 { return Array(g.elements) }
    var rng = StreamRNG(stream: stream("elements/\(g.name)"))
    return [g.identity] + g.generators + (0..<samples).map { _ in g.randomElement(using: &rng) }
}

struct StreamRNG: RandomNumberGenerator {
    var stream: RandomStream
    mutating func next() -> UInt64 { stream.nextUInt64() }
}

/// a − b for every tensor.
func difference(_ a: StateDict, _ b: StateDict) throws -> StateDict {
    var out = a
    for k in a.keys { out[k] = try a[k]! - b[k]! }
    return out
}
