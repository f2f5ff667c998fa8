import XCTest
import EqxGroups

final class ChannelRepresentationTests: XCTestCase {
    func testTrivialIsIdentity() throws {
        for g in FiniteGroup.dihedral.elements {
            XCTAssertEqual(try FiniteGroup.dihedral.channelPermutation(element: g, channels: 5, representation: .trivial),
                           Array(0..<5))
        }
    }

    func testRegularPermutesBlocksByLeftMultiplication() throws {
        let d4 = FiniteGroup.dihedral
        for g in d4.elements {
            let perm = try d4.channelPermutation(element: g, channels: 16, representation: .regular)
            for block in 0..<2 {
                for h in d4.elements {
                    // (ρ(g)v)[b·8 + h] = v[b·8 + g⁻¹∘h], so channel h of a block moves to g∘h.
                    XCTAssertEqual(perm[block * 8 + h], block * 8 + d4.compose(d4.inverse(g), h))
                    var v = [Double](repeating: 0, count: 16)
                    v[block * 8 + h] = 1
                    let moved = gather(v, perm)
                    XCTAssertEqual(moved[block * 8 + d4.compose(g, h)], 1)
                }
            }
        }
        XCTAssertThrowsError(try d4.channelPermutation(element: 0, channels: 12, representation: .regular)) {
            XCTAssertEqual("\($0)", "the regular representation of D4 needs a channel count divisible by |D4| = 8, got 12")
        }
    }

    func testExplicitInvolutionForTheMirror() throws {
        let sigma = [1, 0, 2, 4, 3]
        let representation = ChannelRepresentation.permutations([Array(0..<5), sigma])
        let mirror = FiniteGroup.horizontalMirror
        XCTAssertEqual(try mirror.channelPermutation(element: 1, channels: 5, representation: representation), sigma)
        // A 3-cycle is not an involution, so it is not a representation of Z2.
        let cycle = ChannelRepresentation.permutations([Array(0..<5), [1, 2, 0, 3, 4]])
        XCTAssertThrowsError(try mirror.channelPermutation(element: 1, channels: 5, representation: cycle)) {
            XCTAssertTrue("\($0)".contains("ρ(m)ρ(m) ≠ ρ(e)"), "\($0)")
        }
    }

    func testExplicitValidationErrors() throws {
        let c4 = FiniteGroup.rotations
        let id = Array(0..<4), swap = [1, 0, 2, 3]
        // [id, σ, id, σ] with σ² = id is a (non-faithful) representation of C4.
        XCTAssertNoThrow(try c4.validate(.permutations([id, swap, id, swap]), channels: 4))
        // [id, σ, σ, σ]: ρ(r)ρ(r) = id but ρ(r2) = σ.
        XCTAssertThrowsError(try c4.validate(.permutations([id, swap, swap, swap]), channels: 4)) {
            XCTAssertTrue("\($0)".contains("ρ(r)ρ(r) ≠ ρ(r2)"), "\($0)")
        }
        XCTAssertThrowsError(try c4.validate(.permutations([id, swap]), channels: 4)) {
            XCTAssertTrue("\($0)".contains("one per element (4), got 2"), "\($0)")
        }
        XCTAssertThrowsError(try c4.validate(.permutations([id, [0, 0, 1, 2], id, swap]), channels: 4)) {
            XCTAssertTrue("\($0)".contains("0 appears at positions 0 and 1"), "\($0)")
        }
        XCTAssertThrowsError(try c4.validate(.permutations([swap, swap, id, id]), channels: 4)) {
            XCTAssertTrue("\($0)".contains("the identity moves channel 0"), "\($0)")
        }
        XCTAssertThrowsError(try c4.validate(.permutations([id, swap, id, [1, 0, 2]]), channels: 4)) {
            XCTAssertTrue("\($0)".contains("must have 4 entries, got 3"), "\($0)")
        }
    }

    func testExplicitRegularRepresentationOfD4Validates() throws {
        // The regular representation written out explicitly passes validation and agrees.
        let d4 = FiniteGroup.dihedral
        let perms = try d4.elements.map { try d4.channelPermutation(element: $0, channels: 8, representation: .regular) }
        for g in d4.elements {
            XCTAssertEqual(try d4.channelPermutation(element: g, channels: 8, representation: .permutations(perms)),
                           perms[g])
        }
    }
}
