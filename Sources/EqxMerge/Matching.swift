import EqxGroups
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
        let momentsA = channelMoments(ma, channels: c), momentsB = channelMoments(mb, channels: c)
        for i in 0..<c {
            sumA[i] += momentsA.sums[i]; sumA2[i] += momentsA.squares[i]
            sumB[i] += momentsB.sums[i]; sumB2[i] += momentsB.squares[i]
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
    return try t.axisMovedFirst(outer: n, n: c, inner: rest)
}

/// Σ x and Σ x² over each row of m [C, rows] in Float64, continuing from `sums` and `squares` (zero when
/// nil) in row order. Channels are independent, so they split across threads without changing a bit.
func channelMoments(_ m: Tensor, channels c: Int, from start: (sums: [Double], squares: [Double])? = nil)
    -> (sums: [Double], squares: [Double]) {
    let rows = m.count / max(1, c)
    var sums = start?.sums ?? [Double](repeating: 0, count: c), squares = start?.squares ?? [Double](repeating: 0, count: c)
    m.scalars.withUnsafeBufferPointer { v in
        sums.withUnsafeMutableBufferPointer { s in
            squares.withUnsafeMutableBufferPointer { s2 in
                parallelFor(c, cost: rows) { channels in
                    for i in channels {
                        var a = s[i], b = s2[i]
                        for r in 0..<rows { let x = Double(v[i * rows + r]); a += x; b += x * x }
                        s[i] = a; s2[i] = b
                    }
                }
            }
        }
    }
    return (sums, squares)
}

/// Both matchings call `beforeEachStep` before every batch and every assignment; what it throws (a
/// cancellation) ends the matching there.
enum Matching {
    /// The permutation π maximising Σ_i score[i, π(i)]: any permutation (linear assignment), or with
    /// `involutive` the best involution (π∘π = id, a maximum-weight matching).
    static func best(_ score: [Double], size n: Int, involutive: Bool) throws -> [Int] {
        involutive ? try BestInvolution.solve(score: score, size: n)
            : try LinearAssignment.solve(cost: score, rows: n, columns: n, maximize: true)
    }

    /// Activation matching: for every symbol, the permutation maximising total correlation between A's
    /// channels and B's at the symbol's match point, over the given (un-augmented) batches. With `involutive`
    /// a 2-cycle (i j) scores corr[i, j] + corr[j, i], both directions of the pair (for B = g·A with g² = e
    /// and g-closed data the two are equal in expectation).
    static func activations(a: Network, b: Network, symbols: PermutationSymbols, batches: [Tensor],
                            involutive: Bool = false, beforeEachStep: () throws -> Void = {}) throws -> ChannelPermutation {
        let corr = try correlations(a: a, targets: [b], symbols: symbols, batches: batches, beforeEachStep: beforeEachStep)[0]
        var perms: [[Int]] = []
        for s in symbols.symbols {
            try beforeEachStep()
            perms.append(try best(corr[s.id], size: s.channels, involutive: involutive))
        }
        return ChannelPermutation(perms: perms)
    }

    /// corr[target][symbol]: the n×n correlation matrix of A's channels with each target's at every symbol's
    /// match point (A runs once per batch for all targets).
    static func correlations(a: Network, targets: [Network], symbols: PermutationSymbols, batches: [Tensor],
                             beforeEachStep: () throws -> Void = {}) throws -> [[[Double]]] {
        var acc = targets.map { _ in symbols.symbols.map { CorrelationAccumulator(channels: $0.channels) } }
        let capture = Set(symbols.symbols.map(\.matchPoint))
        let options = ForwardOptions(training: false, gradients: false, capture: capture)
        for x in batches {
            try beforeEachStep()
            let fa = try a.forward(x, options: options).activations
            for (t, b) in targets.enumerated() {
                let fb = try b.forward(x, options: options).activations
                for s in symbols.symbols { try acc[t][s.id].add(fa[s.matchPoint]!, fb[s.matchPoint]!) }
            }
        }
        return acc.map { $0.map { $0.correlation() } }
    }

    /// Activation matching of A with all its transforms g·A at once (the `representation` option): for
    /// every symbol the representation {p_g} maximising Σ_{g≠e} Σ_i corr_g[i, p_g(i)]. `copies[k]` is
    /// g·A for the k-th non-identity element. Returns one permutation per non-identity element and the
    /// search's value and bound per symbol.
    static func representation(a: Network, copies: [Network], group: FiniteGroup, symbols: PermutationSymbols,
                               batches: [Tensor], beforeEachStep: () throws -> Void = {}) throws
        -> (perms: [ChannelPermutation], searches: [LearnedRepresentation]) {
        let corr = try correlations(a: a, targets: copies, symbols: symbols, batches: batches, beforeEachStep: beforeEachStep)
        var perElement = [[[Int]]](repeating: [], count: copies.count)
        var searches: [LearnedRepresentation] = []
        for s in symbols.symbols {
            try beforeEachStep()
            let found = try BestRepresentation.solve(group: group, scores: [[]] + corr.map { $0[s.id] }, size: s.channels)
            for k in copies.indices { perElement[k].append(found.perms[k + 1]) }
            searches.append(found)
        }
        return (perElement.map { ChannelPermutation(perms: $0) }, searches)
    }

    /// Weight matching (Git Re-Basin): coordinate ascent over symbols in an order drawn from the seed,
    /// each step a linear assignment on Σ ⟨A, P(B)⟩ over the tensors the symbol touches, until a full
    /// sweep changes no permutation (at most 100 sweeps).
    ///
    /// With `involutive` (a self-merge, B = g·A with g² = e) the objective is the same, ⟨θ, P(g·θ)⟩, but P
    /// ranges over involutions. P permutes channels and g positions, so they commute, and T = P∘g satisfies
    /// T² = id; T is orthogonal, so ⟨θ, Tθ⟩ = ‖θ‖² − ½‖θ − Tθ‖² = ‖θ‖² − 2‖θ − Π_T θ‖² with Π_T = (id + T)/2.
    /// Maximising it finds the learned representation {id, T} whose equivariant subspace is nearest θ, and
    /// the midpoint of the merge is exactly that projection. Per symbol, with the others fixed at
    /// involutions, the cost C[i, j] = ⟨A_i, (P_rest g·θ)_j⟩ is symmetric (substitute P_rest and g, both of
    /// order 2, in the sum), and an involution earns C[i, i] for a fixed point and C[i, j] + C[j, i] for a
    /// 2-cycle. So each step is the best involution for the symmetrised cost (C + Cᵀ)/2, which removes the
    /// rounding asymmetry so that the solver and the acceptance test score the same objective.
    static func weights(a: StateDict, b: StateDict, spec: NetworkSpec, symbols: PermutationSymbols,
                        involutive: Bool = false, rng: inout RandomStream, beforeEachStep: () throws -> Void = {}) throws
        -> (ChannelPermutation, sweeps: Int) {
        let (p, sweeps) = try weights(a: a, targets: [b], spec: spec, symbols: symbols, rng: &rng,
                                      beforeEachStep: beforeEachStep) { costs, c in
            if involutive {
                for i in 0..<c {
                    for j in (i + 1)..<max(c, i + 1) {
                        let mean = (costs[0][i * c + j] + costs[0][j * c + i]) / 2
                        costs[0][i * c + j] = mean; costs[0][j * c + i] = mean
                    }
                }
            }
            return [try best(costs[0], size: c, involutive: involutive)]
        }
        return (p[0], sweeps)
    }

    /// Weight matching of A with all its transforms g·A at once (the `representation` option): coordinate
    /// ascent as above on Σ_{g≠e} ⟨θ, P_g(g·θ)⟩, each step the representation {p_g} of the symbol's
    /// channels maximising the sum of the per-element costs (`BestRepresentation`), the other symbols held
    /// at their current representations. Σ_g ⟨θ, T_g θ⟩ = |G|² ‖Π_E θ‖² for T_g = P_g∘g a representation, so
    /// this looks for the learned representation whose equivariant subspace is nearest θ.
    static func weightsRepresentation(a: StateDict, copies: [StateDict], group: FiniteGroup, spec: NetworkSpec,
                                      symbols: PermutationSymbols, rng: inout RandomStream,
                                      beforeEachStep: () throws -> Void = {}) throws
        -> (perms: [ChannelPermutation], searches: [LearnedRepresentation], sweeps: Int) {
        var searches = symbols.symbols.map { s in
            LearnedRepresentation(perms: [[Int]](repeating: Array(0..<s.channels), count: group.order), value: 0,
                                  upperBound: 0, isOptimal: true)
        }
        var bound = 0.0
        let (p, sweeps) = try weights(a: a, targets: copies, spec: spec, symbols: symbols, rng: &rng,
                                      beforeEachStep: beforeEachStep) { costs, c in
            let found = try BestRepresentation.solve(group: group, scores: [[]] + costs, size: c)
            bound = found.upperBound
            return Array(found.perms.dropFirst())
        } visited: { s, costs, kept in
            // The value and bound of the permutations kept, on the costs of the symbol's latest step.
            let c = symbols.symbols[s].channels
            let value = zip(costs, kept).reduce(0.0) { $0 + LinearAssignment.total(cost: $1.0, columns: c, assignment: $1.1) }
            searches[s] = LearnedRepresentation(perms: [Array(0..<c)] + kept, value: value, upperBound: max(bound, value),
                                                isOptimal: value >= bound - 1e-12 * max(1, abs(bound)))
        }
        return (p, searches, sweeps)
    }

    /// The coordinate ascent shared by both weight matchings: one permutation per target, `solve` turns the
    /// symbol's costs (one per target, which it may symmetrise in place) into new permutations.
    private static func weights(a: StateDict, targets: [StateDict], spec: NetworkSpec, symbols: PermutationSymbols,
                                rng: inout RandomStream, beforeEachStep: () throws -> Void,
                                solve: (inout [[Double]], Int) throws -> [[Int]],
                                visited: (Int, [[Double]], [[Int]]) -> Void = { _, _, _ in }) throws
        -> ([ChannelPermutation], Int) {
        let axes = symbols.axes(spec)
        var p = targets.map { _ in ChannelPermutation.identity(symbols) }
        var sweeps = 0
        while sweeps < 100 {
            sweeps += 1
            var changed = false
            for s in rng.permutation(symbols.symbols.count) {
                try beforeEachStep()
                let c = symbols.symbols[s].channels
                var costs = [[Double]](repeating: [Double](repeating: 0, count: c * c), count: targets.count)
                for (t, b) in targets.enumerated() {
                    // B with every other symbol applied; axes that carry s itself stay unpermuted here.
                    let pb = try p[t].apply(to: b, spec: spec, symbols: symbols, except: s)
                    for k in a.parameterKeys {
                        guard let ax = axes[k] else { continue }
                        for (axis, sym) in ax.symbols.enumerated() where sym == s {
                            var tb = pb[k]!
                            // If s acts on another axis of the same tensor too, use its current estimate there.
                            for (other, sym2) in ax.symbols.enumerated() where sym2 == s && other != axis {
                                tb = try permuteAxis(tb, shape: ax.shape, axis: other, perm: p[t].perms[s])
                            }
                            let ma = try moveAxisFirst(a[k]!, shape: ax.shape, axis: axis)
                            let mb = try moveAxisFirst(tb, shape: ax.shape, axis: axis)
                            let m = try ma.matmul(mb, transposeOther: true).scalars
                            for i in 0..<(c * c) { costs[t][i] += Double(m[i]) }
                        }
                    }
                }
                let next = try solve(&costs, c)
                if next != p.map({ $0.perms[s] }) {
                    // Accept only strict improvements so ties cannot cycle.
                    var old = 0.0, new = 0.0
                    for t in targets.indices {
                        old += LinearAssignment.total(cost: costs[t], columns: c, assignment: p[t].perms[s])
                        new += LinearAssignment.total(cost: costs[t], columns: c, assignment: next[t])
                    }
                    if new > old + 1e-12 * max(1, abs(old)) {
                        for t in targets.indices { p[t].perms[s] = next[t] }
                        changed = true
                    }
                }
                visited(s, costs, p.map { $0.perms[s] })
            }
            if !changed { break }
        }
        return (p, sweeps)
    }
}

/// [.., n, ..] → [n, rest] with the given logical axis first.
func moveAxisFirst(_ t: Tensor, shape: [Int], axis: Int) throws -> Tensor {
    try t.axisMovedFirst(outer: shape[..<axis].reduce(1, *), n: shape[axis], inner: shape[(axis + 1)...].reduce(1, *))
}
