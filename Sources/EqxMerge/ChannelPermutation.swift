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
    /// The logical axes of every tensor of `spec`'s state dict.
    func axes(_ spec: NetworkSpec) -> [String: TensorAxes] {
        var out: [String: TensorAxes] = [:]
        for layer in spec.flattenedLayers {
            let i = inputSymbol[layer.name], o = outputSymbol[layer.name]
            let inSpatial = layer.inputShape.dropFirst().reduce(1, *)
            let outSpatial = layer.outputShape.dropFirst().reduce(1, *)
            for (suffix, shape) in layer.parameterShapes + layer.bufferShapes {
                let key = "\(layer.name).\(suffix)"
                switch (layer.kind, suffix) {
                case let (.conv(out_, kh, kw, _, _, _, _), "weight"):
                    out[key] = TensorAxes(shape: [out_, layer.inputShape[0], kh * kw], symbols: [o, i, nil])
                case let (.linear(out_, _), "weight"):
                    // After flatten the input is C×H×W with channels slowest: the symbol acts on C.
                    let features = layer.inputShape.reduce(1, *)
                    let c = i.map { symbols[$0].channels } ?? features
                    out[key] = TensorAxes(shape: [out_, c, features / c], symbols: [o, i, nil])
                case let (.dense(out_, _), "weight"):
                    out[key] = TensorAxes(shape: [out_, outSpatial, layer.inputShape[0], inSpatial], symbols: [o, nil, i, nil])
                case let (.dense(out_, _), "bias"):
                    out[key] = TensorAxes(shape: [out_, outSpatial], symbols: [o, nil])
                case let (.layerNorm(d, _), _):
                    out[key] = d == layer.inputShape.count
                        ? TensorAxes(shape: [layer.inputShape[0], inSpatial], symbols: [i, nil])
                        : TensorAxes(shape: [shape.reduce(1, *)], symbols: [nil])
                default:
                    let c = o.map { symbols[$0].channels } ?? shape[0]
                    out[key] = TensorAxes(shape: [c, shape[0] / c], symbols: [o, nil])
                }
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
