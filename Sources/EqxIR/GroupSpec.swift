import EqxSyntax

/// A group as declared in a script, before any tensor exists. `EqxGroups` turns it into a `FiniteGroup`
/// with its Cayley table and index actions; here we only need what the checker must know.
public indirect enum GroupSpec: Hashable, Sendable, CustomStringConvertible {
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
    case product(GroupSpec, GroupSpec)

    public enum MirrorAxis: String, Hashable, Sendable { case horizontal, vertical }
    public enum TranslationAxes: String, Hashable, Sendable { case both, width, height }

    public var description: String {
        switch self {
        case .trivial: return "trivial"
        case .mirror(let a): return "mirror(\(a.rawValue))"
        case .rotations(let n): return "rotations(\(n))"
        case .dihedral4: return "dihedral(4)"
        case .translations(let a): return a == .both ? "translations" : "translations(\(a.rawValue))"
        case .symmetric(let n): return "symmetric(\(n))"
        case .product(let a, let b): return "\(a) * \(b)"
        }
    }

    /// The order when it does not depend on the grid; translations need the feature-map size.
    public func order(height: Int, width: Int) -> Int {
        switch self {
        case .trivial: return 1
        case .mirror: return 2
        case .rotations(let n): return n
        case .dihedral4: return 8
        case .translations(let a):
            switch a { case .both: return height * width; case .width: return width; case .height: return height }
        case .symmetric(let n): return (1...max(1, n)).reduce(1) { $0 &* $1 }
        case .product(let a, let b): return a.order(height: height, width: width) * b.order(height: height, width: width)
        }
    }

    /// S_n with n > 7 is too large to enumerate; Π_E then uses orbit patterns instead of a group sum.
    public var isEnumerable: Bool {
        switch self {
        case .symmetric(let n): return n <= 7
        case .product(let a, let b): return a.isEnumerable && b.isEnumerable
        default: return true
        }
    }

    /// Why this group cannot act on samples of `shape` ([C,H,W], [n] or [1,n,n]), or nil if it can.
    public func incompatibility(withInput shape: [Int]) -> String? {
        switch self {
        case .trivial: return nil
        case .mirror, .translations:
            return shape.count == 3 ? nil : "\(self) acts on images [C, H, W], but the samples have shape \(shape)"
        case .rotations, .dihedral4:
            guard shape.count == 3 else { return "\(self) acts on images [C, H, W], but the samples have shape \(shape)" }
            return shape[1] == shape[2] ? nil
                : "\(self) needs square images, but the samples are \(shape[1])×\(shape[2])"
        case .symmetric(let n):
            if shape == [n] { return nil }
            if shape.count == 3, shape[1] == n, shape[2] == n { return nil }
            return "symmetric(\(n)) acts on vectors of length \(n) or \(n)×\(n) matrices, but the samples have shape \(shape)"
        case .product(let a, let b):
            return a.incompatibility(withInput: shape) ?? b.incompatibility(withInput: shape)
        }
    }

    /// Whether the group moves pixels of a feature map (so spatial layers must respect it).
    public var actsSpatially: Bool {
        switch self {
        case .trivial: return false
        case .product(let a, let b): return a.actsSpatially || b.actsSpatially
        default: return true
        }
    }

    public var containsTranslations: Bool {
        switch self {
        case .translations: return true
        case .product(let a, let b): return a.containsTranslations || b.containsTranslations
        default: return false
        }
    }

    public var containsSymmetric: Bool {
        switch self {
        case .symmetric: return true
        case .product(let a, let b): return a.containsSymmetric || b.containsSymmetric
        default: return false
        }
    }

    /// The order of a named element (index into `elementNames`), or nil for groups whose elements cannot
    /// be named. An element with order ≤ 2 squares to the identity, as an involutive self-merge needs.
    public func order(ofElement e: Int) -> Int? {
        switch self {
        case .trivial: return 1
        case .mirror: return e == 0 ? 1 : 2
        case .rotations(let n):
            var (a, b) = (e % n, n)
            while a != 0 { (a, b) = (b % a, a) }
            return n / b
        case .dihedral4:
            // e, r, r2, r3, then the four reflections m, mr, mr2, mr3.
            return [1, 4, 2, 4, 2, 2, 2, 2][e]
        default: return nil
        }
    }

    /// Element names in the order `EqxGroups` enumerates them, for `flip(net)` and `rot(net, "r2")`.
    public var elementNames: [String]? {
        switch self {
        case .trivial: return ["e"]
        case .mirror: return ["e", "m"]
        case .rotations(let n): return (0..<n).map { $0 == 0 ? "e" : $0 == 1 ? "r" : "r\($0)" }
        case .dihedral4: return ["e", "r", "r2", "r3", "m", "mr", "mr2", "mr3"]
        default: return nil
        }
    }
}

/// How a group acts on the channels of a hidden feature space (design brief §1).
public enum ChannelAction: String, Hashable, Sendable, Codable {
    /// Every channel fixed: the group only moves pixels.
    case trivial
    /// Channels in blocks of |G|; g permutes inside each block by left multiplication (G-CNN).
    case regular
}
