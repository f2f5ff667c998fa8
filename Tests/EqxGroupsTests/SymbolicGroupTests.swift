import EqxGroups
import EqxTestSupport
import XCTest

/// The symbolic groups a script writes: what the checker reads off them must agree with the concrete
/// `FiniteGroup` (and with the values the checker used to hard-code), and the semidirect product a script
/// can now declare must be a group acting on samples.
final class SymbolicGroupTests: XCTestCase {
    /// The orders, names and sizes the checker kept by hand before EqxGroups became the one source.
    func testPropertiesMatchTheFormerTable() {
        let cases: [(SymbolicGroup, order: Int, names: [String]?, enumerable: Bool)] = [
            (.trivial, 1, ["e"], true),
            (.mirror(.horizontal), 2, ["e", "m"], true),
            (.mirror(.vertical), 2, ["e", "m"], true),
            (.rotations(4), 4, ["e", "r", "r2", "r3"], true),
            (.dihedral4, 8, ["e", "r", "r2", "r3", "m", "mr", "mr2", "mr3"], true),
            (.translations(.both), 6 * 10, nil, true),
            (.translations(.width), 10, nil, true),
            (.translations(.height), 6, nil, true),
            (.symmetric(4), 24, nil, true),
            (.symmetric(7), 5040, nil, true),
            (.symmetric(8), 40320, nil, false),
            (.product(.mirror(.horizontal), .mirror(.vertical)), 4, nil, true),
            (.semidirect(.translations(.both), .mirror(.horizontal)), 120, nil, true),
        ]
        for (g, order, names, enumerable) in cases {
            XCTAssertEqual(g.order(height: 6, width: 10), order, "\(g)")
            XCTAssertEqual(g.elementNames, names, "\(g)")
            XCTAssertEqual(g.isEnumerable, enumerable, "\(g)")
        }
        XCTAssertEqual(SymbolicGroup.dihedral4.order(ofElement: 1), 4)
        XCTAssertEqual((0..<8).map { SymbolicGroup.dihedral4.order(ofElement: $0) }, [1, 4, 2, 4, 2, 2, 2, 2])
        XCTAssertEqual((0..<4).map { SymbolicGroup.rotations(4).order(ofElement: $0) }, [1, 4, 2, 4])
        XCTAssertNil(SymbolicGroup.translations(.both).order(ofElement: 1))
        XCTAssertEqual(SymbolicGroup.semidirect(.translations(.both), .rotations(4)).description,
                       "semidirect(translations, rotations(4))")
        XCTAssertTrue(SymbolicGroup.semidirect(.translations(.both), .rotations(4)).needsSquareGrids)
        XCTAssertTrue(SymbolicGroup.semidirect(.translations(.both), .rotations(4)).containsTranslations)
        XCTAssertFalse(SymbolicGroup.product(.mirror(.horizontal), .mirror(.vertical)).needsSquareGrids)
    }

    /// G × H acts by composition only when the actions commute and share nothing but the identity.
    func testDirectProductsThatActByComposition() {
        let m = SymbolicGroup.mirror(.horizontal), v = SymbolicGroup.mirror(.vertical)
        XCTAssertNil(SymbolicGroup.productObstruction(m, v))
        XCTAssertNil(SymbolicGroup.productObstruction(.trivial, .rotations(4)))
        XCTAssertNil(SymbolicGroup.productObstruction(.symmetric(5), .trivial))
        XCTAssertNil(SymbolicGroup.productObstruction(.translations(.width), .translations(.height)))
        XCTAssertEqual(SymbolicGroup.productObstruction(.rotations(4), m), .noncommuting)
        XCTAssertEqual(SymbolicGroup.productObstruction(.dihedral4, v), .noncommuting)
        XCTAssertEqual(SymbolicGroup.productObstruction(.translations(.both), m), .noncommuting)
        XCTAssertEqual(SymbolicGroup.productObstruction(.symmetric(3), m), .noncommuting)
        XCTAssertEqual(SymbolicGroup.productObstruction(.symmetric(3), .symmetric(3)), .noncommuting)
        XCTAssertEqual(SymbolicGroup.productObstruction(m, m), .sharedElements)
        XCTAssertEqual(SymbolicGroup.productObstruction(.translations(.both), .translations(.width)), .sharedElements)
        XCTAssertNotNil(SymbolicGroup.semidirectObstruction(.rotations(4), .translations(.both)))
        XCTAssertNotNil(SymbolicGroup.semidirectObstruction(.translations(.both), .symmetric(3)))
        XCTAssertNil(SymbolicGroup.semidirectObstruction(.translations(.both), .dihedral4))
    }

    /// The group `semidirect(translations, K)` declares on 4×4 samples satisfies the group axioms, and its
    /// action on samples is a faithful homomorphism: (g·(h·x)) = (g∘h)·x, e·x = x, distinct g move x apart.
    func testScriptDeclaredSemidirectProductIsAGroupActingOnSamples() throws {
        for k in [SymbolicGroup.mirror(.horizontal), .mirror(.vertical), .rotations(4), .dihedral4] {
            let declared = SymbolicGroup.semidirect(.translations(.both), k)
            let action = try declared.sampleAction(forInput: [2, 4, 4])
            let g = action.group
            XCTAssertEqual(g.order, 16 * declared.order(height: 1, width: 1), "\(declared)")
            let all = Array(g.elements)
            for a in all {
                XCTAssertEqual(g.compose(a, g.identity), a)
                XCTAssertEqual(g.compose(g.identity, a), a)
                XCTAssertEqual(g.compose(a, g.inverse(a)), g.identity)
                for b in all.prefix(12) {
                    for c in all.prefix(6) {
                        XCTAssertEqual(g.compose(g.compose(a, b), c), g.compose(a, g.compose(b, c)), "\(declared)")
                    }
                }
            }
            var rng = SplitMix64(seed: 5)
            let x = randomValues(action.sampleSize * 3, &rng)
            XCTAssertEqual(try action.moving(x, by: g.identity), x)
            var seen = Set<[Double]>()
            for a in all {
                let ax = try action.moving(x, by: a)
                XCTAssertTrue(seen.insert(ax).inserted, "\(declared): element \(g.name(of: a)) moves x like another")
                for b in all.prefix(10) {
                    XCTAssertEqual(try action.moving(try action.moving(x, by: b), by: a), try action.moving(x, by: g.compose(a, b)))
                }
            }
        }
    }

    /// Rotations normalise only the translations of a square lattice: the declared group does not exist
    /// on non-square samples or with translations along one axis, and says why.
    func testSemidirectProductThatDoesNotFitTheInput() {
        let c4 = SymbolicGroup.semidirect(.translations(.both), .rotations(4))
        XCTAssertNil(c4.incompatibility(withInput: [1, 8, 8]))
        XCTAssertNotNil(c4.incompatibility(withInput: [1, 8, 6]))
        XCTAssertNotNil(SymbolicGroup.semidirect(.translations(.width), .rotations(4)).incompatibility(withInput: [1, 8, 8]))
        XCTAssertNil(SymbolicGroup.semidirect(.translations(.width), .mirror(.vertical)).incompatibility(withInput: [1, 8, 6]))
        XCTAssertNotNil(c4.incompatibility(withInput: [8]))
        XCTAssertNotNil(SymbolicGroup.mirror(.horizontal).incompatibility(withInput: [4, 5]))
        XCTAssertNil(SymbolicGroup.trivial.incompatibility(withInput: [4, 5]))
        XCTAssertNil(SymbolicGroup.symmetric(5).incompatibility(withInput: [5]))
        XCTAssertNil(SymbolicGroup.symmetric(5).incompatibility(withInput: [1, 5, 5]))
        XCTAssertNotNil(SymbolicGroup.symmetric(5).incompatibility(withInput: [6]))
    }
}
