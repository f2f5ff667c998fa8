// Multiplication, inverses, generators, random elements and the Cayley table.

extension FiniteGroup {
    /// Largest order for which `cayleyTable()` and `elementNames()` enumerate.
    public static let enumerationLimit = 1 << 16
    /// Largest order for which `cayleyTable()` builds the |G|×|G| table.
    public static let tabulationLimit = 1024

    /// a∘b: first b, then a. Elements must be in 0..<order (checked by precondition: pass only elements
    /// obtained from this group).
    public func compose(_ a: Int, _ b: Int) -> Int {
        precondition(elements.contains(a) && elements.contains(b), "compose(\(a), \(b)) outside \(name)")
        switch structure {
        case .trivial:
            return 0
        case .mirror:
            return a ^ b
        case .rotations:
            return (a + b) % 4
        case .dihedral:
            return Dihedral.compose(a, b)
        case let .translations(rows, columns):
            return ((a / columns + b / columns) % rows) * columns + (a % columns + b % columns) % columns
        case .symmetric(let n):
            let sa = SymmetricGroup.permutation(rank: a, degree: n)
            let sb = SymmetricGroup.permutation(rank: b, degree: n)
            return SymmetricGroup.rank(sb.map { sa[$0] })
        case let .directProduct(g, h):
            return g.compose(a / h.order, b / h.order) * h.order + h.compose(a % h.order, b % h.order)
        case let .semidirectProduct(t, k):
            let (t1, k1) = (a / k.order, a % k.order)
            let (t2, k2) = (b / k.order, b % k.order)
            return t.compose(t1, k.linearAction(k1, onTranslation: t2, of: t)) * k.order + k.compose(k1, k2)
        }
    }

    /// g⁻¹.
    public func inverse(_ a: Int) -> Int {
        precondition(elements.contains(a), "inverse(\(a)) outside \(name)")
        switch structure {
        case .trivial, .mirror:
            return a
        case .rotations:
            return (4 - a) % 4
        case .dihedral:
            return Dihedral.inverse(a)
        case let .translations(rows, columns):
            return ((rows - a / columns) % rows) * columns + (columns - a % columns) % columns
        case .symmetric(let n):
            let sigma = SymmetricGroup.permutation(rank: a, degree: n)
            return SymmetricGroup.rank(inversePermutation(sigma))
        case let .directProduct(g, h):
            return g.inverse(a / h.order) * h.order + h.inverse(a % h.order)
        case let .semidirectProduct(t, k):
            // (t, k)⁻¹ = (−L(k⁻¹)t, k⁻¹).
            let (t1, k1) = (a / k.order, a % k.order)
            let kInverse = k.inverse(k1)
            return t.inverse(k.linearAction(kInverse, onTranslation: t1, of: t)) * k.order + kInverse
        }
    }

    /// L(k)·t for a point-group element k acting on a translation element t of `translations`.
    func linearAction(_ k: Int, onTranslation t: Int, of translations: FiniteGroup) -> Int {
        guard case let .translations(rows, columns) = translations.structure else {
            preconditionFailure("linearAction on non-translations \(translations)")
        }
        let (a, b) = Dihedral.linear(dihedralEmbedding(k), a: t / columns, b: t % columns)
        return (((a % rows) + rows) % rows) * columns + ((b % columns) + columns) % columns
    }

    /// g^k for k ≥ 0.
    public func power(_ g: Int, _ k: Int) -> Int {
        precondition(k >= 0, "power needs k ≥ 0")
        var result = identity
        for _ in 0..<k { result = compose(result, g) }
        return result
    }

    /// The order of an element: the least k ≥ 1 with g^k = e.
    public func elementOrder(_ g: Int) -> Int {
        var k = 1
        var x = g
        while x != identity {
            x = compose(x, g)
            k += 1
        }
        return k
    }

    /// A generating set (empty for a trivial group): r for C4, [r, m] for D4, unit shifts for translations,
    /// the transposition (0 1) and the n-cycle (0 1 … n−1) for S_n, and the embedded generators of both
    /// factors for products.
    public var generators: [Int] {
        switch structure {
        case .trivial:
            return []
        case .mirror, .rotations:
            return [1]
        case .dihedral:
            return [1, 4]
        case let .translations(rows, columns):
            return (rows > 1 ? [columns] : []) + (columns > 1 ? [1] : [])
        case .symmetric(let n):
            guard n >= 2 else { return [] }
            var transposition = Array(0..<n)
            transposition.swapAt(0, 1)
            let cycle = (0..<n).map { ($0 + 1) % n }
            return n == 2 ? [SymmetricGroup.rank(transposition)]
                : [SymmetricGroup.rank(transposition), SymmetricGroup.rank(cycle)]
        case let .directProduct(g, h):
            return g.generators.map { $0 * h.order } + h.generators
        case let .semidirectProduct(t, k):
            return t.generators.map { $0 * k.order } + k.generators
        }
    }

    /// A uniformly distributed element, drawn from the caller's generator (never a system RNG).
    public func randomElement<R: RandomNumberGenerator>(using generator: inout R) -> Int {
        Int.random(in: elements, using: &generator)
    }

    /// table[a][b] = a∘b. Throws for groups with more than `tabulationLimit` elements.
    public func cayleyTable() throws -> [[Int]] {
        guard order <= FiniteGroup.tabulationLimit else {
            throw GroupError.tooLargeToEnumerate(group: name, order: order, limit: FiniteGroup.tabulationLimit)
        }
        return elements.map { a in elements.map { b in compose(a, b) } }
    }

    /// For S_n: the permutation σ of {0..<n} that the element is (σ[i] = image of i).
    public func symmetricPermutation(_ element: Int) throws -> [Int] {
        guard case .symmetric(let n) = structure else {
            throw GroupError.invalidGroup("symmetricPermutation needs S_n, got \(name)")
        }
        try checkElement(element)
        return SymmetricGroup.permutation(rank: element, degree: n)
    }

    /// For S_n: the element that is the permutation σ (σ[i] = image of i).
    public func symmetricElement(_ sigma: [Int]) throws -> Int {
        guard case .symmetric(let n) = structure else {
            throw GroupError.invalidGroup("symmetricElement needs S_n, got \(name)")
        }
        try validatePermutation(sigma, count: n, what: "an element of \(name)")
        return SymmetricGroup.rank(sigma)
    }
}
