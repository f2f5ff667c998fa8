import EqxSyntax

extension Checker {
    /// `m.representation`: only matchings constrained to a representation of the merge's group give one —
    /// a self-merge with `involutions` over a group of order 2 ({e, g} with σ² = id), or an orbit merge with
    /// `representation` (or `involutions` over a group of order 2). Reports E0713 otherwise, at the member.
    func learnedChannels(of id: String, at range: SourceRange) -> Value? {
        guard let m = mergeSpec(id) else { return nil }
        let declared = DiagnosticNote("merge '\(id)' is declared at \(location(m.range))", range: m.range)
        let shape = m.network.inputShape
        func order(_ g: GroupSpec) -> Int {
            shape.count == 3 ? g.order(height: shape[1], width: shape[2]) : g.order(height: 1, width: 1)
        }
        switch m.target {
        case .model:
            error("E0713", "merge '\(id)' aligns two different networks, so its permutations are no representation of a group",
                  at: range, label: "no learned representation", notes: [declared],
                  help: "merge a network with its own transform, e.g. 'merge m = a with flip(a) { …; involutions }'")
            return nil
        case .transformed(let g, _):
            guard m.involutive || m.representation else {
                error("E0713", "self-merge '\(id)' matches without 'involutions', so its permutation need not be an involution "
                      + "and need not represent \(g)", at: range, label: "not a representation", notes: [declared],
                      help: "add 'involutions' to the merge")
                return nil
            }
            guard order(g) == 2 else {
                error("E0713", "self-merge '\(id)' matches one element of \(g) (\(order(g)) elements), so its permutation "
                      + "represents only the subgroup that element generates", at: range, label: "not a representation of \(g)",
                      notes: [declared], help: "merge over the whole group: 'with orbit(...)' and 'representation'")
                return nil
            }
            return .learnedChannels(LearnedChannels(merge: id, group: g))
        case .orbit(let g):
            guard m.representation || m.involutive && order(g) == 2 else {
                error("E0713", "orbit merge '\(id)' matches every element on its own, so its permutations need not compose "
                      + "(σ_g σ_h = σ_{g∘h})", at: range, label: "not a representation", notes: [declared],
                      help: "add 'representation' to the merge")
                return nil
            }
            return .learnedChannels(LearnedChannels(merge: id, group: g))
        }
    }

    /// A `channels:` argument: `trivial`, `regular`, or a merge's learned representation, which must be of
    /// `group` (E0714, at the group) and act on `network`'s permutation symbols (E0715, at the network).
    func channelChoice(_ e: Expr, group: GroupSpec, groupRange: SourceRange, network: NetworkSpec,
                       networkRange: SourceRange) -> ChannelChoice? {
        guard let value = evaluate(e) else { return nil }
        guard case .learnedChannels(let l) = value else {
            return symbol(e, what: "channel action", among: ["trivial", "regular"])
                .flatMap(ChannelAction.init(rawValue:)).map(ChannelChoice.action)
        }
        guard let m = mergeSpec(l.merge) else { return nil }
        let declared = DiagnosticNote("merge '\(l.merge)' is declared at \(location(m.range))", range: m.range)
        guard l.group == group else {
            error("E0714", "\(l) is a representation of \(l.group), not of \(group)", at: groupRange,
                  label: "the merge's group is \(l.group)", notes: [declared],
                  help: "measure or train under \(l.group), the group the merge matched")
            return nil
        }
        guard PermutationSymbols(network).carriesSameSymbols(as: PermutationSymbols(m.network)) else {
            error("E0715", "\(l) permutes the channels of \(m.network.name), but '\(network.name)' has other permutation symbols",
                  at: networkRange, label: "different channels from the merged network", notes: [declared],
                  help: "use a network with the merge's architecture (\(m.network.name), same widths)")
            return nil
        }
        return .learned(l)
    }
}
