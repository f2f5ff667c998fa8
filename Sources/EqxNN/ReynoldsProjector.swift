import EqxGroups
import EqxIR
import EqxTensor

/// Π_E, the orthogonal projection onto the equivariant subspace E = {θ : g·θ = θ for all g}.
/// For permutation representations the Reynolds average (1/|G|) Σ_g g·θ is the mean over each orbit
/// of parameter entries, and orbits need only the group's generators — so S_10 (3.6 million elements)
/// costs no more than a mirror.
public struct ReynoldsProjector {
    public let representation: NetworkRepresentation
    /// Orbit partition of the entries of each state-dict tensor.
    public let partitions: [String: OrbitPartition]

    public init(representation: NetworkRepresentation) throws {
        self.representation = representation
        let generatorPermutations = try representation.group.generators.map { try representation.permutations(element: $0) }
        var partitions: [String: OrbitPartition] = [:]
        for layer in representation.spec.flattenedLayers {
            for (suffix, shape) in layer.parameterShapes + layer.bufferShapes {
                let key = "\(layer.name).\(suffix)"
                let perms = generatorPermutations.compactMap { $0[key] }
                partitions[key] = OrbitPartition(permutations: perms, count: shape.reduce(1, *))
            }
        }
        self.partitions = partitions
    }

    public init(group: FiniteGroup, spec: NetworkSpec, hidden: ChannelAction,
                learned: [String: ChannelRepresentation] = [:]) throws {
        try self.init(representation: NetworkRepresentation(group: group, spec: spec, hidden: hidden, learned: learned))
    }

    /// Π_E of one tensor of the state dict.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func project<Scalar: TensorScalar>(_ tensor: TensorOf<Scalar>, key: String) -> TensorOf<Scalar> {
        guard let partition = partitions[key], partition.orbitCount < partition.count else { return tensor }
        var t = tensor
        t.withUnsafeMutableBufferPointer { partition.project($0) }
        return t
    }

    /// Π_E θ for the trainable parameters (and the batch-norm statistics when asked: eval-mode batch norm
    /// is then exactly equivariant too).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func project<Scalar: TensorScalar>(_ state: StateDictOf<Scalar>, includeBuffers: Bool = false) -> StateDictOf<Scalar> {
        var out = state
        for k in state.keys where includeBuffers || state.trainable.contains(k) {
            out[k] = project(state[k]!, key: k)
        }
        return out
    }

    /// Batch norms whose channels the group permutes (regular channels; after `flatten`, positions too):
    /// each gets the orbits over which its statistics are shared in equivariant training.
    public var batchNormOrbits: [String: ChannelOrbits] {
        var result: [String: ChannelOrbits] = [:]
        for layer in representation.spec.flattenedLayers {
            guard case .batchNorm = layer.kind, let partition = partitions["\(layer.name).running_mean"],
                  partition.orbitCount < partition.count else { continue }
            result[layer.name] = try? ChannelOrbits(orbitOfChannel: (0..<partition.count).map(partition.orbit(of:)))
        }
        return result
    }

    /// ‖θ − Π_E θ‖ per layer and in total, absolute and relative to ‖θ‖ (trainable parameters only), over
    /// the named layers when `layers` is given.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func distance<Scalar: TensorScalar>(_ state: StateDictOf<Scalar>, layers: Set<String>? = nil) -> DistanceToE {
        var perLayer: [DistanceToE.Layer] = []
        var total = 0.0, norm = 0.0
        for layer in representation.spec.flattenedLayers where !layer.parameterShapes.isEmpty && layers?.contains(layer.name) ?? true {
            var d2 = 0.0, n2 = 0.0
            for (suffix, _) in layer.parameterShapes {
                let key = "\(layer.name).\(suffix)"
                guard let t = state[key] else { continue }
                let p = project(t, key: key)
                d2 += (try? (t - p).squaredNorm) ?? .nan
                n2 += t.squaredNorm
            }
            perLayer.append(.init(name: layer.name, absolute: d2.squareRoot(), relative: n2 > 0 ? (d2 / n2).squareRoot() : 0))
            total += d2; norm += n2
        }
        return DistanceToE(layers: perLayer, absolute: total.squareRoot(), relative: norm > 0 ? (total / norm).squareRoot() : 0)
    }

    /// Dimension of E∩(parameter space) against the full dimension, per layer: where E is {0} or nearly so
    /// (e.g. an invariant linear map on a space that has no invariant vectors), training in E is pointless.
    public func dimensions() -> [(layer: String, equivariant: Int, total: Int)] {
        representation.spec.flattenedLayers.filter { !$0.parameterShapes.isEmpty }.map { layer in
            var e = 0, t = 0
            for (suffix, shape) in layer.parameterShapes {
                let count = shape.reduce(1, *)
                e += partitions["\(layer.name).\(suffix)"]?.orbitCount ?? count
                t += count
            }
            return (layer.name, e, t)
        }
    }
}

public struct DistanceToE: Equatable {
    public struct Layer: Equatable {
        public var name: String
        public var absolute: Double
        public var relative: Double
    }
    public var layers: [Layer]
    public var absolute: Double
    public var relative: Double
}
