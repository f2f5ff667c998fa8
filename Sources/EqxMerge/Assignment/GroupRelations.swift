import EqxGroups

/// The relations a family of channel permutations {p_g} must satisfy to be a representation of G, and how
/// many channels violate each (issue 18: "σ_r⁴ ≠ id, σ_r² ≠ σ_r2, …").
///
/// Permutations use the gather convention of EqxGroups, p_{g∘h}[i] = p_h[p_g[i]]. A word x₁x₂…x_k of
/// elements stands for the product x₁∘x₂∘…∘x_k, whose permutation is i ↦ p_{x_k}[…p_{x₂}[p_{x₁}[i]]…].
/// The relations are
/// - for every generator s of order k: s^k = e;
/// - the defining relations between generators where eqx knows a presentation: m∘r∘m = r⁻¹ for D4, and
///   a∘b = b∘a for generators of different factors of a direct product (and the two shifts of a 2-D
///   translation group);
/// - for every other element g ≠ e: p_g equals the permutation of a shortest word in the generators
///   (e.g. r2 = r^2, mr = m*r);
/// - `homomorphism`: p_g p_s = p_{g∘s} for every g and generator s, which alone is equivalent to being a
///   representation (given p_e = id), so it is reported for every group.
public struct GroupRelations {
    public struct Relation: Equatable, Sendable {
        public var name: String
        public var left: [Int]
        public var right: [Int]
    }

    public let group: FiniteGroup
    public let relations: [Relation]
    /// A shortest word in the generators for every element (empty for e).
    let words: [[Int]]

    public init(group: FiniteGroup) {
        self.group = group
        let generators = group.generators
        // Breadth-first over the Cayley graph, multiplying by generators on the right.
        var words = [[Int]?](repeating: nil, count: group.order)
        words[group.identity] = []
        var frontier = [group.identity]
        while !frontier.isEmpty {
            var next: [Int] = []
            for g in frontier {
                for s in generators {
                    let gs = group.compose(g, s)
                    if words[gs] == nil { words[gs] = words[g]! + [s]; next.append(gs) }
                }
            }
            frontier = next
        }
        self.words = words.map { $0 ?? [] }
        var relations: [Relation] = []
        for s in generators {
            let k = group.elementOrder(s)
            relations.append(Relation(name: "\(GroupRelations.spell([Int](repeating: s, count: k), group))=e",
                                      left: [Int](repeating: s, count: k), right: []))
        }
        relations += GroupRelations.presentation(group)
        let generatorSet = Set(generators)
        for g in group.elements.dropFirst() where !generatorSet.contains(g) {
            relations.append(Relation(name: "\(group.name(of: g))=\(GroupRelations.spell(self.words[g], group))",
                                      left: [g], right: self.words[g]))
        }
        self.relations = relations
    }

    /// Relations between different generators, for the groups whose presentation eqx knows.
    private static func presentation(_ group: FiniteGroup) -> [Relation] {
        switch group.structure {
        case .dihedral:
            // m∘r∘m = r⁻¹, written m∘r∘m∘r = e so that it involves generators only.
            return [Relation(name: "m*r*m=r^-1", left: [4, 1, 4, 1], right: [])]
        case .translations(let rows, let columns) where rows > 1 && columns > 1:
            return commutators(group.generators, group.generators, group)
        case let .directProduct(a, b):
            func embedFirst(_ r: Relation) -> Relation {
                Relation(name: "", left: r.left.map { $0 * b.order }, right: r.right.map { $0 * b.order })
            }
            var out = presentation(a).map(embedFirst)
            out += presentation(b).map { Relation(name: "", left: $0.left, right: $0.right) }
            out = out.map { r in
                Relation(name: "\(spell(r.left, group))=\(r.right.isEmpty ? "e" : spell(r.right, group))",
                         left: r.left, right: r.right)
            }
            return out + commutators(a.generators.map { $0 * b.order }, b.generators, group)
        case .trivial, .mirror, .rotations, .translations, .symmetric, .semidirectProduct:
            return []
        }
    }

    /// a∘b = b∘a for a in `first` and b in `second` (each unordered pair once when the lists are equal).
    private static func commutators(_ first: [Int], _ second: [Int], _ group: FiniteGroup) -> [Relation] {
        var out: [Relation] = []
        for (i, a) in first.enumerated() {
            for (j, b) in second.enumerated() where a != b && (first != second || i < j) {
                out.append(Relation(name: "\(spell([a, b], group))=\(spell([b, a], group))", left: [a, b], right: [b, a]))
            }
        }
        return out
    }

    /// "r^2", "m*r", "m*r^3": runs of one letter as powers, letters joined by '*'.
    static func spell(_ word: [Int], _ group: FiniteGroup) -> String {
        guard !word.isEmpty else { return "e" }
        var parts: [String] = []
        var i = 0
        while i < word.count {
            var j = i
            while j < word.count && word[j] == word[i] { j += 1 }
            let name = group.name(of: word[i])
            parts.append(j - i == 1 ? name : "\(name)^\(j - i)")
            i = j
        }
        return parts.joined(separator: "*")
    }

    /// The permutation of a word, from one permutation per element.
    static func permutation(of word: [Int], _ perms: [[Int]], count: Int) -> [Int] {
        var w = Array(0..<count)
        for x in word { w = composedPermutation(w, perms[x]) }
        return w
    }

    /// For every relation the number of channels i where its two sides differ, then `homomorphism`: the
    /// channels where p_g p_s ≠ p_{g∘s} for some g and generator s, or p_e moves the channel.
    public func violations(_ perms: [[Int]]) -> [(relation: String, channels: Int)] {
        precondition(perms.count == group.order, "one permutation per element of \(group)")
        let n = perms[0].count
        var out: [(String, Int)] = relations.map { r in
            let l = GroupRelations.permutation(of: r.left, perms, count: n)
            let rt = GroupRelations.permutation(of: r.right, perms, count: n)
            return (r.name, (0..<n).filter { l[$0] != rt[$0] }.count)
        }
        var bad = (0..<n).map { perms[group.identity][$0] != $0 }
        for g in group.elements {
            for s in group.generators {
                let gs = group.compose(g, s)
                for i in 0..<n where perms[s][perms[g][i]] != perms[gs][i] { bad[i] = true }
            }
        }
        out.append(("homomorphism", bad.filter { $0 }.count))
        return out
    }

    /// The one relation a single matched element g satisfies in a representation of ⟨g⟩: p_g^k = id with k
    /// the order of g (for a self-merge with `flip(a)`: m^2=e, for `rot(a)`: r^4=e).
    public static func powerViolations(group: FiniteGroup, element: Int, _ perm: [Int]) -> (relation: String, channels: Int) {
        let k = group.elementOrder(element)
        var w = Array(0..<perm.count)
        for _ in 0..<k { w = composedPermutation(w, perm) }
        return ("\(spell([Int](repeating: element, count: k), group))=e", (0..<perm.count).filter { w[$0] != $0 }.count)
    }
}
