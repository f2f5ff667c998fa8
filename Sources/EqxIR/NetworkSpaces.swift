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
        // Walk the layers carrying the current space, in `flattenedLayers` order (a layer before its branches).
        func walk(_ layers: [Layer], from start: FeatureSpace) throws -> FeatureSpace {
            var current = start
            for layer in layers {
                let input = current
                let action = actions[flatIndex]
                flatIndex += 1
                let ends = try layer.branches.map { try walk($0, from: input) }
                if let body = ends.first {
                    // The sum of the branches (the shortcut is the input when absent): the group must act on
                    // both operands alike.
                    let other = ends.count > 1 ? ends[1] : input
                    guard body == other else {
                        throw GroupError.invalidChannelRepresentation(
                            "residual block '\(layer.name)' adds \(ends.count > 1 ? "its shortcut's output" : "its input") (\(other)) "
                                + "to its body's output (\(body)), so \(group.name) must act on both alike; give the body's "
                                + "last channel-mixing layer the same channel action")
                    }
                    current = body
                } else {
                    let rep: ChannelRepresentation
                    if let l = learned[layer.name] {
                        rep = l
                    } else if layer.kind.mixesChannels {
                        rep = action == .regular ? .regular : .trivial
                    } else {
                        rep = input.representation
                    }
                    let layout = layer.kind.definition.outputLayout(input: FeatureLayout(input), output: layer.outputShape)
                    current = FeatureSpace(channels: layout.channels, representation: rep, spatial: layout.spatial)
                }
                try group.validateAction(on: current)
                if !layer.tensors.isEmpty { parameterised[layer.name] = (input, current) }
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
    public static func inputSpace(shape: [Int]) -> FeatureSpace { FeatureSpace(sampleShape: shape) }
}

extension FeatureLayout {
    init(_ space: FeatureSpace) { self.init(channels: space.channels, spatial: space.spatial) }
}

extension TensorSpec {
    /// The factors of the tensor's index set that g·θ permutes diagonally, given the layer's input and
    /// output spaces — the one place where a tensor's axes meet the group: g·θ's gathers, dim E (Burnside)
    /// and Π_E's orbits all follow from it.
    public func indexFactors(input: FeatureSpace, output: FeatureSpace) -> [IndexFactor] {
        axes.map { axis in
            switch axis {
            case .outputChannels: return .channels(output.channels, output.representation)
            case .inputChannels: return .channels(input.channels, input.representation)
            case .outputPositions: return .positions(output.spatial)
            case .inputPositions: return .positions(input.spatial)
            case let .kernel(h, w): return .positions(.kernel(height: h, width: w))
            }
        }
    }
}
