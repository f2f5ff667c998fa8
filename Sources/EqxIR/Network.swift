import EqxSyntax

/// A layer with every size resolved: what the executor instantiates and what `:info` prints.
public indirect enum LayerKind: Hashable, Sendable {
    case conv(out: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int,
              circular: Bool, bias: Bool)
    case linear(out: Int, bias: Bool)
    /// A full linear map between feature maps that keeps the grid: [C, H, W] → [out, H, W].
    case dense(out: Int, bias: Bool)
    case relu
    case leakyRelu(slope: Double)
    case tanh
    case sigmoid
    case maxPool(kernel: Int, stride: Int)
    case avgPool(kernel: Int, stride: Int)
    case globalAvgPool
    case batchNorm(affine: Bool, momentum: Double?)
    /// Normalises over the trailing `dimensions` axes of each sample.
    case layerNorm(dimensions: Int, affine: Bool)
    case flatten
    case dropout(Double)
    /// Adds the block's input to its output (identity shortcut).
    case residual([Layer])

    public var name: String {
        switch self {
        case .conv: return "conv"
        case .linear: return "linear"
        case .dense: return "dense"
        case .relu: return "relu"
        case .leakyRelu: return "leaky_relu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .maxPool: return "maxpool"
        case .avgPool: return "avgpool"
        case .globalAvgPool: return "global avgpool"
        case .batchNorm: return "batchnorm"
        case .layerNorm: return "layernorm"
        case .flatten: return "flatten"
        case .dropout: return "dropout"
        case .residual: return "residual"
        }
    }

    /// Layers whose weights map channels to channels, so a channel permutation acts on their output.
    public var mixesChannels: Bool {
        switch self {
        case .conv, .linear, .dense: return true
        default: return false
        }
    }

    public var isPointwise: Bool {
        switch self {
        case .relu, .leakyRelu, .tanh, .sigmoid, .dropout: return true
        default: return false
        }
    }
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

    /// Parameter tensors this layer owns, as (key suffix, shape), in checkpoint order.
    public var parameterShapes: [(String, [Int])] {
        switch kind {
        case let .conv(out, kh, kw, _, _, _, bias):
            return [("weight", [out, inputShape[0], kh, kw])] + (bias ? [("bias", [out])] : [])
        case let .linear(out, bias):
            return [("weight", [out, inputShape.reduce(1, *)])] + (bias ? [("bias", [out])] : [])
        case let .dense(out, bias):
            let inner = inputShape.reduce(1, *), outer = outputShape.reduce(1, *)
            return [("weight", [outer, inner])] + (bias ? [("bias", [out] + Array(outputShape.dropFirst()))] : [])
        case let .batchNorm(affine, _):
            return affine ? [("weight", [inputShape[0]]), ("bias", [inputShape[0]])] : []
        case let .layerNorm(d, affine):
            let s = Array(inputShape.suffix(d))
            return affine ? [("weight", s), ("bias", s)] : []
        default:
            return []
        }
    }

    /// Running statistics (not trained, but saved and interpolated).
    public var bufferShapes: [(String, [Int])] {
        if case .batchNorm = kind { return [("running_mean", [inputShape[0]]), ("running_var", [inputShape[0]])] }
        return []
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
                if case .residual(let body) = l.kind { visit(body) }
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
        if case .residual(let body) = kind { l.kind = .residual(body.map { $0.strippingRanges() }) }
        return l
    }
}

extension NetworkSpec {
    public func strippingRanges() -> NetworkSpec {
        NetworkSpec(name: name, layers: layers.map { $0.strippingRanges() }, inputShape: inputShape,
                    outputShape: outputShape, range: .none)
    }
}
