/// D4 arithmetic shared by every point group (trivial, mirrors, C4 and D4 are embedded in D4).
///
/// Element 4s + k is m^s ∘ r^k (first r^k, then m^s), with
/// - r: rotation by 90° counter-clockwise, r(h, w) = (N−1−w, h) on an N×N grid, so (r·x)[i][j] = x[j][N−1−i],
///   which is `numpy.rot90(x)` on the (H, W) axes;
/// - m: the horizontal mirror, m(h, w) = (h, W−1−w).
/// Relations: r⁴ = m² = e and m∘r∘m = r⁻¹, hence r^k∘m = m∘r^(−k) and every m∘r^k is an involution.
/// The vertical mirror is m∘r² ("mr2"), the rotation by 180° is r² ("r2").
enum Dihedral {
    static let names = ["e", "r", "r2", "r3", "m", "mr", "mr2", "mr3"]

    static func compose(_ a: Int, _ b: Int) -> Int {
        let (s1, k1) = (a / 4, a % 4)
        let (s2, k2) = (b / 4, b % 4)
        // m^s1 r^k1 m^s2 r^k2: moving m^s2 left past r^k1 negates k1.
        let k = s2 == 1 ? (k2 - k1 + 4) % 4 : (k1 + k2) % 4
        return 4 * (s1 ^ s2) + k
    }

    static func inverse(_ a: Int) -> Int {
        a >= 4 ? a : (4 - a) % 4
    }

    /// Where g moves pixel (h, w) of an H×W grid (H = W when g contains an odd number of quarter turns).
    static func map(_ g: Int, h: Int, w: Int, height: Int, width: Int) -> (Int, Int) {
        var (y, x) = (h, w)
        switch g % 4 {
        case 1: (y, x) = (width - 1 - x, y)
        case 2: (y, x) = (height - 1 - y, width - 1 - x)
        case 3: (y, x) = (x, height - 1 - y)
        default: break
        }
        if g >= 4 { x = width - 1 - x }
        return (y, x)
    }

    /// The linear part of g acting on a translation vector (a rows, b columns).
    static func linear(_ g: Int, a: Int, b: Int) -> (Int, Int) {
        var (y, x) = (a, b)
        for _ in 0..<(g % 4) { (y, x) = (-x, y) }
        if g >= 4 { x = -x }
        return (y, x)
    }
}

extension FiniteGroup {
    /// The D4 index of an element of a point group (trivial, mirror, C4 or D4).
    func dihedralEmbedding(_ element: Int) -> Int {
        switch structure {
        case .trivial: return 0
        case .mirror(.horizontal): return element == 0 ? 0 : 4
        case .mirror(.vertical): return element == 0 ? 0 : 6
        case .rotations, .dihedral: return element
        default: preconditionFailure("dihedralEmbedding on \(name), which is not a point group")
        }
    }
}
