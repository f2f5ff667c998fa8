import EqxIR
import EqxNN
import EqxTensor

/// Channel statistics of two networks on the same inputs, accumulated in Float64 (design brief §2).
struct CorrelationAccumulator {
    let channels: Int
    var rows = 0.0
    var sumA: [Double], sumB: [Double], sumA2: [Double], sumB2: [Double]
    var cross: [Double]

    init(channels: Int) {
        self.channels = channels
        sumA = .init(repeating: 0, count: channels); sumB = sumA; sumA2 = sumA; sumB2 = sumA
        cross = .init(repeating: 0, count: channels * channels)
    }

    /// Adds activations [N, C, ...] of both networks: each (sample, position) is one observation.
    mutating func add(_ a: Tensor, _ b: Tensor) throws {
        let c = channels
        let ma = try channelMajor(a, channels: c), mb = try channelMajor(b, channels: c)
        let rowsHere = ma.count / c
        let ca = ma.scalars, cb = mb.scalars
        for i in 0..<c {
            var s = 0.0, s2 = 0.0, t = 0.0, t2 = 0.0
            for r in 0..<rowsHere {
                let x = Double(ca[i * rowsHere + r]), y = Double(cb[i * rowsHere + r])
                s += x; s2 += x * x; t += y; t2 += y * y
            }
            sumA[i] += s; sumA2[i] += s2; sumB[i] += t; sumB2[i] += t2
        }
        // Cross moments through one GEMM per batch (Float32 products, Float64 accumulation across batches).
        let m = try ma.matmul(mb, transposeOther: true).scalars
        for k in 0..<(c * c) { cross[k] += Double(m[k]) }
        rows += Double(rowsHere)
    }

    /// corr[i, j] = cov(a_i, b_j) / (σ_a,i · σ_b,j + ε). A channel without spread (dead, or constant:
    /// σ ≤ 1e-6·|μ|, below Float32 resolution) has correlation 0 with everything — never NaN, and not the
    /// rounding noise of its Float32 cross moments amplified by 1/ε.
    func correlation(epsilon: Double = 1e-4) -> [Double] {
        let c = channels, n = max(rows, 1)
        var out = [Double](repeating: 0, count: c * c)
        let ma = sumA.map { $0 / n }, mb = sumB.map { $0 / n }
        let sa = (0..<c).map { max(0, sumA2[$0] / n - ma[$0] * ma[$0]).squareRoot() }
        let sb = (0..<c).map { max(0, sumB2[$0] / n - mb[$0] * mb[$0]).squareRoot() }
        let flatA = (0..<c).map { sa[$0] <= 1e-6 * abs(ma[$0]) }, flatB = (0..<c).map { sb[$0] <= 1e-6 * abs(mb[$0]) }
        for i in 0..<c where !flatA[i] {
            for j in 0..<c where !flatB[j] {
                let cov = cross[i * c + j] / n - ma[i] * mb[j]
                let v = cov / (sa[i] * sb[j] + epsilon)
                out[i * c + j] = v.isFinite ? v : 0
            }
        }
        return out
    }
}

/// [N, C, rest] → [C, N·rest] so that channel statistics are row operations.
func channelMajor(_ t: Tensor, channels c: Int) throws -> Tensor {
    let n = t.shape[0], rest = t.count / max(1, n * c)
    guard n * c * rest == t.count else {
        throw TensorError.shapeMismatch(op: "activation matching", expected: [n, c, rest], got: t.shape)
    }
    var idx = [Int](repeating: 0, count: t.count)
    for ch in 0..<c {
        for s in 0..<n {
            let dst = ch * n * rest + s * rest, src = (s * c + ch) * rest
            for r in 0..<rest { idx[dst + r] = src + r }
        }
    }
    return try t.gathered(indices: idx, shape: [c, n * rest])
}

/// Both matchings call `beforeEachStep` before every batch and every assignment; what it throws (a
/// cancellation) ends the matching there.
enum Matching {
    /// Activation matching: for every symbol, the assignment maximising total correlation between A's
    /// channels and B's at the symbol's match point, over the given (un-augmented) batches.
    static func activations(a: Network, b: Network, symbols: PermutationSymbols, batches: [Tensor],
                            beforeEachStep: () throws -> Void = {}) throws -> ChannelPermutation {
        var acc = symbols.symbols.map { CorrelationAccumulator(channels: $0.channels) }
        let capture = Set(symbols.symbols.map(\.matchPoint))
        for x in batches {
            try beforeEachStep()
            let fa = try a.forward(x, options: ForwardOptions(training: false, gradients: false, capture: capture)).activations
            let fb = try b.forward(x, options: ForwardOptions(training: false, gradients: false, capture: capture)).activations
            for s in symbols.symbols {
                try acc[s.id].add(fa[s.matchPoint]!, fb[s.matchPoint]!)
            }
        }
        var perms: [[Int]] = []
        for s in symbols.symbols {
            try beforeEachStep()
            let corr = acc[s.id].correlation()
            perms.append(try LinearAssignment.solve(cost: corr, rows: s.channels, columns: s.channels, maximize: true))
        }
        return ChannelPermutation(perms: perms)
    }

    /// Weight matching (Git Re-Basin): coordinate ascent over symbols in an order drawn from the seed,
    /// each step a linear assignment on Σ ⟨A, P(B)⟩ over the tensors the symbol touches, until a full
    /// sweep changes no permutation (at most 100 sweeps).
    static func weights(a: StateDict, b: StateDict, spec: NetworkSpec, symbols: PermutationSymbols,
                        rng: inout RandomStream, beforeEachStep: () throws -> Void = {}) throws
        -> (ChannelPermutation, sweeps: Int) {
        let axes = symbols.axes(spec)
        var p = ChannelPermutation.identity(symbols)
        var sweeps = 0
        while sweeps < 100 {
            sweeps += 1
            var changed = false
            for s in rng.permutation(symbols.symbols.count) {
                try beforeEachStep()
                let c = symbols.symbols[s].channels
                var cost = [Double](repeating: 0, count: c * c)
                // B with every other symbol applied; axes that carry s itself stay unpermuted here.
                let pb = try p.apply(to: b, spec: spec, symbols: symbols, except: s)
                for k in a.parameterKeys {
                    guard let ax = axes[k] else { continue }
                    for (axis, sym) in ax.symbols.enumerated() where sym == s {
                        var tb = pb[k]!
                        // If s acts on another axis of the same tensor too, use its current estimate there.
                        for (other, sym2) in ax.symbols.enumerated() where sym2 == s && other != axis {
                            tb = try permuteAxis(tb, shape: ax.shape, axis: other, perm: p.perms[s])
                        }
                        let ma = try moveAxisFirst(a[k]!, shape: ax.shape, axis: axis)
                        let mb = try moveAxisFirst(tb, shape: ax.shape, axis: axis)
                        let m = try ma.matmul(mb, transposeOther: true).scalars
                        for i in 0..<(c * c) { cost[i] += Double(m[i]) }
                    }
                }
                let next = try LinearAssignment.solve(cost: cost, rows: c, columns: c, maximize: true)
                if next != p.perms[s] {
                    // Accept only strict improvements so ties cannot cycle.
                    let old = LinearAssignment.total(cost: cost, columns: c, assignment: p.perms[s])
                    let new = LinearAssignment.total(cost: cost, columns: c, assignment: next)
                    if new > old + 1e-12 * max(1, abs(old)) { p.perms[s] = next; changed = true }
                }
            }
            if !changed { break }
        }
        return (p, sweeps)
    }
}

/// [.., n, ..] → [n, rest] with the given logical axis first.
func moveAxisFirst(_ t: Tensor, shape: [Int], axis: Int) throws -> Tensor {
    let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    var idx = [Int](repeating: 0, count: t.count)
    var w = 0
    for k in 0..<n {
        for a in 0..<outer {
            let base = (a * n + k) * inner
            for b in 0..<inner { idx[w] = base + b; w += 1 }
        }
    }
    return try t.gathered(indices: idx, shape: [n, outer * inner])
}
