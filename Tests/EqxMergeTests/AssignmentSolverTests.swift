import EqxTestSupport
import XCTest
@testable import EqxMerge

/// Every injective map rows → columns (all permutations when square), by recursion.
private func injections(rows: Int, columns: Int) -> [[Int]] {
    var result = [[Int]]()
    var current = [Int]()
    var used = [Bool](repeating: false, count: columns)
    func extend() {
        if current.count == rows {
            result.append(current)
            return
        }
        for j in 0..<columns where !used[j] {
            used[j] = true
            current.append(j)
            extend()
            current.removeLast()
            used[j] = false
        }
    }
    extend()
    return result
}

final class AssignmentSolverTests: XCTestCase {
    private func bruteForceOptimum(_ cost: [Double], rows: Int, columns: Int, maximize: Bool) -> Double {
        let totals = injections(rows: rows, columns: columns).map {
            LinearAssignment.total(cost: cost, columns: columns, assignment: $0)
        }
        return maximize ? totals.max()! : totals.min()!
    }

    private func checkAgainstBruteForce(rows: Int, columns: Int, integer: Bool, seed: UInt64, trials: Int) throws {
        var rng = SplitMix64(seed: seed)
        for trial in 0..<trials {
            let cost = (0..<(rows * columns)).map { _ in
                integer ? Double(Int.random(in: 0...4, using: &rng)) : Double.random(in: -3...3, using: &rng)
            }
            for maximize in [false, true] {
                let assignment = try LinearAssignment.solve(cost: cost, rows: rows, columns: columns, maximize: maximize)
                XCTAssertEqual(assignment.count, rows)
                XCTAssertEqual(Set(assignment).count, rows, "distinct columns")
                XCTAssertTrue(assignment.allSatisfy { (0..<columns).contains($0) })
                let value = LinearAssignment.total(cost: cost, columns: columns, assignment: assignment)
                let best = bruteForceOptimum(cost, rows: rows, columns: columns, maximize: maximize)
                if integer {
                    XCTAssertEqual(value, best, "\(rows)×\(columns) trial \(trial) maximize \(maximize)")
                } else {
                    XCTAssertEqual(value, best, accuracy: 1e-9, "\(rows)×\(columns) trial \(trial)")
                }
            }
        }
    }

    func testSquareAgainstBruteForceWithTies() throws {
        for n in 1...6 { try checkAgainstBruteForce(rows: n, columns: n, integer: true, seed: UInt64(n), trials: 40) }
        try checkAgainstBruteForce(rows: 7, columns: 7, integer: true, seed: 7, trials: 12)
    }

    func testSquareAgainstBruteForceReal() throws {
        for n in 1...6 { try checkAgainstBruteForce(rows: n, columns: n, integer: false, seed: 100 + UInt64(n), trials: 40) }
        try checkAgainstBruteForce(rows: 7, columns: 7, integer: false, seed: 107, trials: 12)
    }

    func testRectangularAgainstBruteForce() throws {
        for (rows, columns) in [(1, 5), (2, 3), (3, 6), (4, 7), (5, 6), (0, 3)] {
            try checkAgainstBruteForce(rows: rows, columns: columns, integer: true, seed: 200 + UInt64(columns), trials: 15)
            try checkAgainstBruteForce(rows: rows, columns: columns, integer: false, seed: 300 + UInt64(columns), trials: 15)
        }
    }

    /// corr = permuted identity + noise: maximising recovers the planted permutation exactly.
    func testPlantedPermutationIsRecovered() throws {
        var rng = SplitMix64(seed: 9)
        for n in [2, 17, 64, 200] {
            var planted = Array(0..<n)
            planted.shuffle(using: &rng)
            var correlation = (0..<(n * n)).map { _ in Double.random(in: -0.3...0.3, using: &rng) }
            for i in 0..<n { correlation[i * n + planted[i]] += 1 }
            XCTAssertEqual(try LinearAssignment.solve(cost: correlation, rows: n, columns: n, maximize: true), planted)
            XCTAssertEqual(try LinearAssignment.solve(cost: correlation.map { -$0 }, rows: n, columns: n), planted)
        }
    }

    func testStructuredOptima() throws {
        let n = 9
        // (i − j)²: the identity, total 0.
        let squares = (0..<(n * n)).map { Double(($0 / n - $0 % n) * ($0 / n - $0 % n)) }
        XCTAssertEqual(try LinearAssignment.solve(cost: squares, rows: n, columns: n), Array(0..<n))
        // i·j: rearrangement inequality, the unique minimum pairs i with n−1−i, the maximum i with i.
        let products = (0..<(n * n)).map { Double(($0 / n) * ($0 % n)) }
        XCTAssertEqual(try LinearAssignment.solve(cost: products, rows: n, columns: n), (0..<n).map { n - 1 - $0 })
        XCTAssertEqual(try LinearAssignment.solve(cost: products, rows: n, columns: n, maximize: true), Array(0..<n))
        // A rectangular problem whose rows each prefer a distinct far column.
        var wide = [Double](repeating: 10, count: 3 * 8)
        wide[0 * 8 + 7] = 0; wide[1 * 8 + 5] = 0; wide[2 * 8 + 6] = 0
        XCTAssertEqual(try LinearAssignment.solve(cost: wide, rows: 3, columns: 8), [7, 5, 6])
        // Huge but finite values are fine.
        XCTAssertEqual(try LinearAssignment.solve(cost: [1e200, 0, 0, 1e200], rows: 2, columns: 2), [1, 0])
    }

    func testTiesAreDeterministic() throws {
        let constant = [Double](repeating: 1, count: 36)
        let first = try LinearAssignment.solve(cost: constant, rows: 6, columns: 6)
        XCTAssertEqual(Set(first).count, 6)
        for _ in 0..<3 { XCTAssertEqual(try LinearAssignment.solve(cost: constant, rows: 6, columns: 6), first) }
    }

    func testInvalidInputThrows() {
        XCTAssertThrowsError(try LinearAssignment.solve(cost: [1, 2, 3], rows: 2, columns: 2)) {
            XCTAssertEqual("\($0)", "a 2×2 assignment problem needs 4 costs, got 3")
        }
        XCTAssertThrowsError(try LinearAssignment.solve(cost: [1, 2, .nan, 4], rows: 2, columns: 2)) {
            guard case let .nonFiniteCost(row, column, value)? = $0 as? AssignmentError else {
                return XCTFail("\($0)")
            }
            XCTAssertEqual([row, column], [1, 0])
            XCTAssertTrue(value.isNaN)
            XCTAssertTrue("\($0)".contains("row 1, column 0 is nan"), "\($0)")
        }
        XCTAssertThrowsError(try LinearAssignment.solve(cost: [1, -.infinity, 3, 4], rows: 2, columns: 2,
                                                        maximize: true)) {
            XCTAssertTrue("\($0)".contains("row 0, column 1 is -inf"), "\($0)")
        }
        XCTAssertThrowsError(try LinearAssignment.solve(cost: [1, 2, 3, 4, 5, 6], rows: 3, columns: 2)) {
            XCTAssertTrue("\($0)".contains("transpose"), "\($0)")
        }
        XCTAssertThrowsError(try LinearAssignment.solve(cost: [-1e308, 1e308, 0, 0], rows: 2, columns: 2)) {
            XCTAssertTrue("\($0)".contains("too wide"), "\($0)")
        }
        XCTAssertEqual(try LinearAssignment.solve(cost: [], rows: 0, columns: 0), [])
    }
}
