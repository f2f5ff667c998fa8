import EqxGroups

/// The feature space a group acts on before and after every layer of a network (design brief §1):
/// channels under a representation, tensored with positions. The checker counts dim E from it and the
/// runtime's `NetworkRepresentation` builds its gathers from it, so both see the same action.
public struct NetworkSpaces {
    public let input: FeatureSpace
    /// The space of each layer's output, in `flattenedLayers` order.
    public let outputs: [FeatureSpace]
    /// Layers with parameters or buffers: name → (input space, output space).
    public let parameterised: [String: (input: FeatureSpace, output: FeatureSpace)]

    /// - Parameters:
    ///   - hidden: channel action of hidden channel-mixing layers that declare none.
    ///   - learned: explicit channel permutations per layer output (from merges), overriding the rest;
    ///     a layer's entry applies to every layer that carries its channels on (ReLU, pooling, norms).
    public init(group: FiniteGroup, spec: NetworkSpec, hidden: ChannelAction,
                learned: [String: ChannelRepresentation] = [:]) throws {
        let actions = spec.channelActions(hidden: hidden)
        let input = NetworkSpaces.inputSpace(shape: spec.inputShape)
        try group.validateAction(on: input)
        var spaceByName: [String: FeatureSpace] = [:]
        var parameterised: [String: (FeatureSpace, FeatureSpace)] = [:]
        var flatIndex = 0
        // Walk the layers carrying the current space, in `flattenedLayers` order (a residual before its body).
        func walk(_ layers: [Layer], from start: FeatureSpace) throws -> FeatureSpace {
            var current = start
            for layer in layers {
                let input = current
                let action = actions[flatIndex]
                flatIndex += 1
                if case .residual(let body) = layer.kind {
                    let bodyOutput = try walk(body, from: input)
                    // The shortcut adds the input, so the group must act on both operands alike.
                    guard bodyOutput == input else {
                        throw GroupError.invalidChannelRepresentation(
                            "residual block '\(layer.name)' adds its input (\(input)) to its body's output (\(bodyOutput)), "
                                + "so \(group.name) must act on both alike; give the body's last channel-mixing layer "
                                + "the input's channel action")
                    }
                    spaceByName[layer.name] = input   // the shortcut: output carries the input's action
                    continue
                }
                let rep: ChannelRepresentation
                if let l = learned[layer.name] {
                    rep = l
                } else if layer.kind.mixesChannels {
                    rep = action == .regular ? .regular : .trivial
                } else {
                    rep = input.representation
                }
                switch layer.kind {
                case .flatten:
                    current = input   // the vector is the C×H×W space, channels slowest
                case .linear, .globalAvgPool:
                    current = FeatureSpace(channels: layer.outputShape[0], representation: rep, spatial: .none)
                default:
                    current = layer.outputShape.count == 3
                        ? FeatureSpace(channels: layer.outputShape[0], representation: rep,
                                       spatial: .grid(height: layer.outputShape[1], width: layer.outputShape[2]))
                        : FeatureSpace(channels: input.channels, representation: rep, spatial: input.spatial)
                }
                try group.validateAction(on: current)
                if !layer.parameterShapes.isEmpty || !layer.bufferShapes.isEmpty {
                    parameterised[layer.name] = (input, current)
                }
                spaceByName[layer.name] = current
            }
            return current
        }
        _ = try walk(spec.layers, from: input)
        self.input = input
        self.outputs = spec.flattenedLayers.map { spaceByName[$0.name]! }
        self.parameterised = parameterised
    }

    /// Samples are images [C, H, W], node vectors [n] (S_n permutes coordinates) or plain vectors.
    public static func inputSpace(shape: [Int]) -> FeatureSpace {
        switch shape.count {
        case 3: return FeatureSpace(channels: shape[0], representation: .trivial, spatial: .grid(height: shape[1], width: shape[2]))
        case 1: return FeatureSpace(channels: 1, representation: .trivial, spatial: .vector(length: shape[0]))
        default: return FeatureSpace(channels: shape.reduce(1, *), representation: .trivial, spatial: .none)
        }
    }
}

extension Layer {
    /// The factors of a parameter or buffer tensor's index set that g·θ permutes diagonally, given the
    /// layer's input and output spaces: a conv weight is (out channels, in channels, kernel positions), a
    /// linear or dense weight is (output space, input space) with positions, a per-channel vector is its
    /// channels, a layer norm's parameters are the positions (and channels) it normalises over.
    public func parameterFactors(_ suffix: String, shape: [Int], input: FeatureSpace, output: FeatureSpace) -> [IndexFactor] {
        func space(_ s: FeatureSpace) -> [IndexFactor] { [.channels(s.channels, s.representation), .positions(s.spatial)] }
        switch (kind, suffix) {
        case let (.conv(_, kh, kw, _, _, _, _), "weight"):
            return [.channels(output.channels, output.representation), .channels(input.channels, input.representation),
                    .positions(.kernel(height: kh, width: kw))]
        case (.linear, "weight"), (.dense, "weight"):
            return space(output) + space(input)
        case (.dense, "bias"):
            return space(output)
        case (.layerNorm(let d, _), _):
            return d == inputShape.count ? space(input) : [.positions(input.spatial)]
        default:
            // Per-channel vectors: conv/linear bias, batch-norm γ, β and running statistics.
            return [.channels(shape[0], output.representation)]
        }
    }
}
