import EqxTestSupport
import EqxGroups

/// Every kind of group, in sizes small enough to enumerate.
func catalogue() throws -> [FiniteGroup] {
    [
        .trivial, .horizontalMirror, .verticalMirror, .rotations, .dihedral,
        try .translations(rows: 3, columns: 4),
        try .horizontalTranslations(6),
        try .translations(rows: 2, columns: 1),
        try .symmetric(0), try .symmetric(1), try .symmetric(2), try .symmetric(3), try .symmetric(4),
        try .product(.horizontalMirror, .verticalMirror),
        try .product(.rotations, .horizontalMirror),
        try .product(try .translations(rows: 2, columns: 3), try .symmetric(3)),
        try .semidirectProduct(translations: try .translations(rows: 3, columns: 3), point: .rotations),
        try .semidirectProduct(translations: try .translations(rows: 2, columns: 3), point: .horizontalMirror),
        try .semidirectProduct(translations: try .translations(rows: 2, columns: 2), point: .dihedral),
        try .semidirectProduct(translations: try .translations(rows: 1, columns: 4), point: .verticalMirror),
    ]
}

/// The groups of the catalogue that act on every square grid whose side is a multiple of 12: all but those
/// with an S_n factor and the direct product C4 × mirror (its factors' actions do not commute).
func gridCatalogue() throws -> [FiniteGroup] {
    try catalogue().filter { !$0.name.contains("S") && $0.name != "C4 × mirror(horizontal)" }
}

/// Domains to try every group on.
let sampleDomains: [SpatialDomain] = [
    .none, .grid(height: 6, width: 6), .grid(height: 4, width: 6), .grid(height: 3, width: 3),
    .grid(height: 4, width: 4), .grid(height: 12, width: 12), .kernel(height: 3, width: 3),
    .kernel(height: 2, width: 2), .kernel(height: 3, width: 5), .vector(length: 3), .vector(length: 4),
]

/// A row-major H×W image as nested arrays.
func image(_ flat: [Double], height: Int, width: Int) -> [[Double]] {
    (0..<height).map { h in Array(flat[(h * width)..<((h + 1) * width)]) }
}

/// numpy.rot90(x) on the (H, W) axes, written as numpy defines it: flip the W axis, then transpose.
func explicitRot90(_ x: [[Double]]) -> [[Double]] {
    let height = x.count, width = x[0].count
    let flipped = (0..<height).map { h in (0..<width).map { w in x[h][width - 1 - w] } }
    return (0..<width).map { i in (0..<height).map { j in flipped[j][i] } }
}

func explicitFlipW(_ x: [[Double]]) -> [[Double]] { x.map { Array($0.reversed()) } }
func explicitFlipH(_ x: [[Double]]) -> [[Double]] { Array(x.reversed()) }

/// numpy.roll(x, (down, right), axis=(0, 1)).
func explicitRoll(_ x: [[Double]], down: Int, right: Int) -> [[Double]] {
    let height = x.count, width = x[0].count
    var out = x
    for h in 0..<height {
        for w in 0..<width { out[(h + down) % height][(w + right) % width] = x[h][w] }
    }
    return out
}

func randomValues(_ count: Int, _ rng: inout SplitMix64) -> [Double] {
    (0..<count).map { _ in Double.random(in: -1...1, using: &rng) }
}

func randomIntegers(_ count: Int, _ rng: inout SplitMix64, range: ClosedRange<Int> = -9...9) -> [Double] {
    (0..<count).map { _ in Double(Int.random(in: range, using: &rng)) }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
