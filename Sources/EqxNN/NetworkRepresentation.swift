import EqxGroups
import EqxIR
import EqxTensor

/// The representation of a group on every feature space of a network (design brief §1) and the
/// induced action on its weights: g·θ maps each layer A to ρ_out(g) A ρ_in(g)⁻¹. Because every ρ here
/// is a permutation representation, g·θ is a gather of each parameter tensor, and the Reynolds
/// projection Π_E replaces every entry by the mean over its orbit.
public struct NetworkRepresentation {
    public let group: FiniteGroup
    public let spec: NetworkSpec
    /// The representation on each layer's output, in `spec.flattenedLayers` order.
    public let outputSpaces: [FeatureSpace]
    public let inputSpace: FeatureSpace
    /// Layers whose parameters are acted on: name → (input space, output space).
    let layerSpaces: [String: (input: FeatureSpace, output: FeatureSpace)]

    /// - Parameters:
    ///   - hidden: channel action of hidden channel-mixing layers that declare none.
    ///   - learned: explicit channel permutations per layer output (from merges), overriding the rest;
    ///     a layer's entry applies to every layer that carries its channels on (ReLU, pooling, norms).
    public init(group: FiniteGroup, spec: NetworkSpec, hidden: ChannelAction,
                learned: [String: ChannelRepresentation] = [:]) throws {
        let spaces = try NetworkSpaces(group: group, spec: spec, hidden: hidden, learned: learned)
        self.group = group
        self.spec = spec
        inputSpace = spaces.input
        outputSpaces = spaces.outputs
        layerSpaces = spaces.parameterised
    }

    /// perm[g] for every tensor of the state dict (parameters and buffers), from each tensor's index factors.
    public func permutations(element g: Int) throws -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for layer in spec.flattenedLayers {
            guard let (input, output) = layerSpaces[layer.name] else { continue }
            for tensor in layer.tensors {
                result["\(layer.name).\(tensor.suffix)"] = try group.permutation(
                    element: g, on: tensor.indexFactors(input: input, output: output))
            }
        }
        return result
    }

    /// g·θ: every tensor gathered by its permutation.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transform<Scalar: TensorScalar>(_ state: StateDictOf<Scalar>, element g: Int) throws -> StateDictOf<Scalar> {
        let perms = try permutations(element: g)
        var out = state
        for k in state.keys {
            guard let p = perms[k] else { continue }
            out[k] = try state[k]!.gathered(indices: p, shape: state[k]!.shape)
        }
        return out
    }

    /// The action on input samples, (g·x)[n] = ρ_0(g) x[n] for every sample n of a batch.
    public var inputAction: SampleAction {
        get throws { try SampleAction.shared(group: group, sampleShape: spec.inputShape) }
    }
}

extension TensorOf {
    /// The batch [N, …] with sample s moved by `elements[s]` (g·x per sample).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func acted(by action: SampleAction, elements: [Int]) throws -> TensorOf<Scalar> {
        guard let n = shape.first, n == elements.count, count == n * action.sampleSize else {
            throw TensorError.shapeMismatch(op: "apply group element", expected: [elements.count, action.sampleSize], got: shape)
        }
        return try gathered(indices: action.batchIndices(elements: elements), shape: shape)
    }

    /// The batch with every sample moved by the same element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func acted(by action: SampleAction, element g: Int) throws -> TensorOf<Scalar> {
        try acted(by: action, elements: Array(repeating: g, count: shape.first ?? 0))
    }
}
