import EqxIR
import EqxTensor

/// A Float32 network (the default precision) and a Float64 one.
public typealias Network = NetworkOf<Float>
public typealias Network64 = NetworkOf<Double>

/// A network: its checked architecture and its weights. Layers are interpreted from the IR's
/// `NetworkSpec`; each op owns its backward in `EqxTensor`.
public final class NetworkOf<Scalar: TensorScalar> {
    public let spec: NetworkSpec
    public var state: StateDictOf<Scalar>
    /// Batches seen by each batch norm since its last reset (for cumulative averaging).
    public var batchNormBatches: [String: Int] = [:]

    /// PyTorch's default initialisation: Kaiming-uniform(a = √5) weights, U(±1/√fan_in) biases,
    /// batch norm γ = 1, β = 0, running mean 0, variance 1. Each layer draws from its own named stream,
    /// so adding a layer never changes another layer's initial weights.
    public init(spec: NetworkSpec, seed: UInt64, streamName: String) {
        self.spec = spec
        var state = StateDictOf<Scalar>()
        for layer in spec.flattenedLayers {
            var rng = RandomStream(seed: seed, name: "init/\(streamName)/\(layer.name)")
            var weightShape: [Int]? = nil
            for tensor in layer.tensors {
                let shape = tensor.shape
                // Drawn in Float32 in both precisions, so a float64 network starts at exactly the weights of
                // the float32 network of the same seed (Float → Double is exact).
                let t: Tensor
                switch tensor.initialization {
                case .ones: t = .filled(shape, with: 1)
                case .zeros: t = .zeros(shape)
                case .kaimingUniform:
                    t = Initializer.defaultWeight(shape, rng: &rng)
                    weightShape = shape
                case .biasUniform:
                    // Bias bound 1/√fan_in of the weight; a dense bias [out, H, W] is drawn flat.
                    let b = Initializer.defaultBias(weightShape: weightShape ?? shape, rng: &rng)
                    t = b.count == shape.reduce(1, *) ? (try! b.reshaped(shape))
                        : rng.uniformTensor(shape, -1 / Float(Initializer.fanIn(weightShape ?? shape)).squareRoot(),
                                            1 / Float(Initializer.fanIn(weightShape ?? shape)).squareRoot())
                }
                state.insert("\(layer.name).\(tensor.suffix)", t.converted(to: Scalar.self), trainable: tensor.trainable)
            }
        }
        self.state = state
    }

    /// A network with given weights; every key and shape must match the architecture.
    public init(spec: NetworkSpec, state: StateDictOf<Scalar>) throws {
        self.spec = spec
        let template = NetworkOf<Scalar>.expectedShapes(spec)
        for (key, shape) in template {
            guard let t = state[key] else {
                throw TensorError.invalidArgument(op: "load", message: "missing tensor '\(key)' (shape \(shape))")
            }
            guard t.shape == shape else { throw TensorError.shapeMismatch(op: "load '\(key)'", expected: shape, got: t.shape) }
        }
        if let extra = state.keys.first(where: { k in !template.contains { $0.0 == k } }) {
            throw TensorError.invalidArgument(op: "load", message: "unexpected tensor '\(extra)' for \(spec.name)")
        }
        self.state = state
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func copy() -> NetworkOf<Scalar> {
        let n = try! NetworkOf<Scalar>(spec: spec, state: state)
        n.batchNormBatches = batchNormBatches
        return n
    }

    static func expectedShapes(_ spec: NetworkSpec) -> [(String, [Int])] {
        spec.flattenedLayers.flatMap { l in
            (l.parameterShapes + l.bufferShapes).map { ("\(l.name).\($0.0)", $0.1) }
        }
    }

    public var parameterCount: Int { state.parameterKeys.reduce(0) { $0 + state[$1]!.count } }
}

/// How to run a forward pass.
public struct ForwardOptions {
    /// Training mode: batch norm uses batch statistics and updates running ones; dropout is active.
    public var training: Bool
    /// Whether parameters get gradients (false for evaluation and batch-norm re-estimation).
    public var gradients: Bool
    /// Layers whose outputs are kept (post-layer values, e.g. post-ReLU for activation matching).
    public var capture: Set<String>
    /// Random stream for dropout.
    public var rng: RandomStream?
    /// Batch norm in training mode averages all batches equally (re-estimating statistics after a merge).
    public var cumulativeBatchNorm = false
    /// Batch norms (by layer name) whose training statistics are shared over orbits of channels: an
    /// equivariant training's group (`ReynoldsProjector.batchNormOrbits`).
    public var sharedStatistics: [String: ChannelOrbits] = [:]
    /// Convs (by layer name) evaluated at Π_E of their kernel through its tap orbits, the K of their GEMMs
    /// shrunk to C·R (`orbitTiedConv2d`): an equivariant training's group with trivial channels
    /// (`ReynoldsProjector.tiedKernels`). Equal to the plain conv to rounding wherever the kernel is in E.
    public var tiedKernels: [String: TapOrbits] = [:]
    public init(training: Bool, gradients: Bool, capture: Set<String> = [], rng: RandomStream? = nil) {
        self.training = training; self.gradients = gradients; self.capture = capture; self.rng = rng
    }
    public static let evaluation = ForwardOptions(training: false, gradients: false)
}

public typealias ForwardResult = ForwardResultOf<Float>

public struct ForwardResultOf<Scalar: TensorScalar> {
    public var output: VariableOf<Scalar>
    /// The parameter leaves of this pass, by key, so callers read `.grad` after `backward()`.
    public var parameters: [String: VariableOf<Scalar>]
    public var activations: [String: TensorOf<Scalar>]
}

extension NetworkOf {
    /// Runs the network on a batch [N, ...sample shape].
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ input: TensorOf<Scalar>, options: ForwardOptions) throws -> ForwardResultOf<Scalar> {
        guard Array(input.shape.dropFirst()) == spec.inputShape else {
            throw TensorError.shapeMismatch(op: "network '\(spec.name)' input", expected: [input.shape.first ?? -1] + spec.inputShape,
                                            got: input.shape)
        }
        var params: [String: VariableOf<Scalar>] = [:]
        for k in state.keys {
            params[k] = VariableOf<Scalar>(state[k]!, requiresGrad: options.gradients && state.trainable.contains(k), label: k)
        }
        var context = ForwardContextOf<Scalar>(options: options, params: params)
        let out: VariableOf<Scalar>
        if options.gradients {
            out = try apply(spec.layers, to: VariableOf<Scalar>(input), context: &context)
        } else {
            out = try Gradients.disabled { try apply(spec.layers, to: VariableOf<Scalar>(input), context: &context) }
        }
        if options.training {
            for (k, stats) in context.statistics {
                state["\(k).running_mean"] = stats.runningMean
                state["\(k).running_var"] = stats.runningVariance
                batchNormBatches[k] = stats.batchesTracked
            }
        }
        return ForwardResultOf<Scalar>(output: out, parameters: params, activations: context.activations)
    }

    /// Logits without gradients, in eval mode, over a large batch split into chunks.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func predict(_ input: TensorOf<Scalar>, batchSize: Int = 256) throws -> TensorOf<Scalar> {
        let n = input.shape[0]
        var parts: [TensorOf<Scalar>] = []
        var start = 0
        while start < n {
            let end = min(n, start + batchSize)
            parts.append(try forward(input.slicedBatch(start..<end), options: .evaluation).output.value)
            start = end
        }
        return parts.count == 1 ? parts[0] : try TensorOf<Scalar>.concatenatedBatch(parts)
    }

    func apply(_ layers: [Layer], to input: VariableOf<Scalar>, context: inout ForwardContextOf<Scalar>) throws -> VariableOf<Scalar> {
        var x = input
        var i = 0
        while i < layers.count {
            let layer = layers[i]
            // In inference a conv directly followed by batch norm (and ReLU) applies them as it writes its
            // output, unless the conv's or the batch norm's own output is wanted.
            if let fused = inferenceEpilogue(at: i, of: layers, input: x, context: context) {
                x = try fused.conv.forward(x, layer: layer, context: context, epilogue: fused.epilogue)
                i += fused.layers - 1
            // Batch norm directly followed by ReLU runs as one fused op unless its own output is wanted.
            } else if case .batchNorm(let bn) = layer.kind, i + 1 < layers.count, case .activation(let a) = layers[i + 1].kind,
               a.function == .relu, !context.options.capture.contains(layer.name) {
                x = try bn.forward(x, layer: layer, network: self, context: &context, thenReLU: true)
                i += 1
            } else {
                x = try apply(layer, to: x, context: &context)
            }
            if context.options.capture.contains(layers[i].name) { context.activations[layers[i].name] = x.value }
            i += 1
        }
        return x
    }

    /// Layers i, i+1 (and i+2) when they are conv → batch norm (→ ReLU) in an inference pass (no gradients)
    /// and neither the conv's nor the batch norm's output is captured: the conv and the epilogue that
    /// applies the other one or two as the conv writes its output (bit-identical to running them apart).
    func inferenceEpilogue(at i: Int, of layers: [Layer], input x: VariableOf<Scalar>,
                           context: ForwardContextOf<Scalar>) -> (conv: Conv, epilogue: ChannelEpilogue<Scalar>, layers: Int)? {
        let options = context.options
        guard !options.training, !options.gradients, !x.requiresGrad, i + 1 < layers.count,
              case .conv(let conv) = layers[i].kind, case .batchNorm(let bn) = layers[i + 1].kind,
              options.tiedKernels[layers[i].name] == nil,
              !options.capture.contains(layers[i].name), !options.capture.contains(layers[i + 1].name) else { return nil }
        var relu = false
        if i + 2 < layers.count, case .activation(let a) = layers[i + 2].kind, a.function == .relu { relu = true }
        guard let epilogue = try? bn.evaluationEpilogue(layer: layers[i + 1], network: self, context: context, thenReLU: relu) else {
            return nil
        }
        return (conv, epilogue, relu ? 3 : 2)
    }

    /// The one switch over layer kinds in the runtime: each kind's forward op is in `Layers/`.
    private func apply(_ layer: Layer, to x: VariableOf<Scalar>, context: inout ForwardContextOf<Scalar>) throws -> VariableOf<Scalar> {
        switch layer.kind {
        case .conv(let k): return try k.forward(x, layer: layer, context: context)
        case .linear(let k): return try k.forward(x, layer: layer, context: context)
        case .dense(let k): return try k.forward(x, layer: layer, context: context)
        case .activation(let k): return k.forward(x)
        case .pool(let k): return try k.forward(x)
        case .globalAvgPool: return try globalAvgPool(x)
        case .flatten: return try flatten(x)
        case .dropout(let k): return try k.forward(x, context: &context)
        case .batchNorm(let k): return try k.forward(x, layer: layer, network: self, context: &context, thenReLU: false)
        case .layerNorm(let k): return try k.forward(x, layer: layer, context: context)
        case .residual(let k):
            let y = try apply(k.body, to: x, context: &context)
            return try add(y, try k.shortcut.map { try apply($0, to: x, context: &context) } ?? x)
        }
    }
}

struct ForwardContextOf<Scalar: TensorScalar> {
    var options: ForwardOptions
    var params: [String: VariableOf<Scalar>]
    var activations: [String: TensorOf<Scalar>] = [:]
    var statistics: [String: BatchNormStatisticsOf<Scalar>] = [:]
    var rng: RandomStream?
    init(options: ForwardOptions, params: [String: VariableOf<Scalar>]) {
        self.options = options; self.params = params; self.rng = options.rng
    }
}

extension NetworkOf {
    /// Re-estimates every batch norm's running statistics on `batches` (train-mode passes without
    /// gradients, each batch weighted equally), as after interpolating two networks. `beforeEachBatch` runs
    /// before every pass; what it throws ends the reset early (the statistics are then partial).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func resetBatchNormStatistics(on batches: [TensorOf<Scalar>], beforeEachBatch: () throws -> Void = {}) throws {
        var any = false
        for layer in spec.flattenedLayers {
            if case .batchNorm = layer.kind {
                state["\(layer.name).running_mean"] = .zeros([layer.inputShape[0]])
                state["\(layer.name).running_var"] = .filled([layer.inputShape[0]], with: 1)
                batchNormBatches[layer.name] = 0
                any = true
            }
        }
        guard any else { return }
        var options = ForwardOptions(training: true, gradients: false)
        options.cumulativeBatchNorm = true
        for b in batches {
            try beforeEachBatch()
            _ = try forward(b, options: options)
        }
    }
}
