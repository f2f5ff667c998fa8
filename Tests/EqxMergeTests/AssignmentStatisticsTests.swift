import XCTest
import EqxMerge

final class AssignmentStatisticsTests: XCTestCase {
    func testIdentity() throws {
        let stats = try PermutationStatistics(Array(0..<5))
        XCTAssertEqual(stats.fixedPoints, 5)
        XCTAssertEqual(stats.twoCycles, 0)
        XCTAssertEqual(stats.longerCycleLengths, [])
        XCTAssertTrue(stats.isIdentity)
        XCTAssertTrue(stats.isInvolution)
        XCTAssertEqual(stats.fixedPointFraction, 1)
    }

    func testInvolution() throws {
        // (0 3)(1 2), 4 and 5 fixed.
        let stats = try PermutationStatistics([3, 2, 1, 0, 4, 5])
        XCTAssertEqual(stats.fixedPoints, 2)
        XCTAssertEqual(stats.twoCycles, 2)
        XCTAssertTrue(stats.isInvolution)
        XCTAssertFalse(stats.isIdentity)
        XCTAssertEqual(stats.twoCycleFraction, 4.0 / 6.0)
    }

    func testLongerCycles() throws {
        // (0 1 2)(3 4 5 6 7)(8 9), 10 fixed.
        let sigma = [1, 2, 0, 4, 5, 6, 7, 3, 9, 8, 10]
        let stats = try PermutationStatistics(sigma)
        XCTAssertEqual(stats.fixedPoints, 1)
        XCTAssertEqual(stats.twoCycles, 1)
        XCTAssertEqual(stats.longerCycleLengths, [5, 3])
        XCTAssertEqual(stats.longerCycles, 2)
        XCTAssertEqual(stats.pointsInLongerCycles, 8)
        XCTAssertFalse(stats.isInvolution)
        XCTAssertEqual(stats.fixedPointFraction + stats.twoCycleFraction + stats.longerCycleFraction, 1, accuracy: 1e-15)
        // Involution exactly when σ∘σ = id, on random permutations.
        var state: UInt64 = 5
        for _ in 0..<200 {
            var p = Array(0..<6)
            for i in stride(from: 5, to: 0, by: -1) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                p.swapAt(i, Int(state >> 33) % (i + 1))
            }
            let s = try PermutationStatistics(p)
            XCTAssertEqual(s.isInvolution, p.map { p[$0] } == Array(0..<6))
            XCTAssertEqual(s.fixedPoints + 2 * s.twoCycles + s.pointsInLongerCycles, 6)
        }
    }

    func testEmptyAndInvalid() throws {
        let empty = try PermutationStatistics([])
        XCTAssertTrue(empty.isIdentity && empty.isInvolution)
        XCTAssertEqual(empty.fixedPointFraction, 0)
        XCTAssertThrowsError(try PermutationStatistics([0, 0, 1])) {
            XCTAssertEqual("\($0)", "not a permutation: 0 appears twice (again at position 1)")
        }
        XCTAssertThrowsError(try PermutationStatistics([0, 3])) {
            XCTAssertEqual("\($0)", "not a permutation of 0..<2: entry 1 is 3")
        }
    }
}
