import EqxTestSupport
import XCTest
@testable import EqxGroups

final class GroupAxiomTests: XCTestCase {
    func testOrders() throws {
        XCTAssertEqual(FiniteGroup.trivial.order, 1)
        XCTAssertEqual(FiniteGroup.horizontalMirror.order, 2)
        XCTAssertEqual(FiniteGroup.verticalMirror.order, 2)
        XCTAssertEqual(FiniteGroup.rotations.order, 4)
        XCTAssertEqual(FiniteGroup.dihedral.order, 8)
        XCTAssertEqual(try FiniteGroup.translations(rows: 14, columns: 14).order, 196)
        XCTAssertEqual(try FiniteGroup.symmetric(10).order, 3_628_800)
        XCTAssertEqual(try FiniteGroup.symmetric(20).order, 2_432_902_008_176_640_000)
        XCTAssertEqual(try FiniteGroup.product(.dihedral, .rotations).order, 32)
        let torus = try FiniteGroup.semidirectProduct(translations: .translations(rows: 14, columns: 14),
                                                      point: .rotations)
        XCTAssertEqual(torus.order, 784)
        XCTAssertEqual(torus.name, "translations(14×14) ⋊ C4")
    }

    func testCayleyTableAxioms() throws {
        for group in try catalogue() {
            let table = try group.cayleyTable()
            let n = group.order
            XCTAssertEqual(table.count, n, "\(group)")
            // Closure and Latin square (each row and column a permutation).
            for a in 0..<n {
                XCTAssertTrue(isPermutation(table[a]), "\(group) row \(a)")
                XCTAssertTrue(isPermutation((0..<n).map { table[$0][a] }), "\(group) column \(a)")
            }
            // Identity and inverses.
            for a in 0..<n {
                XCTAssertEqual(table[group.identity][a], a, "\(group)")
                XCTAssertEqual(table[a][group.identity], a, "\(group)")
                let inverse = group.inverse(a)
                XCTAssertEqual(table[a][inverse], group.identity, "\(group) \(group.name(of: a))")
                XCTAssertEqual(table[inverse][a], group.identity, "\(group) \(group.name(of: a))")
            }
            // Associativity over all triples.
            for a in 0..<n {
                for b in 0..<n {
                    let ab = table[a][b]
                    for c in 0..<n where table[ab][c] != table[a][table[b][c]] {
                        XCTFail("\(group): (\(a)∘\(b))∘\(c) ≠ \(a)∘(\(b)∘\(c))")
                        return
                    }
                }
            }
        }
    }

    func testAssociativityOnRandomTriplesOfLargeGroups() throws {
        var rng = SplitMix64(seed: 1)
        let groups = [
            try FiniteGroup.symmetric(10),
            try FiniteGroup.semidirectProduct(translations: .translations(rows: 14, columns: 14), point: .dihedral),
            try FiniteGroup.product(try .symmetric(6), .dihedral),
        ]
        for group in groups {
            for _ in 0..<300 {
                let (a, b, c) = (group.randomElement(using: &rng), group.randomElement(using: &rng),
                                 group.randomElement(using: &rng))
                XCTAssertEqual(group.compose(group.compose(a, b), c), group.compose(a, group.compose(b, c)))
                XCTAssertEqual(group.compose(a, group.inverse(a)), group.identity)
                XCTAssertEqual(group.compose(group.identity, a), a)
            }
        }
    }

    func testGeneratorsGenerateTheGroup() throws {
        for group in try catalogue() {
            var reached: Set<Int> = [group.identity]
            var frontier = [group.identity]
            while let g = frontier.popLast() {
                for s in group.generators where reached.insert(group.compose(g, s)).inserted {
                    frontier.append(group.compose(g, s))
                }
            }
            XCTAssertEqual(reached.count, group.order, "\(group)")
        }
    }

    func testDihedralRelationsAndNames() throws {
        let d4 = FiniteGroup.dihedral
        let r = try d4.element(named: "r"), m = try d4.element(named: "m")
        XCTAssertEqual(try d4.elementNames(), ["e", "r", "r2", "r3", "m", "mr", "mr2", "mr3"])
        XCTAssertEqual(d4.power(r, 4), d4.identity)
        XCTAssertEqual(d4.elementOrder(r), 4)
        XCTAssertEqual(d4.compose(m, m), d4.identity)
        XCTAssertEqual(d4.compose(m, d4.compose(r, m)), d4.inverse(r))
        // "mr" is m∘r (first r, then m), and r∘m = m∘r⁻¹ = "mr3".
        XCTAssertEqual(d4.compose(m, r), try d4.element(named: "mr"))
        XCTAssertEqual(d4.compose(r, m), try d4.element(named: "mr3"))
        for k in 0..<4 {
            XCTAssertEqual(d4.elementOrder(d4.compose(m, d4.power(r, k))), 2, "every m r^k is a reflection")
        }
        XCTAssertEqual(try FiniteGroup.rotations.elementNames(), ["e", "r", "r2", "r3"])
        XCTAssertEqual(try FiniteGroup.horizontalMirror.elementNames(), ["e", "m"])
    }

    func testNamesAreUniqueAndParseBack() throws {
        for group in try catalogue() {
            let names = try group.elementNames()
            XCTAssertEqual(Set(names).count, group.order, "\(group): \(names)")
            for (g, name) in names.enumerated() {
                XCTAssertEqual(try group.element(named: name), g, "\(group) \(name)")
            }
        }
        let s10 = try FiniteGroup.symmetric(10)
        let g = try s10.element(named: "(0 9 3)(4 5)")
        XCTAssertEqual(try s10.symmetricPermutation(g), [9, 1, 2, 0, 5, 4, 6, 7, 8, 3])
        XCTAssertEqual(s10.name(of: g), "(0 9 3)(4 5)")
        XCTAssertThrowsError(try s10.element(named: "(0 0)"))
        XCTAssertThrowsError(try FiniteGroup.dihedral.element(named: "q"))
        XCTAssertThrowsError(try s10.elementNames()) { error in
            XCTAssertTrue("\(error)".contains("3628800 elements"), "\(error)")
        }
    }

    func testInvalidConstructionsThrow() {
        XCTAssertThrowsError(try FiniteGroup.symmetric(21)) { XCTAssertTrue("\($0)".contains("n = 21"), "\($0)") }
        XCTAssertThrowsError(try FiniteGroup.translations(rows: 0, columns: 3))
        XCTAssertThrowsError(try FiniteGroup.semidirectProduct(translations: .rotations, point: .rotations))
        XCTAssertThrowsError(try FiniteGroup.semidirectProduct(translations: .translations(rows: 2, columns: 3),
                                                               point: .rotations)) {
            XCTAssertTrue("\($0)".contains("square lattice"), "\($0)")
        }
        XCTAssertThrowsError(try FiniteGroup.product(try .symmetric(20), try .symmetric(20)))
        XCTAssertThrowsError(try FiniteGroup.dihedral.pixelPermutation(element: 8, height: 4, width: 4)) {
            XCTAssertEqual("\($0)", "D4 has elements 0..<8, got element 8")
        }
    }

    func testRandomElementIsUniform() throws {
        var rng = SplitMix64(seed: 42)
        let group = FiniteGroup.dihedral
        var counts = [Int](repeating: 0, count: group.order)
        let draws = 80_000
        for _ in 0..<draws { counts[group.randomElement(using: &rng)] += 1 }
        let expected = Double(draws) / Double(group.order)
        let chiSquare = counts.reduce(0) { $0 + pow(Double($1) - expected, 2) / expected }
        // 7 degrees of freedom: P(χ² > 24.3) ≈ 0.001.
        XCTAssertLessThan(chiSquare, 24.3, "\(counts)")
    }
}
