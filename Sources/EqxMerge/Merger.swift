import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import EqxEvaluation

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

/// Whether the matched permutations of one symbol form a representation of the merge's group: per
/// relation (`GroupRelations`) the number of channels violating it. For a self-merge with g the relation is
/// g^k = e (k the order of g).
public struct RepresentationReport: Equatable {
    public var symbol: String
    public var channels: Int
    public var relations: [(relation: String, channels: Int)]
    public var isRepresentation: Bool
    /// With the `representation` option: the search's objective Σ_{g≠e} Σ_i score_g[i, σ_g(i)], its upper
    /// bound (the unconstrained assignments), and whether the value is proven optimal.
    public var search: (value: Double, upperBound: Double, isOptimal: Bool)?

    public static func == (a: RepresentationReport, b: RepresentationReport) -> Bool {
        a.symbol == b.symbol && a.channels == b.channels && a.isRepresentation == b.isRepresentation
            && a.relations.map(\.relation) == b.relations.map(\.relation) && a.relations.map(\.channels) == b.relations.map(\.channels)
            && a.search?.value == b.search?.value && a.search?.upperBound == b.search?.upperBound
            && a.search?.isOptimal == b.search?.isOptimal
    }
}

/// What an orbit merge did to the network, on the last evaluation set: the net as trained against the
/// merged net at α = 1 (the orbit average, after REPAIR and batch-norm reset if asked).
public struct OrbitChange: Equatable {
    public var data: String
    public var loss: (net: Double, merged: Double)
    public var accuracy: (net: Double, merged: Double)
    public var invariance: (net: InvarianceError, merged: InvarianceError)

    public var lossChange: Double { loss.merged - loss.net }
    public var accuracyChange: Double { accuracy.merged - accuracy.net }

    public static func == (a: OrbitChange, b: OrbitChange) -> Bool {
        a.data == b.data && a.loss == b.loss && a.accuracy == b.accuracy && a.invariance == b.invariance
    }
}

public struct MergeCurve: Equatable {
    public var data: String
    public var losses: [Double]
    public var accuracies: [Double]
}

/// One curve of a merge along α (plain, batch-norm reset, REPAIR, …): losses and accuracies per
/// evaluation set, the barriers on the last set and, for an orbit merge, the change from the net to m.at(1).
public struct MergePath {
    public var variant: MergeVariant
    public var curves: [MergeCurve]
    public var lossBarrier: Double
    public var accuracyBarrier: Double
    public var midpointLossBarrier: Double
    public var midpointAccuracyBarrier: Double
    public var orbitChange: OrbitChange?
}

public struct MergeOutcome {
    public var alphas: [Double]
    /// One path per curve asked for, all from the same matching; the first is the merge's own.
    public var paths: [MergePath]
    /// One report per symbol (for an orbit merge: per symbol and group element, named `sym@g`).
    public var symbols: [SymbolReport]
    /// Per symbol, whether the permutations form a representation (empty for a two-network merge).
    public var representations: [RepresentationReport]
    public var weightMatchingSweeps: Int?
    /// Activation matching: per symbol the layer whose activations were compared (empty otherwise).
    public var matchPoints: [(symbol: String, layer: String)]
    /// How many matchings were solved (one per target; an orbit merge has one per element ≠ e, or one
    /// joint search with `representation`). Every path uses the same ones.
    public var matchings: Int

    /// The path of a curve (nil: the first).
    public func path(_ curve: MergeVariant?) -> MergePath {
        curve.flatMap { c in paths.first { $0.variant == c } } ?? paths[0]
    }

    // The first path's values: a merge's own curve and barriers.
    public var curves: [MergeCurve] { paths[0].curves }
    /// Barriers on the last evaluation set (the test split by default).
    public var lossBarrier: Double { paths[0].lossBarrier }
    public var accuracyBarrier: Double { paths[0].accuracyBarrier }
    public var midpointLossBarrier: Double { paths[0].midpointLossBarrier }
    public var midpointAccuracyBarrier: Double { paths[0].midpointAccuracyBarrier }
    /// For an orbit merge: loss, accuracy and invariance of the net and of the merged net.
    public var orbitChange: OrbitChange? { paths[0].orbitChange }
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
    public private(set) var representationReports: [RepresentationReport] = []
    /// The matched permutations: one for a two-network or self-merge, one per g ≠ e for an orbit merge.
    public private(set) var permutations: [ChannelPermutation] = []
    public private(set) var sweeps: Int?
    /// Matchings solved so far (see `MergeOutcome.matchings`).
    public private(set) var matchings = 0

    let progress: (MergeProgress) -> Void

    public init(spec: MergeSpec, inputs: MergeInputs, shouldStop: @escaping () -> Bool = { false },
                progress: @escaping (MergeProgress) -> Void = { _ in }) throws {
        self.spec = spec
        self.inputs = inputs
        self.shouldStop = shouldStop
        self.progress = progress
        progress(MergeProgress(merge: spec.id, phase: .matching, done: 0, total: spec.alphas.count, alpha: nil))
        if case .activations(_, let rule) = spec.matching {
            do { symbols = try PermutationSymbols(spec.network).matched(at: rule, in: spec.network) } catch {
                throw MergeError(message: "merge '\(spec.id)': a match point does not carry its symbol (E0710)")
            }
        } else {
            symbols = PermutationSymbols(spec.network)
        }
        aligned = inputs.base.state
        try Merger.validate(spec, inputs)
        try align()
    }

    /// Inputs that would otherwise fail deep inside a matching, or silently do nothing.
    private static func validate(_ spec: MergeSpec, _ inputs: MergeInputs) throws {
        for (role, net) in [("the first network", inputs.base), ("the second network", inputs.partner)] {
            guard let net = net, net.spec.architecture != spec.network.architecture else { continue }
            throw MergeError(message: "merge '\(spec.id)': \(role) (\(net.spec.name), \(net.spec.flattenedLayers.count) layers) "
                                + "has a different architecture from \(spec.network.name) (\(spec.network.flattenedLayers.count) layers)")
        }
        if case .activations = spec.matching, inputs.matchingBatches.isEmpty {
            throw MergeError(message: "merge '\(spec.id)': activation matching needs data, but the matching data is empty")
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
                throw MergeError(message: "merge '\(spec.id)': involutive matching needs a target g(net) with g² = e",
                                    help: "merge with the mirrored network, e.g. 'with flip(net)'")
            }
        }
        if spec.variants.contains(where: \.repairs), inputs.matchingBatches.isEmpty {
            throw MergeError(message: "merge '\(spec.id)': REPAIR estimates channel statistics on the matching data, but there is none",
                                help: "use 'match activations on DATA' with 'repair'")
        }
    }

    private func stopIfAsked() throws {
        if shouldStop() { throw MergeCancelled(merge: spec.id) }
    }

    private func transformed(_ element: Int) throws -> Network {
        guard let g = inputs.group else { throw MergeError(message: "merge '\(spec.id)' needs a group") }
        let rep = try NetworkRepresentation(group: g, spec: spec.network, hidden: .trivial)
        return try Network(spec: spec.network, state: rep.transform(inputs.base.state, element: element))
    }

    private func align() throws {
        switch spec.target {
        case .model:
            guard let partner = inputs.partner else { throw MergeError(message: "merge '\(spec.id)' lacks its second network") }
            let p = try permutation(to: partner, tag: "")
            aligned = try p.apply(to: partner.state, spec: spec.network, symbols: symbols)
        case .transformed(_, let element):
            let b = try transformed(element)
            let p = try permutation(to: b, tag: "")
            aligned = try p.apply(to: b.state, spec: spec.network, symbols: symbols)
            guard let g = inputs.group else { return }
            representationReports = symbols.symbols.map { s in
                let v = GroupRelations.powerViolations(group: g, element: element, p.perms[s.id])
                return RepresentationReport(symbol: s.name, channels: s.channels, relations: [v], isRepresentation: v.channels == 0)
            }
        case .orbit:
            guard let g = inputs.group else { throw MergeError(message: "merge '\(spec.id)' needs a group") }
            let elements = Array(g.elements.dropFirst())
            let copies = try elements.map { try transformed($0) }
            var perms: [ChannelPermutation]
            var searches: [LearnedRepresentation]? = nil
            switch (spec.representation, spec.matching) {
            case (true, .activations):
                let found = try Matching.representation(a: inputs.base, copies: copies, group: g, symbols: symbols,
                                                        batches: inputs.matchingBatches, beforeEachStep: stopIfAsked)
                perms = found.perms; searches = found.searches; matchings += 1
                for (e, p) in zip(elements, perms) { record(p, tag: "@\(g.name(of: e))") }
            case (true, .weights):
                var rng = RandomStream(seed: spec.seed, name: "match/order/\(spec.seedName)")
                let found = try Matching.weightsRepresentation(a: inputs.base.state, copies: copies.map(\.state), group: g,
                                                               spec: spec.network, symbols: symbols, rng: &rng,
                                                               beforeEachStep: stopIfAsked)
                perms = found.perms; searches = found.searches; sweeps = found.sweeps; matchings += 1
                for (e, p) in zip(elements, perms) { record(p, tag: "@\(g.name(of: e))") }
            case (true, .none), (false, _):
                perms = try zip(elements, copies).map { try permutation(to: $0.1, tag: "@\(g.name(of: $0.0))") }
            }
            var states = [inputs.base.state]
            for (b, p) in zip(copies, perms) { states.append(try p.apply(to: b.state, spec: spec.network, symbols: symbols)) }
            aligned = try StateDict.average(states)
            let relations = GroupRelations(group: g)
            representationReports = symbols.symbols.map { s in
                let v = relations.violations([Array(0..<s.channels)] + perms.map { $0.perms[s.id] })
                let found = searches?[s.id]
                return RepresentationReport(symbol: s.name, channels: s.channels, relations: v,
                                            isRepresentation: v.last!.channels == 0,
                                            search: found.map { ($0.value, $0.upperBound, $0.isOptimal) })
            }
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
            matchings += 1
        case .weights:
            var rng = RandomStream(seed: spec.seed, name: "match/order/\(spec.seedName)\(tag)")
            let (q, n) = try Matching.weights(a: inputs.base.state, b: b.state, spec: spec.network, symbols: symbols,
                                              involutive: spec.involutive, rng: &rng, beforeEachStep: stopIfAsked)
            p = q; sweeps = n; matchings += 1
        }
        record(p, tag: tag)
        return p
    }

    /// Keeps the permutation and its cycle structure per symbol (named `sym` + tag).
    private func record(_ p: ChannelPermutation, tag: String) {
        permutations.append(p)
        for s in symbols.symbols {
            // Matchings return permutations of the symbol's channels, so the statistics cannot fail.
            guard let st = try? PermutationStatistics(p.perms[s.id]) else { preconditionFailure("matching returned a non-permutation") }
            symbolReports.append(SymbolReport(name: s.name + tag, channels: s.channels, fixedPoints: st.fixedPoints,
                                              twoCycles: st.twoCycles, longerCycles: st.longerCycleLengths,
                                              isInvolution: st.isInvolution, isIdentity: st.isIdentity))
        }
    }

    /// The merged network at α on a curve (nil: the first): (1 − α)·θ_A + α·θ_B*, then REPAIR and the
    /// batch-norm reset if the curve asks for them.
    public func network(at alpha: Double, curve: MergeVariant? = nil) throws -> Network {
        try network(at: alpha, variant: curve ?? spec.variants[0], beforeEachBatch: {})
    }

    private func network(at alpha: Double, variant: MergeVariant, beforeEachBatch: () throws -> Void) throws -> Network {
        let state = try inputs.base.state.interpolated(with: aligned, alpha: Float(alpha))
        let net = try Network(spec: spec.network, state: state)
        if variant.repairs { try repair(net, alpha: alpha, beforeEachBatch: beforeEachBatch) }
        if variant.resets { try net.resetBatchNormStatistics(on: inputs.resetBatches, beforeEachBatch: beforeEachBatch) }
        return net
    }

    /// Evaluates every curve along the path (from the one matching) and computes the barriers.
    public func run() throws -> MergeOutcome {
        let alphas = spec.alphas, variants = spec.variants
        var curves = variants.map { _ in inputs.evaluation.map { MergeCurve(data: $0.name, losses: [], accuracies: []) } }
        for (k, a) in alphas.enumerated() {
            progress(MergeProgress(merge: spec.id, phase: .interpolating, done: k, total: alphas.count, alpha: a))
            for (v, variant) in variants.enumerated() {
                try stopIfAsked()
                let net = try network(at: a, variant: variant, beforeEachBatch: stopIfAsked)
                for (i, e) in inputs.evaluation.enumerated() {
                    let r = try evaluate(net, on: e.data, loss: inputs.loss, beforeEachBatch: stopIfAsked)
                    curves[v][i].losses.append(r.loss)
                    curves[v][i].accuracies.append(r.accuracy)
                }
            }
        }
        progress(MergeProgress(merge: spec.id, phase: .interpolating, done: alphas.count, total: alphas.count, alpha: nil))
        let paths = try zip(variants, curves).map { variant, curves in
            let headline = curves.last!
            let b = Merger.barriers(alphas: alphas, losses: headline.losses, accuracies: headline.accuracies)
            return MergePath(variant: variant, curves: curves, lossBarrier: b.loss, accuracyBarrier: b.accuracy,
                             midpointLossBarrier: b.midLoss, midpointAccuracyBarrier: b.midAccuracy,
                             orbitChange: try orbitChange(variant))
        }
        var points: [(symbol: String, layer: String)] = []
        if case .activations = spec.matching { points = symbols.symbols.map { ($0.name, $0.matchPoint) } }
        return MergeOutcome(alphas: alphas, paths: paths, symbols: symbolReports, representations: representationReports,
                            weightMatchingSweeps: sweeps, matchPoints: points, matchings: matchings)
    }

    /// The net as trained against the orbit average m.at(1), on the last evaluation set (nil unless an
    /// orbit merge). A straight line from the net to the average says nothing about what was lost, so this
    /// is the measure of an orbit merge, not the barrier.
    private func orbitChange(_ variant: MergeVariant) throws -> OrbitChange? {
        guard case .orbit = spec.target, let g = inputs.group, let last = inputs.evaluation.last else { return nil }
        try stopIfAsked()
        let merged = try network(at: 1, variant: variant, beforeEachBatch: stopIfAsked)
        let before = try evaluate(inputs.base, on: last.data, loss: inputs.loss, beforeEachBatch: stopIfAsked)
        let after = try evaluate(merged, on: last.data, loss: inputs.loss, beforeEachBatch: stopIfAsked)
        try stopIfAsked()
        let invarianceBefore = try invarianceError(inputs.base, group: g, on: last.data, seed: spec.seed)
        let invarianceAfter = try invarianceError(merged, group: g, on: last.data, seed: spec.seed)
        return OrbitChange(data: last.name, loss: (before.loss, after.loss), accuracy: (before.accuracy, after.accuracy),
                           invariance: (invarianceBefore, invarianceAfter))
    }

    /// max_α [L(α) − ((1−α)L(0) + αL(1))] and the accuracy analogue (a drop is positive); midpoint values
    /// at the α nearest ½. Endpoints are the first and last α of the grid.
    public static func barriers(alphas: [Double], losses: [Double], accuracies: [Double])
        -> (loss: Double, accuracy: Double, midLoss: Double, midAccuracy: Double) {
        guard let a0 = alphas.first, let a1 = alphas.last, a1 > a0 else {
            return (0, 0, 0, 0)
        }
        func linear(_ v: [Double], _ a: Double) -> Double {
            // v₀ + t·(v₁ − v₀), not (1 − t)·v₀ + t·v₁: exact when the endpoints agree, so a barrier that
            // is 0 (a G-CNN merged with its own transform) prints as 0, not 1.1e-16.
            let t = (a - a0) / (a1 - a0)
            return v.first! + t * (v.last! - v.first!)
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
                var entry = sums[name] ?? (0, .init(repeating: 0, count: c), .init(repeating: 0, count: c))
                (entry.s, entry.s2) = channelMoments(m, channels: c, from: (entry.s, entry.s2))
                entry.n += Double(m.count / c)
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
