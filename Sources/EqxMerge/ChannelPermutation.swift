import EqxIR
import EqxNN
import EqxTensor

/// How each state-dict tensor's axes relate to permutation symbols: a logical shape (spatial axes
/// folded) and, per logical axis, the symbol that permutes it.
struct TensorAxes {
    var shape: [Int]
    var symbols: [Int?]
}

extension PermutationSymbols {
    /// The logical axes of every tensor of `spec`'s state dict: the layer kind's tensor axes with their
    /// sizes, channel axes carrying the symbol of the layer's input or output channels.
    func axes(_ spec: NetworkSpec) -> [String: TensorAxes] {
        var out: [String: TensorAxes] = [:]
        let layouts = spec.featureLayouts
        for layer in spec.flattenedLayers {
            guard let (input, output) = layouts[layer.name] else { continue }
            let i = inputSymbol[layer.name], o = outputSymbol[layer.name]
            for tensor in layer.tensors {
                let sized: [(Int, Int?)] = tensor.axes.map { axis in
                    switch axis {
                    case .outputChannels: return (output.channels, o)
                    case .inputChannels: return (input.channels, i)
                    case .outputPositions: return (output.spatial.size, nil)
                    case .inputPositions: return (input.spatial.size, nil)
                    case let .kernel(h, w): return (h * w, nil)
                    }
                }
                out["\(layer.name).\(tensor.suffix)"] = TensorAxes(shape: sized.map(\.0), symbols: sized.map(\.1))
            }
        }
        return out
    }
}

/// Gathers along one logical axis: out[..., k, ...] = t[..., perm[k], ...].
func permuteAxis(_ t: Tensor, shape: [Int], axis: Int, perm: [Int]) throws -> Tensor {
    let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    var idx = [Int](repeating: 0, count: t.count)
    for a in 0..<outer {
        for k in 0..<n {
            let dst = (a * n + k) * inner, src = (a * n + perm[k]) * inner
            for b in 0..<inner { idx[dst + b] = src + b }
        }
    }
    return try t.gathered(indices: idx, shape: t.shape)
}

/// A channel permutation for every symbol: new channel k of the permuted network is old channel perm[k].
public struct ChannelPermutation: Equatable {
    public var perms: [[Int]]

    public static func identity(_ symbols: PermutationSymbols) -> ChannelPermutation {
        ChannelPermutation(perms: symbols.symbols.map { Array(0..<$0.channels) })
    }

    /// P(θ): every tensor permuted on every axis a symbol acts on. The function is unchanged.
    public func apply(to state: StateDict, spec: NetworkSpec, symbols: PermutationSymbols, except: Int? = nil) throws -> StateDict {
        let axes = symbols.axes(spec)
        var out = state
        for k in state.keys {
            guard let a = axes[k] else { continue }
            var t = state[k]!
            for (axis, s) in a.symbols.enumerated() {
                guard let s = s, s != except else { continue }
                t = try permuteAxis(t, shape: a.shape, axis: axis, perm: perms[s])
            }
            out[k] = t
        }
        return out
    }
}
