// The finite groups eqx experiments with, as one uniform runtime value.
//
// # Conventions (used by every file of this module)
//
// Elements. A group of order N has the elements 0..<N; element 0 is always the identity.
// `compose(a, b)` is a∘b: first apply b, then a (as for functions).
//
// Pixels. An H×W map has rows h = 0..<H (row 0 at the top) and columns w = 0..<W (column 0 at the left);
// pixel (h, w) has the flat index p = h·W + w, as in a row-major (H, W) array.
//
// Permutation representations. A group acting on an index set {0..<n} is described, for each element g,
// by an array perm[g] with
//
//     (ρ(g) v)[i] = v[perm[g][i]],
//
// so ρ(g) is a gather. Geometrically, if g moves position p to g(p), then (g·x)(p) = x(g⁻¹(p)), hence
// perm[g][p] = index of g⁻¹(p). With this convention ρ is a homomorphism, ρ(g)ρ(h) = ρ(g∘h), which
// written out on arrays is
//
//     perm[g∘h][i] = perm[h][perm[g][i]].
//
// Every action and channel representation in this module satisfies it (and the tests check it).

/// A finite group together with the spatial and index actions eqx needs.
///
/// Elements are the integers `0..<order`, with 0 the identity (see the module conventions at the top of
/// `FiniteGroup.swift`). The value is cheap to copy, `Equatable` and `Hashable`, so the checker and the IR
/// can store it. Groups that cannot be enumerated (e.g. S₁₀ with 3,628,800 elements) still have elements
/// as integers; use `generators`, `randomElement(using:)` and `OrbitPartition` for them instead of a loop
/// over all elements.
public struct FiniteGroup: Hashable, Sendable, CustomStringConvertible {
    /// How the group is built. Point groups (mirrors, C4, D4) are subgroups of the symmetries of a
    /// rectangle or square about its centre.
    public indirect enum Structure: Hashable, Sendable {
        /// {e}.
        case trivial
        /// Z2 = {e, m}; m reverses the W axis (`.horizontal`) or the H axis (`.vertical`).
        case mirror(MirrorAxis)
        /// C4 = {e, r, r2, r3}; r rotates by 90° counter-clockwise, as `numpy.rot90` on the (H, W) axes.
        case rotations
        /// D4 = {e, r, r2, r3, m, mr, mr2, mr3}; m is the horizontal mirror, "mr" is m∘r (first r, then m).
        case dihedral
        /// Z_rows × Z_columns: cyclic translations of a grid whose height is a multiple of `rows` and whose
        /// width is a multiple of `columns`. Element t(a, b) moves content down by a·(H/rows) rows and right
        /// by b·(W/columns) columns, like `numpy.roll(x, (a·H/rows, b·W/columns), axis=(0, 1))`.
        case translations(rows: Int, columns: Int)
        /// S_n: all permutations of {0..<n}; acts on vectors of length n and on n×n matrices (X ↦ P X Pᵀ).
        case symmetric(Int)
        /// G × H with componentwise composition.
        case directProduct(FiniteGroup, FiniteGroup)
        /// T ⋊ K: cyclic translations T normalised by a point group K (trivial, a mirror, C4 or D4), e.g. the
        /// rotation-translation group Z_n² ⋊ C4 of a torus. (t, k) acts as "apply k about the grid centre,
        /// then translate by t".
        case semidirectProduct(translations: FiniteGroup, point: FiniteGroup)
    }

    /// The axis a mirror reverses.
    public enum MirrorAxis: String, Hashable, Sendable {
        /// Reverses the W axis: (m·x)[h, w] = x[h, W−1−w].
        case horizontal
        /// Reverses the H axis: (m·x)[h, w] = x[H−1−h, w].
        case vertical
    }

    public let structure: Structure
    /// |G|.
    public let order: Int

    private init(_ structure: Structure, order: Int) {
        self.structure = structure
        self.order = order
    }

    // MARK: Constructors

    /// {e}: acts as the identity on everything.
    public static let trivial = FiniteGroup(.trivial, order: 1)
    /// Z2 reversing the W axis (a left-right mirror of an image).
    public static let horizontalMirror = FiniteGroup(.mirror(.horizontal), order: 2)
    /// Z2 reversing the H axis (an up-down mirror of an image).
    public static let verticalMirror = FiniteGroup(.mirror(.vertical), order: 2)
    /// C4, rotations by multiples of 90° counter-clockwise.
    public static let rotations = FiniteGroup(.rotations, order: 4)
    /// D4, the 8 symmetries of a square.
    public static let dihedral = FiniteGroup(.dihedral, order: 8)

    /// A mirror group for the given axis.
    public static func mirror(_ axis: MirrorAxis) -> FiniteGroup {
        axis == .horizontal ? horizontalMirror : verticalMirror
    }

    /// Z_rows × Z_columns cyclic translations (see `Structure.translations`). `rows: 1` gives translations
    /// along the W axis only, `columns: 1` along the H axis only.
    public static func translations(rows: Int, columns: Int) throws -> FiniteGroup {
        guard rows >= 1, columns >= 1 else {
            throw GroupError.invalidGroup("cyclic translations need positive periods, got \(rows)×\(columns)")
        }
        let (order, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow else {
            throw GroupError.invalidGroup("translations(\(rows)×\(columns)) has too many elements")
        }
        return FiniteGroup(.translations(rows: rows, columns: columns), order: order)
    }

    /// Z_columns: cyclic translations along the W axis of a 1-row lattice (any height).
    public static func horizontalTranslations(_ columns: Int) throws -> FiniteGroup {
        try translations(rows: 1, columns: columns)
    }

    /// Largest n for which S_n's elements can be numbered by `Int` (20! < 2⁶³).
    public static let maximumSymmetricDegree = 20

    /// The symmetric group S_n, 0 ≤ n ≤ 20. Element k is the permutation of rank k in the lexicographic
    /// order of one-line notations [σ(0), …, σ(n−1)], so element 0 is the identity.
    public static func symmetric(_ n: Int) throws -> FiniteGroup {
        guard n >= 0, n <= maximumSymmetricDegree else {
            throw GroupError.invalidGroup(
                "S_n needs 0 ≤ n ≤ \(maximumSymmetricDegree) (its elements are numbered by 64-bit integers), got n = \(n)")
        }
        return FiniteGroup(.symmetric(n), order: SymmetricGroup.factorial(n))
    }

    /// G × H. Element (g, h) has index g·|H| + h. It acts on a domain by composing the factors' actions,
    /// which is a homomorphism only if those actions commute there (checked by the actions).
    public static func product(_ first: FiniteGroup, _ second: FiniteGroup) throws -> FiniteGroup {
        let (order, overflow) = first.order.multipliedReportingOverflow(by: second.order)
        guard !overflow else {
            throw GroupError.invalidGroup("\(first) × \(second) has too many elements to number")
        }
        return FiniteGroup(.directProduct(first, second), order: order)
    }

    /// T ⋊ K for cyclic translations T and a point group K (trivial, mirror, C4 or D4). Element (t, k) has
    /// index t·|K| + k and composition (t₁, k₁)∘(t₂, k₂) = (t₁ + L(k₁)t₂, k₁∘k₂), where L(k) is the linear
    /// part of k acting on translation vectors. Rotations need a square translation lattice (rows = columns).
    public static func semidirectProduct(translations: FiniteGroup, point: FiniteGroup) throws -> FiniteGroup {
        guard case let .translations(rows, columns) = translations.structure else {
            throw GroupError.invalidGroup(
                "the normal factor of a semidirect product must be cyclic translations, got \(translations)")
        }
        guard point.isPointGroup else {
            throw GroupError.invalidGroup(
                "the point factor of a semidirect product must be trivial, a mirror, C4 or D4, got \(point)")
        }
        if point.containsQuarterTurns && rows != columns {
            throw GroupError.invalidGroup(
                "\(point) can only normalise translations on a square lattice, got \(translations)")
        }
        let (order, overflow) = translations.order.multipliedReportingOverflow(by: point.order)
        guard !overflow else { throw GroupError.invalidGroup("\(translations) ⋊ \(point) has too many elements") }
        return FiniteGroup(.semidirectProduct(translations: translations, point: point), order: order)
    }

    // MARK: Description

    /// A short mathematical name, used in error messages: "trivial", "mirror(horizontal)", "C4", "D4",
    /// "translations(14×14)", "S10", "C4 × mirror(vertical)", "translations(14×14) ⋊ C4".
    public var name: String {
        switch structure {
        case .trivial: return "trivial"
        case .mirror(let axis): return "mirror(\(axis.rawValue))"
        case .rotations: return "C4"
        case .dihedral: return "D4"
        case let .translations(rows, columns): return "translations(\(rows)×\(columns))"
        case .symmetric(let n): return "S\(n)"
        case let .directProduct(a, b): return "\(a.parenthesisedName) × \(b.parenthesisedName)"
        case let .semidirectProduct(t, k): return "\(t.parenthesisedName) ⋊ \(k.parenthesisedName)"
        }
    }

    public var description: String { name }

    private var parenthesisedName: String {
        switch structure {
        case .directProduct, .semidirectProduct: return "(\(name))"
        default: return name
        }
    }

    /// What the group acts on, in words.
    public var actionDescription: String {
        switch structure {
        case .trivial:
            return "everything, as the identity"
        case .mirror(.horizontal):
            return "H×W grids and kh×kw kernels by reversing the W axis"
        case .mirror(.vertical):
            return "H×W grids and kh×kw kernels by reversing the H axis"
        case .rotations:
            return "square grids and square kernels by rotations about the centre by multiples of 90°"
        case .dihedral:
            return "square grids and square kernels by rotations about the centre and mirrors"
        case let .translations(rows, columns):
            return "H×W grids with H a multiple of \(rows) and W a multiple of \(columns) by cyclic shifts "
                + "(steps H/\(rows) and W/\(columns)); kernels as the identity"
        case .symmetric(let n):
            return "vectors of length \(n) by permuting coordinates and \(n)×\(n) matrices by X ↦ P X Pᵀ"
        case let .directProduct(a, b):
            return "what both \(a) and \(b) act on, by composing their (commuting) actions"
        case let .semidirectProduct(t, k):
            return "grids both \(t) and \(k) act on: first \(k) about the centre, then a cyclic shift"
        }
    }

    // MARK: Classification helpers

    /// Trivial, a mirror, C4 or D4: a subgroup of D4 acting about the centre of a grid or kernel.
    var isPointGroup: Bool {
        switch structure {
        case .trivial, .mirror, .rotations, .dihedral: return true
        default: return false
        }
    }

    /// Whether the group contains a rotation by ±90° (so it can only act on square grids and kernels).
    var containsQuarterTurns: Bool {
        switch structure {
        case .rotations, .dihedral: return true
        case let .directProduct(a, b): return a.containsQuarterTurns || b.containsQuarterTurns
        case let .semidirectProduct(_, k): return k.containsQuarterTurns
        default: return false
        }
    }

    /// The identity element (always 0).
    public var identity: Int { 0 }

    /// All elements, 0..<order.
    public var elements: Range<Int> { 0..<order }

    func checkElement(_ element: Int) throws {
        guard element >= 0, element < order else {
            throw GroupError.elementOutOfRange(group: name, element: element, order: order)
        }
    }
}
