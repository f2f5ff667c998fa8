import EqxTestSupport
import XCTest
import EqxGroups

final class PixelActionTests: XCTestCase {
    private func act(_ group: FiniteGroup, _ name: String, _ x: [[Double]]) throws -> [[Double]] {
        let (height, width) = (x.count, x[0].count)
        let perm = try group.pixelPermutation(element: try group.element(named: name), height: height, width: width)
        return image(gather(x.flatMap { $0 }, perm), height: height, width: width)
    }

    func testExplicitRot90MatchesNumpysDocumentedExample() {
        // numpy.rot90([[1, 2], [3, 4]]) == [[2, 4], [1, 3]].
        XCTAssertEqual(explicitRot90([[1, 2], [3, 4]]), [[2, 4], [1, 3]])
    }

    func testRotationIsNumpyRot90() throws {
        var rng = SplitMix64(seed: 3)
        for n in [1, 2, 3, 4, 7] {
            let x = image(randomValues(n * n, &rng), height: n, width: n)
            XCTAssertEqual(try act(.rotations, "r", x), explicitRot90(x), "n = \(n)")
            XCTAssertEqual(try act(.rotations, "r2", x), explicitRot90(explicitRot90(x)))
            XCTAssertEqual(try act(.rotations, "r3", x), explicitRot90(explicitRot90(explicitRot90(x))))
            // rot90 four times is the identity.
            var y = x
            for _ in 0..<4 { y = try act(.rotations, "r", y) }
            XCTAssertEqual(y, x)
        }
        // A worked 3×3 example: the top row becomes the left column, read bottom to top.
        let x: [[Double]] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
        XCTAssertEqual(try act(.rotations, "r", x), [[3, 6, 9], [2, 5, 8], [1, 4, 7]])
    }

    func testMirrors() throws {
        let x: [[Double]] = [[1, 2, 3], [4, 5, 6]]
        XCTAssertEqual(try act(.horizontalMirror, "m", x), [[3, 2, 1], [6, 5, 4]])
        XCTAssertEqual(try act(.verticalMirror, "m", x), [[4, 5, 6], [1, 2, 3]])
        XCTAssertEqual(try act(.horizontalMirror, "e", x), x)
        var rng = SplitMix64(seed: 4)
        let y = image(randomValues(5 * 8, &rng), height: 5, width: 8)
        XCTAssertEqual(try act(.horizontalMirror, "m", y), explicitFlipW(y))
        XCTAssertEqual(try act(.verticalMirror, "m", y), explicitFlipH(y))
    }

    func testDihedralElementsAreFlipsAfterRotations() throws {
        var rng = SplitMix64(seed: 5)
        let x = image(randomValues(36, &rng), height: 6, width: 6)
        for k in 0..<4 {
            var rotated = x
            for _ in 0..<k { rotated = explicitRot90(rotated) }
            let suffix = k == 0 ? "" : k == 1 ? "r" : "r\(k)"
            XCTAssertEqual(try act(.dihedral, k == 0 ? "e" : suffix, x), rotated)
            // "m r^k": first rotate k times, then mirror the W axis.
            XCTAssertEqual(try act(.dihedral, "m" + suffix, x), explicitFlipW(rotated), "m\(suffix)")
        }
        // The vertical mirror is mr2 and agrees with the vertical mirror group.
        XCTAssertEqual(try act(.dihedral, "mr2", x), explicitFlipH(x))
        // D4 relations on pixels: m r m = r⁻¹.
        XCTAssertEqual(try act(.dihedral, "m", try act(.dihedral, "r", try act(.dihedral, "m", x))),
                       try act(.dihedral, "r3", x))
    }

    func testTranslationsAreNumpyRoll() throws {
        var rng = SplitMix64(seed: 6)
        let x = image(randomValues(6 * 8, &rng), height: 6, width: 8)
        let full = try FiniteGroup.translations(rows: 6, columns: 8)
        XCTAssertEqual(try act(full, "t(1,3)", x), explicitRoll(x, down: 1, right: 3))
        // Periods 3×4 on a 6×8 grid: steps of 2 pixels in both directions.
        let coarse = try FiniteGroup.translations(rows: 3, columns: 4)
        XCTAssertEqual(try act(coarse, "t(2,1)", x), explicitRoll(x, down: 4, right: 2))
        // Along W only, for any height.
        let alongW = try FiniteGroup.horizontalTranslations(8)
        XCTAssertEqual(try act(alongW, "t(0,5)", x), explicitRoll(x, down: 0, right: 5))
    }

    func testSemidirectElementIsRotationThenShift() throws {
        let torus = try FiniteGroup.semidirectProduct(translations: .translations(rows: 5, columns: 5),
                                                      point: .rotations)
        var rng = SplitMix64(seed: 7)
        let x = image(randomValues(25, &rng), height: 5, width: 5)
        XCTAssertEqual(try act(torus, "(t(1,2),r)", x), explicitRoll(explicitRot90(x), down: 1, right: 2))
        let flips = try FiniteGroup.semidirectProduct(translations: .translations(rows: 2, columns: 3),
                                                      point: .horizontalMirror)
        let y = image(randomValues(4 * 6, &rng), height: 4, width: 6)
        XCTAssertEqual(try act(flips, "(t(1,2),m)", y), explicitRoll(explicitFlipW(y), down: 2, right: 4))
    }

    func testCommutingDirectProductComposesFactors() throws {
        let klein = try FiniteGroup.product(.horizontalMirror, .verticalMirror)
        let x: [[Double]] = [[1, 2, 3], [4, 5, 6]]
        XCTAssertEqual(try act(klein, "(m,m)", x), [[6, 5, 4], [3, 2, 1]])
        let shiftsAndMirror = try FiniteGroup.product(try .translations(rows: 2, columns: 1), .horizontalMirror)
        XCTAssertEqual(try act(shiftsAndMirror, "(t(1,0),m)", x), [[6, 5, 4], [3, 2, 1]])
    }

    func testErrorsNameTheProblem() throws {
        XCTAssertThrowsError(try FiniteGroup.rotations.pixelPermutation(element: 0, height: 28, width: 26)) {
            XCTAssertEqual("\($0)", "C4 cannot act on a 28×26 grid: rotations by 90° need square feature maps, got 28×26")
        }
        XCTAssertThrowsError(try FiniteGroup.dihedral.kernelPermutation(element: 1, height: 3, width: 5)) {
            XCTAssertTrue("\($0)".contains("rotations by 90° need square kernels, got 3×5"), "\($0)")
        }
        let translations = try FiniteGroup.translations(rows: 14, columns: 14)
        XCTAssertThrowsError(try translations.pixelPermutation(element: 0, height: 7, width: 7)) {
            XCTAssertTrue("\($0)".contains("multiple of 14"), "\($0)")
            XCTAssertTrue("\($0)".contains("got 7×7"), "\($0)")
        }
        XCTAssertThrowsError(try FiniteGroup.horizontalMirror.pixelPermutation(element: 1, height: 0, width: 4)) {
            XCTAssertTrue("\($0)".contains("0×4"), "\($0)")
        }
        // Translations and rotations do not commute, so their direct product cannot act by composition.
        let wrong = try FiniteGroup.product(try .translations(rows: 4, columns: 4), .rotations)
        XCTAssertThrowsError(try wrong.pixelPermutation(element: 0, height: 4, width: 4)) {
            XCTAssertTrue("\($0)".contains("do not commute"), "\($0)")
            XCTAssertTrue("\($0)".contains("semidirect"), "\($0)")
        }
        XCTAssertThrowsError(try FiniteGroup.dihedral.vectorPermutation(element: 0, length: 4))
    }
}
