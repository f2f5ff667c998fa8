import EqxData
import EqxGroups
import EqxIR
import EqxMerge
import EqxTraining

// `channels: m.representation` at run time: the checker knows which merge and group, the permutations come
// from the merge once it has run.

/// σ_g for every permutation symbol of a merged network and every element of the merge's group.
struct LearnedRepresentation {
    var group: FiniteGroup
    var symbols: PermutationSymbols
    /// perms[symbol][g] in the gather convention of `ChannelRepresentation.permutations`.
    var perms: [[[Int]]]

    /// The merge's matched permutations as a representation of `spec`'s group: e ↦ id, and for a self-merge
    /// g ↦ σ, for an orbit merge every g ≠ e ↦ σ_g. Throws unless they form a representation.
    init(_ merger: Merger, group spec: GroupSpec) throws {
        let net = merger.spec.network
        group = try spec.finiteGroup(forInput: net.inputShape)
        symbols = PermutationSymbols(net)
        let elements: [Int]
        switch merger.spec.target {
        case .transformed(_, let e): elements = [e]
        case .orbit: elements = Array(group.elements.dropFirst())
        case .model: throw RuntimeError("merge '\(merger.spec.id)' aligns two networks: it has no learned representation")
        }
        guard merger.permutations.count == elements.count else {
            throw RuntimeError("merge '\(merger.spec.id)' matched \(merger.permutations.count) permutations for \(elements.count) group elements")
        }
        let (group, matched) = (group, merger.permutations)
        perms = try symbols.symbols.map { s in
            var perms = Array(repeating: Array(0..<s.channels), count: group.order)
            for (e, p) in zip(elements, matched) { perms[e] = p.perms[s.id] }
            do {
                try group.validate(.permutations(perms), channels: s.channels)
            } catch {
                throw RuntimeError("\(merger.spec.id).representation is not a representation of \(group.name) on the channels of '\(s.name)': \(error)")
            }
            return perms
        }
    }

    /// The permutations per channel-mixing layer, as `NetworkRepresentation` takes them: each symbol's on
    /// every layer producing it (layers carrying the channels on inherit them).
    func layerPermutations(for spec: NetworkSpec) throws -> [String: ChannelRepresentation] {
        guard PermutationSymbols(spec).carriesSameSymbols(as: symbols) else {
            throw RuntimeError("'\(spec.name)' has other permutation symbols than the merged network")
        }
        var out: [String: ChannelRepresentation] = [:]
        for s in symbols.symbols {
            for layer in s.producers { out[layer] = .permutations(perms[s.id]) }
        }
        return out
    }

    /// results.json: per symbol, the permutation of each group element as a list.
    var json: JSONValue {
        .object([
            "group": .string(group.name),
            "symbols": .array(symbols.symbols.map { s in
                .object([
                    "symbol": .string(s.name), "channels": .int(s.channels),
                    "layers": .array(s.producers.map { .string($0) }),
                    "permutations": .object(Dictionary(uniqueKeysWithValues: group.elements.map {
                        (group.name(of: $0), JSONValue.array(perms[s.id][$0].map { .int($0) }))
                    })),
                ])
            }),
        ])
    }
}

extension Executor {
    func learnedRepresentation(_ l: LearnedChannels) throws -> LearnedRepresentation {
        guard let m = merges[l.merge] else { throw RuntimeError("merge '\(l.merge)' has not run, so \(l) is not known") }
        return try LearnedRepresentation(m.merger, group: l.group)
    }

    /// The learned channel permutations per layer of `spec` that a `channels:` choice names (none for a
    /// fixed action).
    func layerPermutations(_ choice: ChannelChoice, for spec: NetworkSpec) throws -> [String: ChannelRepresentation] {
        guard let l = choice.learned else { return [:] }
        return try learnedRepresentation(l).layerPermutations(for: spec)
    }

    /// Every learned representation a training uses (its mode's and its tracked distances'), per layer.
    func learnedPermutations(_ spec: TrainSpec) throws -> [LearnedChannels: [String: ChannelRepresentation]] {
        var choices = [spec.channels]
        for case .distanceToE(_, let ch) in spec.tracked { choices.append(ch) }
        var out: [LearnedChannels: [String: ChannelRepresentation]] = [:]
        for ch in choices {
            guard let l = ch.learned, out[l] == nil else { continue }
            out[l] = try layerPermutations(ch, for: spec.network)
        }
        return out
    }

    /// A merge's learned representation for results.json, when its matching gives one.
    func learnedRepresentationJSON(_ merger: Merger) -> JSONValue {
        let group: GroupSpec
        switch merger.spec.target {
        case .model: return .null
        case .transformed(let g, _):
            guard merger.spec.involutive || merger.spec.representation else { return .null }
            group = g
        case .orbit(let g):
            guard merger.spec.involutive || merger.spec.representation else { return .null }
            group = g
        }
        return (try? LearnedRepresentation(merger, group: group).json) ?? .null
    }
}
