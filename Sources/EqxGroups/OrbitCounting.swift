// Counting orbits without listing them: Burnside's lemma on product index sets.
//
// g·θ permutes the entries of a parameter tensor diagonally on a product of factors (output channels ×
// input channels × kernel positions, …). Its number of orbits, which is dim E for that tensor, is
// (1/|G|) Σ_g Π_f fix_f(g), because a product's fixed points are the products of the factors' fixed points.
// The factors are small (channels, kernel or grid positions), so this never builds an index array of the
// tensor's size, and the large groups have closed forms: a regular factor makes the action free, a
// non-trivial cyclic shift fixes no pixel, and S_n's orbits on k-tuples of nodes are the equality patterns.

/// One factor of a tensor's index set, permuted by the group: channels under a representation, or positions.
public enum IndexFactor: Hashable, Sendable {
    case channels(Int, ChannelRepresentation)
    case positions(SpatialDomain)

    public var size: Int {
        switch self {
        case .channels(let count, _): return count
        case .positions(let domain): return domain.size
        }
    }
}

extension FiniteGroup {
    /// Largest |G| · (positions) that the general case enumerates.
    static let orbitCountingBudget = 50_000_000

    /// The number of orbits of the diagonal action on factor₁ × factor₂ × … (the dimension of the
    /// subspace the Reynolds projection keeps). Throws if the group cannot act on a factor, if the product
    /// overflows `Int`, or if a product group would have to be enumerated beyond `orbitCountingBudget`.
    public func orbitCount(on factors: [IndexFactor]) throws -> Int {
        var total = 1
        for factor in factors {
            switch factor {
            case let .channels(count, representation): try validate(representation, channels: count)
            case .positions(let domain): try validateAction(on: domain)
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: factor.size)
            guard !overflow else { throw GroupError.invalidDomain("an index set of more than 2^63 entries") }
            total = product
        }
        // g ≠ e moves every channel of a regular factor, so the action is free: every orbit has |G| entries.
        if factors.contains(where: { if case .channels(_, .regular) = $0 { return true } else { return false } }) {
            return total / order
        }
        var fixedChannels = 1
        var domains: [SpatialDomain] = []
        var explicit: [[[Int]]] = []
        for factor in factors {
            switch factor {
            case .channels(let count, .trivial): fixedChannels *= count
            case .channels(_, .permutations(let perms)): explicit.append(perms)
            case .channels(_, .regular): break
            case .positions(let domain): domains.append(domain)
            }
        }
        let orbits = explicit.isEmpty ? try positionOrbitCount(domains) : try enumeratedOrbitCount(domains, explicit)
        let (result, overflow) = fixedChannels.multipliedReportingOverflow(by: orbits)
        guard !overflow else { throw GroupError.invalidDomain("an index set of more than 2^63 entries") }
        return result
    }

    /// Orbits on domain₁ × domain₂ × … (validated).
    private func positionOrbitCount(_ domains: [SpatialDomain]) throws -> Int {
        let sizes = domains.map(\.size)
        let all = sizes.reduce(1, *)
        switch structure {
        case .trivial:
            return all
        case .translations:
            // Kernels are fixed; a shift other than e fixes no pixel of a grid.
            let moved = domains.contains { if case .grid = $0 { return true } else { return false } }
            return moved ? all / order : all
        case .symmetric(let n):
            // fix(σ) is m₁ on a vector and m₁² on an n×n grid, so Π_f fix_f = m₁^k and the orbits of S_n on
            // k-tuples of nodes are their equality patterns: set partitions of k into at most n blocks.
            let k = domains.reduce(0) { sum, d in
                switch d {
                case .vector: return sum + 1
                case .grid: return sum + 2
                default: return sum
                }
            }
            return try SymmetricGroup.partitionCount(of: k, atMost: n)
        default:
            return try enumeratedOrbitCount(domains, [])
        }
    }

    /// (1/|G|) Σ_g Π fix_g over every element: point groups (at most 8 elements) and products.
    private func enumeratedOrbitCount(_ domains: [SpatialDomain], _ explicit: [[[Int]]]) throws -> Int {
        let work = order.multipliedReportingOverflow(by: max(1, domains.reduce(0) { $0 + $1.size }))
        guard order <= FiniteGroup.enumerationLimit, !work.overflow, work.partialValue <= FiniteGroup.orbitCountingBudget else {
            throw GroupError.tooLargeToEnumerate(group: name, order: order, limit: FiniteGroup.enumerationLimit)
        }
        var sum = 0
        for g in elements {
            var fixed = 1
            for domain in domains where fixed > 0 {
                let perm = actionPermutation(g, on: domain)
                fixed *= perm.indices.reduce(0) { $0 + (perm[$1] == $1 ? 1 : 0) }
            }
            for perms in explicit where fixed > 0 {
                fixed *= perms[g].indices.reduce(0) { $0 + (perms[g][$1] == $1 ? 1 : 0) }
            }
            sum += fixed
        }
        precondition(sum % order == 0, "Burnside's sum \(sum) is not a multiple of |\(name)| = \(order)")
        return sum / order
    }
}

extension SymmetricGroup {
    /// Σ_{j ≤ n} S(k, j): partitions of a k-set into at most n blocks (Stirling numbers of the second kind).
    static func partitionCount(of k: Int, atMost n: Int) throws -> Int {
        // row[j] = S(i, j), built up by S(i+1, j) = j·S(i, j) + S(i, j−1).
        var row = [1] + [Int](repeating: 0, count: k)
        for i in 0..<k {
            for j in stride(from: i + 1, through: 1, by: -1) {
                let (scaled, o1) = j.multipliedReportingOverflow(by: row[j])
                let (next, o2) = scaled.addingReportingOverflow(row[j - 1])
                guard !o1, !o2 else { throw GroupError.invalidDomain("too many node tuples to count (k = \(k))") }
                row[j] = next
            }
            row[0] = 0
        }
        return row.prefix(min(k, n) + 1).reduce(0, +)
    }
}
