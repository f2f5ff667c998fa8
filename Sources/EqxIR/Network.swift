import EqxSyntax

/// A layer with every size resolved: what the executor instantiates and what `:info` prints. Each case is
/// one kind, defined in its own file under `Layers/`; `definition` is the one switch that lists them all.
public indirect enum LayerKind: Hashable, Sendable {
    case conv(Conv)
    case linear(Linear)
    case dense(Dense)
    case activation(Activation)
    case pool(Pool)
    case globalAvgPool
    case batchNorm(BatchNorm)
    case layerNorm(LayerNorm)
    case flatten
    case dropout(Dropout)
    case residual(Residual)

    /// Every kind, for the checker's clause heads and the law tests.
    public static let definitions: [any LayerDefinition.Type] = [
        Conv.self, Linear.self, Dense.self, Activation.self, Pool.self, GlobalAvgPool.self, BatchNorm.self,
        LayerNorm.self, Flatten.self, Dropout.self, Residual.self,
    ]

    public var definition: any LayerDefinition {
        switch self {
        case .conv(let d): return d
        case .linear(let d): return d
        case .dense(let d): return d
        case .activation(let d): return d
        case .pool(let d): return d
        case .globalAvgPool: return GlobalAvgPool()
        case .batchNorm(let d): return d
        case .layerNorm(let d): return d
        case .flatten: return Flatten()
        case .dropout(let d): return d
        case .residual(let d): return d
        }
    }

    public var name: String { definition.name }
    /// Layers whose weights map channels to channels, so a channel permutation acts on their output.
    public var mixesChannels: Bool { definition.mixesChannels }
}

public struct Layer: Hashable, Sendable {
    /// Parameter-key prefix, e.g. `conv1` (so checkpoints hold `conv1.weight`), unique in the network.
    public var name: String
    public var kind: LayerKind
    /// Per-sample shapes, without the batch axis: [C, H, W] or [features].
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// Explicit channel action from the script (`channels regular`), or nil for the default.
    public var channels: ChannelAction?
    public var range: SourceRange

    public init(name: String, kind: LayerKind, inputShape: [Int], outputShape: [Int],
                channels: ChannelAction? = nil, range: SourceRange = .none) {
        self.name = name; self.kind = kind; self.inputShape = inputShape; self.outputShape = outputShape
        self.channels = channels; self.range = range
    }

    /// Parameters and buffers, with their index axes and initialisation, in checkpoint order.
    public var tensors: [TensorSpec] { kind.definition.tensors(input: inputShape, output: outputShape) }

    /// Parameter tensors this layer owns, as (key suffix, shape), in checkpoint order.
    public var parameterShapes: [(String, [Int])] { tensors.filter(\.trainable).map { ($0.suffix, $0.shape) } }

    /// Running statistics (not trained, but saved and interpolated).
    public var bufferShapes: [(String, [Int])] { tensors.filter { !$0.trainable }.map { ($0.suffix, $0.shape) } }

    /// The branches nested in this layer (a residual's body, then its shortcut), in execution order.
    public var branches: [[Layer]] {
        guard case .residual(let r) = kind else { return [] }
        return [r.body] + (r.shortcut.map { [$0] } ?? [])
    }
}

/// A network with every shape known: an instantiation of a `net` declaration with arguments.
public struct NetworkSpec: Hashable, Sendable {
    /// The declaration name with its arguments, e.g. `cnn(width: 16)`.
    public var name: String
    public var layers: [Layer]
    public var inputShape: [Int]
    public var outputShape: [Int]
    public var range: SourceRange

    public init(name: String, layers: [Layer], inputShape: [Int], outputShape: [Int], range: SourceRange) {
        self.name = name; self.layers = layers; self.inputShape = inputShape; self.outputShape = outputShape
        self.range = range
    }

    /// Every layer in execution order, residual bodies included.
    public var flattenedLayers: [Layer] {
        var result: [Layer] = []
        func visit(_ ls: [Layer]) {
            for l in ls {
                result.append(l)
                l.branches.forEach(visit)
            }
        }
        visit(layers)
        return result
    }

    public var parameterCount: Int {
        flattenedLayers.reduce(0) { $0 + $1.parameterShapes.reduce(0) { $0 + $1.1.reduce(1, *) } }
    }

    /// Two networks can be merged or compared weight for weight when their layers match exactly.
    public var architecture: String {
        flattenedLayers.map { "\($0.name):\($0.kind.name)\($0.inputShape)->\($0.outputShape)" }.joined(separator: ",")
    }
}

extension Layer {
    /// The same layer with no source positions (for cache keys: moving a line must not retrain).
    public func strippingRanges() -> Layer {
        var l = self
        l.range = .none
        if case .residual(let r) = kind {
            l.kind = .residual(Residual(body: r.body.map { $0.strippingRanges() }, shortcut: r.shortcut?.map { $0.strippingRanges() }))
        }
        return l
    }
}

extension NetworkSpec {
    public func strippingRanges() -> NetworkSpec {
        NetworkSpec(name: name, layers: layers.map { $0.strippingRanges() }, inputShape: inputShape,
                    outputShape: outputShape, range: .none)
    }
}
