import EqxGroups

/// dim E per tensor and per layer: the number of orbits of G on each tensor's entries, which is how many
/// free values the Reynolds projection Π_E leaves. Counted by Burnside's lemma on the tensor's index
/// factors (`FiniteGroup.orbitCount(on:)`), so the checker never builds a gather or a tensor.
public struct EquivariantDimensions {
    public struct Count: Hashable, Sendable {
        /// dim E.
        public var equivariant: Int
        /// The tensor's (or layer's) full dimension.
        public var total: Int

        public init(equivariant: Int, total: Int) { self.equivariant = equivariant; self.total = total }
    }

    public let spaces: NetworkSpaces
    /// Every parameter and buffer tensor, by state-dict key (`conv1.weight`, `bn1.running_mean`).
    public let tensors: [String: Count]
    /// Trainable parameters per parameterised layer, in `flattenedLayers` order.
    public let layers: [(layer: String, count: Count)]

    public init(group: FiniteGroup, spec: NetworkSpec, hidden: ChannelAction) throws {
        let spaces = try NetworkSpaces(group: group, spec: spec, hidden: hidden)
        var tensors: [String: Count] = [:]
        var layers: [(String, Count)] = []
        for layer in spec.flattenedLayers {
            guard let (input, output) = spaces.parameterised[layer.name] else { continue }
            var sum = Count(equivariant: 0, total: 0)
            for tensor in layer.tensors {
                let count = Count(equivariant: try group.orbitCount(on: tensor.indexFactors(input: input, output: output)),
                                  total: tensor.shape.reduce(1, *))
                tensors["\(layer.name).\(tensor.suffix)"] = count
                if tensor.trainable {
                    sum.equivariant += count.equivariant
                    sum.total += count.total
                }
            }
            if !layer.parameterShapes.isEmpty { layers.append((layer.name, sum)) }
        }
        self.spaces = spaces
        self.tensors = tensors
        self.layers = layers
    }
}
