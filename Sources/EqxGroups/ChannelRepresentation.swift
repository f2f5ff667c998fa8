/// How a group permutes the channels of a feature space.
public enum ChannelRepresentation: Hashable, Sendable, CustomStringConvertible {
    /// Every channel fixed.
    case trivial
    /// Channels in consecutive blocks of |G|, indexed by group elements inside each block; g permutes each
    /// block by left multiplication: (ρ(g)v)[b·|G| + h] = v[b·|G| + (g⁻¹∘h)].
    case regular
    /// One explicit permutation per group element, perms[g] in the gather convention (e.g. learned by
    /// matching; for a mirror group [identity, σ] with σ an involution). Must be a representation.
    case permutations([[Int]])

    public var description: String {
        switch self {
        case .trivial: return "trivial"
        case .regular: return "regular"
        case .permutations(let perms): return "explicit permutations of \(perms.first?.count ?? 0) channels"
        }
    }
}

extension FiniteGroup {
    /// Throws unless the representation is valid for this group on `channels` channels: regular needs
    /// channels divisible by |G|; explicit permutations need one permutation of the channels per element,
    /// the identity for e, and ρ(g)ρ(s) = ρ(g∘s) for every element g and generator s (which implies the
    /// homomorphism property for all pairs).
    public func validate(_ representation: ChannelRepresentation, channels: Int) throws {
        guard channels >= 1 else {
            throw GroupError.invalidChannelRepresentation("a feature space needs at least one channel, got \(channels)")
        }
        switch representation {
        case .trivial:
            return
        case .regular:
            guard channels % order == 0 else {
                throw GroupError.invalidChannelRepresentation(
                    "the regular representation of \(name) needs a channel count divisible by |\(name)| = \(order), "
                        + "got \(channels)")
            }
        case .permutations(let perms):
            guard perms.count == order else {
                throw GroupError.invalidChannelRepresentation(
                    "explicit channel permutations for \(name) need one per element (\(order)), got \(perms.count)")
            }
            for (g, perm) in perms.enumerated() {
                try validatePermutation(perm, count: channels, what: "the channel permutation of \(name(of: g))")
            }
            if let moved = perms[identity].indices.first(where: { perms[identity][$0] != $0 }) {
                throw GroupError.invalidChannelRepresentation(
                    "explicit channel permutations are not a representation of \(name): the identity moves "
                        + "channel \(moved) to \(perms[identity][moved])")
            }
            for g in elements {
                for s in generators {
                    let gs = compose(g, s)
                    let product = composedPermutation(perms[g], perms[s])
                    if let i = product.indices.first(where: { product[$0] != perms[gs][$0] }) {
                        throw GroupError.invalidChannelRepresentation(
                            "explicit channel permutations are not a representation of \(name): "
                                + "ρ(\(name(of: g)))ρ(\(name(of: s))) ≠ ρ(\(name(of: gs))) at channel \(i) "
                                + "(perm[\(name(of: s))][perm[\(name(of: g))][\(i)]] = \(product[i]), "
                                + "perm[\(name(of: gs))][\(i)] = \(perms[gs][i]))")
                    }
                }
            }
        }
    }

    /// perm[g] on `channels` channels for the representation (validated first).
    public func channelPermutation(element: Int, channels: Int,
                                   representation: ChannelRepresentation) throws -> [Int] {
        try checkElement(element)
        try validate(representation, channels: channels)
        return uncheckedChannelPermutation(element, channels: channels, representation: representation)
    }

    func uncheckedChannelPermutation(_ g: Int, channels: Int, representation: ChannelRepresentation) -> [Int] {
        switch representation {
        case .trivial:
            return Array(0..<channels)
        case .regular:
            let gInverse = inverse(g)
            let block = elements.map { compose(gInverse, $0) }
            return (0..<channels).map { ($0 / order) * order + block[$0 % order] }
        case .permutations(let perms):
            return perms[g]
        }
    }
}
