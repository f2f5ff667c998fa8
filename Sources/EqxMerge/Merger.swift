import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining

/// What a merge statement needs besides its spec: the networks, the group and the data as tensors.
public struct MergeInputs {
    public var base: Network
    /// The other network for a two-network merge.
    public var partner: Network?
    /// The group of a self-merge or orbit merge.
    public var group: FiniteGroup?
    public var matchingBatches: [Tensor]
    /// Batches for the batch-norm reset (for a self-merge: both x and g·x, so invariance is kept).
    public var resetBatches: [Tensor]
    public var evaluation: [(name: String, data: Dataset)]
    public var loss: LossKind
    public init(base: Network, partner: Network?, group: FiniteGroup?, matchingBatches: [Tensor], resetBatches: [Tensor],
                evaluation: [(name: String, data: Dataset)], loss: LossKind) {
        self.base = base; self.partner = partner; self.group = group; self.matchingBatches = matchingBatches
        self.resetBatches = resetBatches; self.evaluation = evaluation; self.loss = loss
    }
}

public struct SymbolReport: Equatable {
    public var name: String
    public var channels: Int
    public var fixedPoints: Int
    public var twoCycles: Int
    public var longerCycles: [Int]
    public var isInvolution: Bool
    public var isIdentity: Bool
}

public struct MergeCurve: Equatable {
    public var data: String
    public var losses: [Double]
    public var accuracies: [Double]
}

public struct MergeOutcome {
    public var alphas: [Double]
    public var curves: [MergeCurve]
    /// Barriers on the last evaluation set (the test split by default).
    public var lossBarrier: Double
    public var accuracyBarrier: Double
    public var midpointLossBarrier: Double
    public var midpointAccuracyBarrier: Double
    /// One report per symbol (for an orbit merge: per symbol and group element, named `sym@g`).
    public var symbols: [SymbolReport]
    public var weightMatchingSweeps: Int?
}

/// Aligns and interpolates networks (design brief §2): self-merges with g·θ, orbit merges over all of G,
/// and two-network merges; optional batch-norm reset and REPAIR; barriers along α.
///
/// `shouldStop` is asked between steps (a batch of matching, REPAIR, batch-norm reset or evaluation data, an
/// assignment, an α of the grid); when it says yes, `init` or `run` throws `MergeCancelled`.
public final class Merger {
    public let spec: MergeSpec
    let inputs: MergeInputs
    let symbols: PermutationSymbols
    let shouldStop: () -> Bool
    /// The aligned endpoint θ_B* (or the orbit average for an orbit merge).
    public private(set) var aligned: StateDict
    public private(set) var symbolReports: [SymbolReport] = []
    /// The matched permutations: one for a two-network or self-merge, one per g ≠ e for an orbit merge.
    public private(set) var permutations: [ChannelPermutation] = []
    public private(set) var sweeps: Int?

    let progress: (MergeProgress) -> Void

    public init(spec: MergeSpec, inputs: MergeInputs, shouldStop: @escaping () -> Bool = { false },
                progress: @escaping (MergeProgress) -> Void = { _ in }) throws {
        self.spec = spec
        self.inputs = inputs
        self.shouldStop = shouldStop
        self.progress = progress
        progress(MergeProgress(merge: spec.id, phase: .matching, done: 0, total: spec.alphas.count, alpha: nil))
        symbols = PermutationSymbols(spec.network)
        aligned = inputs.base.state
        try Merger.validate(spec, inputs)
        try align()
    }

    /// Inputs that would otherwise fail deep inside a matching, or silently do nothing.
    private static func validate(_ spec: MergeSpec, _ inputs: MergeInputs) throws {
        for (role, net) in [("the first network", inputs.base), ("the second network", inputs.partner)] {
            guard let net = net, net.spec.architecture != spec.network.architecture else { continue }
            throw TrainingError(message: "merge '\(spec.id)': \(role) (\(net.spec.name), \(net.spec.flattenedLayers.count) layers) "
                                + "has a different architecture from \(spec.network.name) (\(spec.network.flattenedLayers.count) layers)")
        }
        if case .activations = spec.matching, inputs.matchingBatches.isEmpty {
            throw TrainingError(message: "merge '\(spec.id)': activation matching needs data, but the matching data is empty")
        }
        if spec.involutive {
            // Involutions align θ with g·θ into an action of order 2 only when g² = e (the checker's E0704).
            let squaresToIdentity: Bool
            switch (spec.target, inputs.group) {
            case let (.transformed(_, element), g?): squaresToIdentity = g.elementOrder(element) <= 2
            case let (.orbit, g?): squaresToIdentity = g.order <= 2
            default: squaresToIdentity = false
            }
            guard squaresToIdentity else {
                throw TrainingError(message: "merge '\(spec.id)': involutive matching needs a target g(net) with g² = e",
                                    help: "merge with the mirrored network, e.g. 'with flip(net)'")
            }
        }
        if spec.repair, inputs.matchingBatches.isEmpty {
            throw TrainingError(message: "merge '\(spec.id)': REPAIR estimates channel statistics on the matching data, but there is none",
                                help: "use 'match activations on DATA' with 'repair'")
        }
    }

    private func stopIfAsked() throws {
        if shouldStop() { throw MergeCancelled(merge: spec.id) }
    }

    private func transformed(_ element: Int) throws -> Network {
        guard let g = inputs.group else { throw TrainingError(message: "merge '\(spec.id)' needs a group") }
        let rep = try NetworkRepresentation(group: g, spec: spec.network, hidden: .trivial)
        return try Network(spec: spec.network, state: rep.transform(inputs.base.state, element: element))
    }

    private func align() throws {
        switch spec.target {
        case .model:
            guard let partner = inputs.partner else { throw TrainingError(message: "merge '\(spec.id)' lacks its second network") }
            let p = try permutation(to: partner, tag: "")
            aligned = try p.apply(to: partner.state, spec: spec.network, symbols: symbols)
        case .transformed(_, let element):
            let b = try transformed(element)
            let p = try permutation(to: b, tag: "")
            aligned = try p.apply(to: b.state, spec: spec.network, symbols: symbols)
        case .orbit:
            guard let g = inputs.group else { throw TrainingError(message: "merge '\(spec.id)' needs a group") }
            var copies = [inputs.base.state]
            for e in g.elements.dropFirst() {
                let b = try transformed(e)
                let p = try permutation(to: b, tag: "@\(g.name(of: e))")
                copies.append(try p.apply(to: b.state, spec: spec.network, symbols: symbols))
            }
            aligned = try StateDict.average(copies)
        }
    }

    private func permutation(to b: Network, tag: String) throws -> ChannelPermutation {
        let p: ChannelPermutation
        switch spec.matching {
        case .none:
            p = .identity(symbols)
        case .activations:
            p = try Matching.activations(a: inputs.base, b: b, symbols: symbols, batches: inputs.matchingBatches,
                                         involutive: spec.involutive, beforeEachStep: stopIfAsked)
        case .weights:
            var rng = RandomStream(seed: spec.seed, name: "match/order/\(spec.seedName)\(tag)")
            let (q, n) = try Matching.weights(a: inputs.base.state, b: b.state, spec: spec.network, symbols: symbols,
                                              involutive: spec.involutive, rng: &rng, beforeEachStep: stopIfAsked)
            p = q; sweeps = n
        }
        permutations.append(p)
        for s in symbols.symbols {
            let st = try PermutationStatistics(p.perms[s.id])
            symbolReports.append(SymbolReport(name: s.name + tag, channels: s.channels, fixedPoints: st.fixedPoints,
                                              twoCycles: st.twoCycles, longerCycles: st.longerCycleLengths,
                                              isInvolution: st.isInvolution, isIdentity: st.isIdentity))
        }
        return p
    }

    /// The merged network at α: (1 − α)·θ_A + α·θ_B*, then REPAIR and the batch-norm reset if asked.
    public func network(at alpha: Double) throws -> Network {
        try network(at: alpha, beforeEachBatch: {})
    }

    private func network(at alpha: Double, beforeEachBatch: () throws -> Void) throws -> Network {
        let state = try inputs.base.state.interpolated(with: aligned, alpha: Float(alpha))
        let net = try Network(spec: spec.network, state: state)
        if spec.repair { try repair(net, alpha: alpha, beforeEachBatch: beforeEachBatch) }
        if spec.resetBatchNorm != nil {
            try net.resetBatchNormStatistics(on: inputs.resetBatches, beforeEachBatch: beforeEachBatch)
        }
        return net
    }

    /// Evaluates the path and computes the barriers.
    public func run() throws -> MergeOutcome {
        let alphas = spec.alphas
        var curves = inputs.evaluation.map { MergeCurve(data: $0.name, losses: [], accuracies: []) }
        for (k, a) in alphas.enumerated() {
            progress(MergeProgress(merge: spec.id, phase: .interpolating, done: k, total: alphas.count, alpha: a))
            try stopIfAsked()
            let net = try network(at: a, beforeEachBatch: stopIfAsked)
            for (i, e) in inputs.evaluation.enumerated() {
                let r = try evaluate(net, on: e.data, loss: inputs.loss, beforeEachBatch: stopIfAsked)
                curves[i].losses.append(r.loss)
                curves[i].accuracies.append(r.accuracy)
            }
        }
        progress(MergeProgress(merge: spec.id, phase: .interpolating, done: alphas.count, total: alphas.count, alpha: nil))
        let headline = curves.last!
        let b = Merger.barriers(alphas: alphas, losses: headline.losses, accuracies: headline.accuracies)
        return MergeOutcome(alphas: alphas, curves: curves, lossBarrier: b.loss, accuracyBarrier: b.accuracy,
                            midpointLossBarrier: b.midLoss, midpointAccuracyBarrier: b.midAccuracy,
                            symbols: symbolReports, weightMatchingSweeps: sweeps)
    }

    /// max_α [L(α) − ((1−α)L(0) + αL(1))] and the accuracy analogue (a drop is positive); midpoint values
    /// at the α nearest ½. Endpoints are the first and last α of the grid.
    public static func barriers(alphas: [Double], losses: [Double], accuracies: [Double])
        -> (loss: Double, accuracy: Double, midLoss: Double, midAccuracy: Double) {
        guard let a0 = alphas.first, let a1 = alphas.last, a1 > a0 else {
            return (0, 0, 0, 0)
        }
        func linear(_ v: [Double], _ a: Double) -> Double {
            let t = (a - a0) / (a1 - a0)
            return (1 - t) * v.first! + t * v.last!
        }
        var lb = -Double.infinity, ab = -Double.infinity
        for (i, a) in alphas.enumerated() {
            lb = max(lb, losses[i] - linear(losses, a))
            ab = max(ab, linear(accuracies, a) - accuracies[i])
        }
        let mid = alphas.indices.min { abs(alphas[$0] - (a0 + a1) / 2) < abs(alphas[$1] - (a0 + a1) / 2) }!
        return (lb, ab, losses[mid] - linear(losses, alphas[mid]), linear(accuracies, alphas[mid]) - accuracies[mid])
    }

    /// REPAIR (Jordan et al.): rescale each channel-mixing layer's outputs of the merged network so their
    /// mean and standard deviation on the matching data interpolate those of the endpoints. Layers are
    /// corrected in order, so later statistics already see corrected inputs.
    private func repair(_ net: Network, alpha: Double, beforeEachBatch: () throws -> Void) throws {
        let producers = spec.network.flattenedLayers.filter { l in
            l.kind.mixesChannels && symbols.outputSymbol[l.name] != nil
        }
        guard !producers.isEmpty, !inputs.matchingBatches.isEmpty else { return }
        let capture = Set(producers.map(\.name))
        let endA = try channelStats(inputs.base, capture: capture, beforeEachBatch: beforeEachBatch)
        let endB = try channelStats(Network(spec: spec.network, state: aligned), capture: capture, beforeEachBatch: beforeEachBatch)
        for layer in producers {
            let merged = try channelStats(net, capture: [layer.name], beforeEachBatch: beforeEachBatch)
            guard let (ma, sa) = endA[layer.name], let (mb, sb) = endB[layer.name], let (mm, sm) = merged[layer.name] else { continue }
            let c = ma.count
            let wKey = "\(layer.name).weight", bKey = "\(layer.name).bias"
            var w = net.state[wKey]!
            let rows = w.count / c
            var scale = [Float](repeating: 1, count: c), shift = [Float](repeating: 0, count: c)
            for i in 0..<c {
                let mt = (1 - alpha) * ma[i] + alpha * mb[i], st = (1 - alpha) * sa[i] + alpha * sb[i]
                let k = sm[i] > 1e-8 ? st / sm[i] : 1
                scale[i] = Float(k); shift[i] = Float(mt - k * mm[i])
            }
            w.withUnsafeMutableBufferPointer { p in
                for i in 0..<c { for r in 0..<rows { p[i * rows + r] *= scale[i] } }
            }
            net.state[wKey] = w
            if var b = net.state[bKey] {
                let per = b.count / c
                b.withUnsafeMutableBufferPointer { p in
                    for i in 0..<c { for r in 0..<per { p[i * per + r] = p[i * per + r] * scale[i] + shift[i] } }
                }
                net.state[bKey] = b
            }
        }
    }

    private func channelStats(_ net: Network, capture: Set<String>, beforeEachBatch: () throws -> Void) throws
        -> [String: ([Double], [Double])] {
        var sums: [String: (n: Double, s: [Double], s2: [Double])] = [:]
        for x in inputs.matchingBatches {
            try beforeEachBatch()
            let acts = try net.forward(x, options: ForwardOptions(training: false, gradients: false, capture: capture)).activations
            for (name, t) in acts {
                let c = spec.network.flattenedLayers.first { $0.name == name }!.outputShape[0]
                let m = try channelMajor(t, channels: c)
                let rows = m.count / c
                var entry = sums[name] ?? (0, .init(repeating: 0, count: c), .init(repeating: 0, count: c))
                let v = m.scalars
                for i in 0..<c {
                    for r in 0..<rows { let x = Double(v[i * rows + r]); entry.s[i] += x; entry.s2[i] += x * x }
                }
                entry.n += Double(rows)
                sums[name] = entry
            }
        }
        return sums.mapValues { e in
            let mean = e.s.map { $0 / e.n }
            let std = zip(e.s2, mean).map { max(0, $0 / e.n - $1 * $1).squareRoot() }
            return (mean, std)
        }
    }
}
