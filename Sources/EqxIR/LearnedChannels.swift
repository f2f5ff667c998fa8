/// `channels: m.representation`: the channel permutations a merge learned, σ_g per permutation symbol and
/// group element. Only a self-merge with `involutions` (g² = e) or an orbit merge with `representation`
/// has matched permutations that form a representation of the merge's group. The checker knows which
/// merge and group; the permutations exist only once the merge has run.
public struct LearnedChannels: Hashable, Sendable, CustomStringConvertible {
    /// The merge's instance id (`self#2` inside a repeat).
    public var merge: String
    /// The merge's group, which the representation is of.
    public var group: GroupSpec

    public init(merge: String, group: GroupSpec) {
        self.merge = merge
        self.group = group
    }

    public var description: String { "\(merge).representation" }
}

/// What a `channels:` argument names: one action for every hidden layer, or a merge's learned one (which
/// acts on every layer carrying a permutation symbol; the input and the logits stay trivial).
public enum ChannelChoice: Hashable, Sendable, CustomStringConvertible {
    case action(ChannelAction)
    case learned(LearnedChannels)

    public static let trivial = ChannelChoice.action(.trivial)
    public static let regular = ChannelChoice.action(.regular)

    /// The action of hidden layers that no learned permutation covers.
    public var hidden: ChannelAction {
        switch self {
        case .action(let a): return a
        case .learned: return .trivial
        }
    }

    public var learned: LearnedChannels? {
        switch self {
        case .action: return nil
        case .learned(let l): return l
        }
    }

    public var description: String {
        switch self {
        case .action(let a): return a.rawValue
        case .learned(let l): return l.description
        }
    }
}

extension PermutationSymbols {
    /// Whether a learned representation of `other`'s symbols acts on these: the same symbols, with the same
    /// channel counts and producing layers (match points may differ).
    public func carriesSameSymbols(as other: PermutationSymbols) -> Bool {
        symbols.map { [$0.channels] } == other.symbols.map { [$0.channels] }
            && symbols.map(\.producers) == other.symbols.map(\.producers)
    }
}
