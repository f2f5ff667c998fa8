import EqxTensor

/// Float32 state dicts (the default precision).
public typealias StateDict = StateDictOf<Float>

/// A network's named tensors in checkpoint order: trainable parameters (`conv1.weight`) and buffers
/// (`bn1.running_mean`). Keys and layouts match PyTorch's `state_dict`, so checkpoints load there.
public struct StateDictOf<Scalar: TensorScalar>: Equatable {
    public private(set) var keys: [String]
    public private(set) var tensors: [String: TensorOf<Scalar>]
    /// Keys that training updates; the rest are buffers.
    public private(set) var trainable: Set<String>

    public init() { keys = []; tensors = [:]; trainable = [] }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func insert(_ key: String, _ tensor: TensorOf<Scalar>, trainable isTrainable: Bool) {
        if tensors[key] == nil { keys.append(key) }
        tensors[key] = tensor
        if isTrainable { trainable.insert(key) } else { trainable.remove(key) }
    }

    public subscript(key: String) -> TensorOf<Scalar>? {
        get { tensors[key] }
        set {
            guard let v = newValue else { return }
            precondition(tensors[key] != nil, "StateDict has no key \(key)")
            tensors[key] = v
        }
    }

    public var parameterKeys: [String] { keys.filter { trainable.contains($0) } }
    public var bufferKeys: [String] { keys.filter { !trainable.contains($0) } }

    /// Σ‖θ_k‖² over trainable parameters, in Float64.
    public var parameterSquaredNorm: Double {
        parameterKeys.reduce(0) { $0 + tensors[$1]!.squaredNorm }
    }

    /// Every tensor in another precision (Float → Double exact, Double → Float rounded to nearest).
    @_specialize(where Scalar == Float, Target == Double)
    @_specialize(where Scalar == Double, Target == Float)
    public func converted<Target: TensorScalar>(to: Target.Type = Target.self) -> StateDictOf<Target> {
        var out = StateDictOf<Target>()
        for k in keys { out.insert(k, tensors[k]!.converted(to: Target.self), trainable: trainable.contains(k)) }
        return out
    }

    /// (1 − α)·self + α·other for every tensor (parameters and buffers alike, as in the merging papers).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func interpolated(with other: StateDictOf<Scalar>, alpha: Scalar) throws -> StateDictOf<Scalar> {
        guard keys == other.keys else {
            throw TensorError.invalidArgument(op: "interpolate", message: "the two networks have different parameters")
        }
        var out = self
        for k in keys {
            var t = tensors[k]!.scaled(by: 1 - alpha)
            try t.add(other.tensors[k]!, scaledBy: alpha)
            out.tensors[k] = t
        }
        return out
    }

    /// Mean of several state dicts with the same keys.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func average(_ states: [StateDictOf<Scalar>]) throws -> StateDictOf<Scalar> {
        guard var out = states.first else {
            throw TensorError.invalidArgument(op: "average", message: "no networks to average")
        }
        let w = 1 / Scalar(states.count)
        for k in out.keys {
            var t = out.tensors[k]!.scaled(by: w)
            for s in states.dropFirst() {
                guard let o = s.tensors[k] else {
                    throw TensorError.invalidArgument(op: "average", message: "missing \(k)")
                }
                try t.add(o, scaledBy: w)
            }
            out.tensors[k] = t
        }
        return out
    }
}
