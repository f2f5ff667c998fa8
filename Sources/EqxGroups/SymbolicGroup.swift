/// A group as a script writes it, before the data fixes its size: the checker resolves a group expression
/// to this value and the IR carries it. Everything else about the group (order, element names, whether it
/// can act on some samples, whether two factors may form a direct product) is read off the `FiniteGroup`
/// it stands for, so this file holds no group theory of its own beyond how sizes come from the input.
public indirect enum SymbolicGroup: Hashable, Sendable, CustomStringConvertible {
    case trivial
    /// Reverse the W axis (`horizontal`) or the H axis (`vertical`).
    case mirror(MirrorAxis)
    /// Rotations by multiples of 90° on a square grid (n = 4, the only value the checker accepts).
    case rotations(Int)
    /// The symmetries of the square (order 8).
    case dihedral4
    /// Cyclic translations of the H×W grid, or along one axis; sizes come from the feature map.
    case translations(TranslationAxes)
    /// S_n permuting n nodes: vectors of length n or n×n adjacency matrices.
    case symmetric(Int)
    /// G × H, acting by composing the factors' (commuting) actions.
    case product(SymbolicGroup, SymbolicGroup)
    /// T ⋊ K: cyclic translations normalised by a point group (first K about the grid centre, then a shift).
    case semidirect(SymbolicGroup, SymbolicGroup)

    public typealias MirrorAxis = FiniteGroup.MirrorAxis
    public enum TranslationAxes: String, Hashable, Sendable { case both, width, height }

    /// The script's spelling, as `eqx dump-ir` and results name the group.
    public var description: String {
        switch self {
        case .trivial: return "trivial"
        case .mirror(let a): return "mirror(\(a.rawValue))"
        case .rotations(let n): return "rotations(\(n))"
        case .dihedral4: return "dihedral(4)"
        case .translations(let a): return a == .both ? "translations" : "translations(\(a.rawValue))"
        case .symmetric(let n): return "symmetric(\(n))"
        case .product(let a, let b): return "\(a) * \(b)"
        case .semidirect(let t, let k): return "semidirect(\(t), \(k))"
        }
    }

    // MARK: Building

    /// Why `a * b` cannot be a group acting by composition, or nil if it can.
    public enum ProductObstruction: Hashable, Sendable {
        /// Some element of one factor does not commute with some element of the other where both act.
        case noncommuting
        /// The factors share a non-identity transformation, so the product would count it twice.
        case sharedElements
    }

    /// Whether G × H acts by composing the factors' actions on every input both act on: their actions must
    /// commute and meet only in the identity. Decided on a test domain where each factor acts faithfully
    /// (a 3×5 grid for translations along both axes, a 3×3 grid for point groups), which is the generic case.
    public static func productObstruction(_ a: SymbolicGroup, _ b: SymbolicGroup) -> ProductObstruction? {
        if a == .trivial || b == .trivial { return nil }
        guard let domain = a.faithfulTestDomain(with: b),
              let g = try? a.concrete(height: 3, width: domain.width),
              let h = try? b.concrete(height: 3, width: domain.width),
              let first = try? g.elements.map({ try g.spatialPermutation(element: $0, on: domain.grid) }),
              let second = try? h.elements.map({ try h.spatialPermutation(element: $0, on: domain.grid) })
        else { return .noncommuting }
        for p in first { for q in second where composedPermutation(p, q) != composedPermutation(q, p) { return .noncommuting } }
        return Set(first).intersection(second).count > 1 ? .sharedElements : nil
    }

    /// A grid on which both groups act faithfully, or nil if one of them does not act on grids alone
    /// (S_n acts on n×n matrices; it shares them with no other group here).
    private func faithfulTestDomain(with other: SymbolicGroup) -> (grid: SpatialDomain, width: Int)? {
        guard !containsSymmetric, !other.containsSymmetric else { return nil }
        // Quarter turns need a square; translations on a 3×3 torus are still faithful and non-involutive.
        let width = needsSquareGrids || other.needsSquareGrids ? 3 : 5
        return (.grid(height: 3, width: width), width)
    }

    /// Why T ⋊ K is not a group eqx can act with, or nil: T must be cyclic translations and K a point group
    /// (trivial, a mirror, rotations(4) or dihedral(4)).
    public static func semidirectObstruction(_ t: SymbolicGroup, _ k: SymbolicGroup) -> String? {
        guard case .translations = t else {
            return "the first factor of a semidirect product must be translations (the normal subgroup), got \(t)"
        }
        switch k {
        case .trivial, .mirror, .rotations, .dihedral4: return nil
        case .translations, .symmetric, .product, .semidirect:
            return "the second factor of a semidirect product must be a point group (a mirror, rotations(4) or dihedral(4)), got \(k)"
        }
    }

    // MARK: The concrete group

    /// The group acting on samples of `shape` ([C, H, W], [n] or anything else): translations take the
    /// grid's size, every other factor is the same for all inputs. Throws where no such group exists
    /// (e.g. rotations normalising the translations of a non-square grid).
    public func finiteGroup(forInput shape: [Int]) throws -> FiniteGroup {
        let (h, w) = shape.count == 3 ? (shape[1], shape[2]) : (1, 1)
        return try concrete(height: h, width: w)
    }

    private func concrete(height h: Int, width w: Int) throws -> FiniteGroup {
        switch self {
        case .trivial: return .trivial
        case .mirror(let axis): return .mirror(axis)
        case .rotations: return .rotations
        case .dihedral4: return .dihedral
        case .translations(.both): return try .translations(rows: h, columns: w)
        case .translations(.width): return try .horizontalTranslations(w)
        case .translations(.height): return try .translations(rows: h, columns: 1)
        case .symmetric(let n): return try .symmetric(n)
        case .product(let a, let b):
            return try .product(a.concrete(height: h, width: w), b.concrete(height: h, width: w))
        case .semidirect(let t, let k):
            return try .semidirectProduct(translations: t.concrete(height: h, width: w),
                                          point: k.concrete(height: h, width: w))
        }
    }

    /// How the group moves the entries of samples of `shape`: the one cached action every augmentation,
    /// metric and merge uses. Throws the reason the group cannot act on such samples.
    public func sampleAction(forInput shape: [Int]) throws -> SampleAction {
        try SampleAction.shared(group: finiteGroup(forInput: shape), sampleShape: shape)
    }

    /// Why this group cannot act on samples of `shape` ([C,H,W], [n] or [1,n,n]), or nil if it can.
    public func incompatibility(withInput shape: [Int]) -> String? {
        do { _ = try sampleAction(forInput: shape); return nil } catch let error as GroupError {
            switch error {
            case let .cannotAct(_, _, reason): return reason
            case .invalidGroup(let message): return message
            case .elementOutOfRange, .invalidDomain, .invalidChannelRepresentation, .invalidPermutation,
                 .unknownElement, .tooLargeToEnumerate:
                return error.description
            }
        } catch {
            return "\(error)"
        }
    }

    /// |G| on samples of an H×W grid (translations depend on it); `Int.max` where the group does not exist.
    public func order(height: Int, width: Int) -> Int {
        (try? concrete(height: height, width: width).order) ?? Int.max
    }

    // MARK: Properties the checker asks about

    /// Whether a training or merge may loop over every element: S_n only up to `FiniteGroup.summationLimit`
    /// elements; spatial groups always (their order is at most 8 × the number of pixels).
    public var isEnumerable: Bool {
        switch self {
        case .symmetric: return order(height: 1, width: 1) <= FiniteGroup.summationLimit
        case .product(let a, let b), .semidirect(let a, let b): return a.isEnumerable && b.isEnumerable
        case .trivial, .mirror, .rotations, .dihedral4, .translations: return true
        }
    }

    /// Whether the group moves pixels of a feature map (so spatial layers must respect it).
    public var actsSpatially: Bool {
        switch self {
        case .trivial: return false
        case .product(let a, let b), .semidirect(let a, let b): return a.actsSpatially || b.actsSpatially
        case .mirror, .rotations, .dihedral4, .translations, .symmetric: return true
        }
    }

    public var containsTranslations: Bool { contains { if case .translations = $0 { return true } else { return false } } }

    public var containsSymmetric: Bool { contains { if case .symmetric = $0 { return true } else { return false } } }

    /// Whether the group has quarter turns, so it acts only on square grids and kernels.
    public var needsSquareGrids: Bool {
        (try? concrete(height: 1, width: 1).containsQuarterTurns) ?? false
    }

    private func contains(_ factor: (SymbolicGroup) -> Bool) -> Bool {
        switch self {
        case .product(let a, let b), .semidirect(let a, let b): return a.contains(factor) || b.contains(factor)
        case .trivial, .mirror, .rotations, .dihedral4, .translations, .symmetric: return factor(self)
        }
    }

    /// The point groups, whose elements have names independent of the input (for `flip(net)`, `rot(net, "r2")`).
    private var concreteNamedGroup: FiniteGroup? {
        switch self {
        case .trivial, .mirror, .rotations, .dihedral4: return try? concrete(height: 1, width: 1)
        case .translations, .symmetric, .product, .semidirect: return nil
        }
    }

    /// Element names in the order `FiniteGroup` numbers them, or nil for groups whose elements cannot be named.
    public var elementNames: [String]? { try? concreteNamedGroup?.elementNames() }

    /// The order of a named element (index into `elementNames`), or nil for groups whose elements cannot
    /// be named. An element with order ≤ 2 squares to the identity, as an involutive self-merge needs.
    public func order(ofElement e: Int) -> Int? {
        guard let g = concreteNamedGroup, g.elements.contains(e) else { return nil }
        return g.elementOrder(e)
    }
}

extension FiniteGroup {
    /// Largest order a training or merge enumerates element by element (S7); larger symmetric groups use
    /// random elements and orbit patterns instead.
    public static let summationLimit = 5040
}
