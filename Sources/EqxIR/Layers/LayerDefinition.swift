import EqxGroups
import EqxSyntax

/// What one layer kind is (issue 12: one type per kind, one file each): its clause syntax and options, its
/// shape rule and diagnostics, its tensors with their initialisation and index axes, and how the feature
/// space flows through it. Everything the group machinery needs — g·θ gathers, dim E by Burnside, Π_E orbit
/// partitions, merge permutation axes — is derived from `tensors` and `outputLayout` in one place each
/// (`Layer.indexFactors`, `PermutationSymbols.axes`), so a new kind states only these facts.
public protocol LayerDefinition: Hashable, Sendable {
    /// Clause heads that build this kind (`maxpool` and `avgpool` are one kind).
    static var heads: [String] { get }
    /// Options each head accepts (besides `channels`, which every layer takes).
    static func options(head: String) -> [String]
    /// Layers using this kind, placed after a conv on an 8×7×7 map: the law tests (group laws, Π_E, dim E,
    /// equivariance, planted permutations) build a network from it for every kind in `LayerKind.definitions`,
    /// so a new kind is tested by them without new test code.
    static var lawExample: String { get }
    /// Reads a clause whose head is one of `heads`; reports diagnostics and returns nil on an error.
    static func build(_ clause: LayerClause) -> (kind: LayerKind, output: [Int])?

    /// The shape rule: the per-sample output shape for a (checked) input shape.
    func outputShape(input: [Int]) -> [Int]
    /// The name printed by `dump-ir`, `:info` and in architecture strings (`conv`, `global avgpool`).
    var name: String { get }
    /// The layer as declared, without its output size (`conv 3x3 pad 1`), for `:info` tables.
    var summary: String { get }
    /// Prefix of automatic layer names (`conv1`, `bn2`).
    var autoNamePrefix: String { get }
    /// Whether its weights map channels to channels, so the layer's output gets a channel action of its own
    /// (declared, hidden or trivial for the logits) and a permutation symbol in merges.
    var mixesChannels: Bool { get }
    /// Parameters and buffers for a layer from `input` to `output` (per-sample shapes), in checkpoint order.
    func tensors(input: [Int], output: [Int]) -> [TensorSpec]
    /// The channels × positions structure of the output (no group needed: representations come later).
    func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout
    /// The sampling window, for the checker's group rules (strides and padding that break a symmetry).
    var window: SamplingWindow? { get }
}

/// One axis of a tensor's index set, named by what acts on it: the layer's output or input channels (group
/// representation, merge permutation symbol), the positions of its output or input space, or kernel taps.
public enum TensorAxis: Hashable, Sendable {
    case outputChannels
    case inputChannels
    case outputPositions
    case inputPositions
    case kernel(height: Int, width: Int)
}

/// How a tensor starts (PyTorch's defaults, so an eqx net and its PyTorch twin start alike).
public enum TensorInitialization: Hashable, Sendable {
    /// Kaiming-uniform with a = √5 over the tensor's fan-in.
    case kaimingUniform
    /// U(±1/√fan_in) of the layer's weight (the tensor is drawn flat).
    case biasUniform
    case ones
    case zeros
}

/// A parameter or buffer of a layer.
public struct TensorSpec: Hashable, Sendable {
    /// Key suffix: `conv1.weight` has suffix `weight`.
    public var suffix: String
    public var shape: [Int]
    /// The index factors, slowest first; their sizes multiply to the tensor's count.
    public var axes: [TensorAxis]
    public var initialization: TensorInitialization
    /// Trained (a parameter) or only saved and interpolated (running statistics).
    public var trainable: Bool

    public init(_ suffix: String, _ shape: [Int], axes: [TensorAxis], initialization: TensorInitialization,
                trainable: Bool = true) {
        self.suffix = suffix; self.shape = shape; self.axes = axes; self.initialization = initialization
        self.trainable = trainable
    }
}

/// A feature space without a group: channels (slowest) × positions. `NetworkSpaces` adds representations.
public struct FeatureLayout: Hashable, Sendable {
    public var channels: Int
    public var spatial: SpatialDomain
    public init(channels: Int, spatial: SpatialDomain) { self.channels = channels; self.spatial = spatial }

    /// The layout of a per-sample shape seen on its own: images [C, H, W], node vectors [n], plain vectors.
    public init(shape: [Int]) {
        let space = FeatureSpace(sampleShape: shape)
        self.init(channels: space.channels, spatial: space.spatial)
    }

    /// The common rule: an image output is its channels over its grid, anything else keeps the input's layout.
    static func following(_ input: FeatureLayout, output: [Int]) -> FeatureLayout {
        output.count == 3 ? FeatureLayout(channels: output[0], spatial: .grid(height: output[1], width: output[2])) : input
    }
}

/// A kernel sliding over the grid: conv and pooling windows.
public struct SamplingWindow: Hashable, Sendable {
    public var height: Int
    public var width: Int
    public var stride: Int
    public var padding: Int
    public var circular: Bool
}
