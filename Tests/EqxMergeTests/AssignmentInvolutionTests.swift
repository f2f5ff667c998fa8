import EqxTestSupport
import Foundation
import XCTest
import EqxMerge

/// All involutions of 0..<n: the smallest free point is fixed or paired with a later free point.
private func involutions(_ n: Int) -> [[Int]] {
    var result = [[Int]]()
    var pi = [Int](repeating: -1, count: n)
    func extend() {
        guard let i = pi.firstIndex(of: -1) else {
            result.append(pi)
            return
        }
        pi[i] = i
        extend()
        for j in (i + 1)..<max(n, i + 1) where pi[j] == -1 {
            pi[i] = j
            pi[j] = i
            extend()
            pi[j] = -1
        }
        pi[i] = -1
    }
    extend()
    return result
}

/// Maximum matching weight by exhaustive search.
private func bruteForceMatching(_ n: Int, _ weights: [Int: Double]) -> Double {
    var best = 0.0
    var used = [Bool](repeating: false, count: n)
    func extend(_ i: Int, _ total: Double) {
        guard i < n else {
            best = max(best, total)
            return
        }
        if used[i] { return extend(i + 1, total) }
        extend(i + 1, total)   // i unmatched
        used[i] = true
        for j in (i + 1)..<max(n, i + 1) where !used[j] {
            if let w = weights[i * n + j] {
                used[j] = true
                extend(i + 1, total + w)
                used[j] = false
            }
        }
        used[i] = false
    }
    extend(0, 0)
    return best
}

final class AssignmentInvolutionTests: XCTestCase {
    func testInvolutionEnumerationCounts() {
        // Telephone numbers 1, 1, 2, 4, 10, 26, 76, 232, 764.
        XCTAssertEqual((0...8).map { involutions($0).count }, [1, 1, 2, 4, 10, 26, 76, 232, 764])
    }

    func testBestInvolutionAgainstBruteForce() throws {
        var rng = SplitMix64(seed: 1)
        for n in 1...8 {
            let all = involutions(n)
            for trial in 0..<40 {
                let integer = trial % 2 == 0
                let score = (0..<(n * n)).map { _ in
                    integer ? Double(Int.random(in: -2...3, using: &rng)) : Double.random(in: -1...1, using: &rng)
                }
                let pi = try BestInvolution.solve(score: score, size: n)
                XCTAssertEqual(pi.map { pi[$0] }, Array(0..<n), "an involution")
                let value = BestInvolution.total(score: score, size: n, involution: pi)
                let best = all.map { BestInvolution.total(score: score, size: n, involution: $0) }.max()!
                if integer {
                    XCTAssertEqual(value, best, "n = \(n) trial \(trial)")
                } else {
                    XCTAssertEqual(value, best, accuracy: 1e-9, "n = \(n) trial \(trial)")
                }
            }
        }
    }

    func testGeneralMatchingAgainstBruteForce() throws {
        var rng = SplitMix64(seed: 2)
        for n in [2, 3, 5, 7, 9, 10, 11, 12] {
            for trial in 0..<(n >= 11 ? 100 : 30) {
                var edges = [MaximumWeightMatching.Edge]()
                var weights = [Int: Double]()
                for i in 0..<n {
                    for j in (i + 1)..<n where Double.random(in: 0...1, using: &rng) < 0.5 {
                        let w = trial % 2 == 0 ? Double(Int.random(in: 1...4, using: &rng))
                            : Double.random(in: 0.01...1, using: &rng)
                        edges.append(.init(i, j, weight: w))
                        weights[i * n + j] = w
                    }
                }
                let mate = try MaximumWeightMatching.solve(vertexCount: n, edges: edges)
                var total = 0.0
                for v in 0..<n where mate[v] > v {
                    XCTAssertEqual(mate[mate[v]], v)
                    total += try XCTUnwrap(weights[v * n + mate[v]], "matched along an edge")
                }
                XCTAssertEqual(total, bruteForceMatching(n, weights), accuracy: 1e-9, "n = \(n) trial \(trial)")
            }
        }
    }

    /// An odd cycle forces a blossom: the triangle plus pendant edges.
    func testBlossomCase() throws {
        let edges: [MaximumWeightMatching.Edge] = [
            .init(0, 1, weight: 6), .init(1, 2, weight: 6), .init(0, 2, weight: 6),
            .init(2, 3, weight: 5), .init(0, 4, weight: 5), .init(4, 5, weight: 1),
        ]
        let mate = try MaximumWeightMatching.solve(vertexCount: 6, edges: edges)
        // (0 1) + (2 3) + (4 5) = 12 beats (1 2) + (0 4) = 11 and every other matching.
        XCTAssertEqual(mate, [1, 0, 3, 2, 5, 4])
    }

    func testPlantedInvolutionIsRecovered() throws {
        var rng = SplitMix64(seed: 3)
        for n in [4, 33, 128] {
            var points = Array(0..<n)
            points.shuffle(using: &rng)
            var planted = Array(0..<n)
            for pair in 0..<(n / 3) {
                let (a, b) = (points[2 * pair], points[2 * pair + 1])
                planted[a] = b
                planted[b] = a
            }
            var score = (0..<(n * n)).map { _ in Double.random(in: -0.3...0.3, using: &rng) }
            for i in 0..<n { score[i * n + planted[i]] += 1 }
            XCTAssertEqual(try BestInvolution.solve(score: score, size: n), planted, "n = \(n)")
        }
    }

    func testInvolutionDiffersFromAssignmentOnACycle() throws {
        // The linear assignment prefers the 3-cycle 0→1→2→0; the best involution fixes a point.
        let score: [Double] = [0, 5, 0,
                               0, 0, 5,
                               5, 0, 0]
        let sigma = try LinearAssignment.solve(cost: score, rows: 3, columns: 3, maximize: true)
        XCTAssertEqual(sigma, [1, 2, 0])
        let pi = try BestInvolution.solve(score: score, size: 3)
        XCTAssertEqual(BestInvolution.total(score: score, size: 3, involution: pi), 5)
        XCTAssertTrue(try PermutationStatistics(pi).isInvolution)
    }

    /// The widest layers eqx merges have 512 channels (VGG11). On the 2-core development machine a random
    /// 512×512 score takes about 0.2 s (the linear assignment 0.02 s); the bound only catches a blow-up.
    /// Optimality at this size: no involution beats the best permutation, and where that permutation is
    /// itself an involution (the planted case) the two totals agree.
    func testBestInvolutionOnFiveHundredTwelveChannels() throws {
        var rng = SplitMix64(seed: 4)
        let n = 512
        for planted in [false, true] {
            var score = (0..<(n * n)).map { _ in Double.random(in: -1...1, using: &rng) }
            if planted {
                let points = Array(0..<n).shuffled(using: &rng)
                for k in stride(from: 0, to: 384, by: 2) {
                    score[points[k] * n + points[k + 1]] += 2
                    score[points[k + 1] * n + points[k]] += 2
                }
                for k in 384..<n { score[points[k] * n + points[k]] += 2 }
            }
            let start = Date()
            let pi = try BestInvolution.solve(score: score, size: n)
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "best involution, n = 512%@: %.3f s", planted ? " (planted)" : "", seconds))
            XCTAssertEqual(pi.map { pi[$0] }, Array(0..<n))
            let sigma = try LinearAssignment.solve(cost: score, rows: n, columns: n, maximize: true)
            let best = LinearAssignment.total(cost: score, columns: n, assignment: sigma)
            let value = BestInvolution.total(score: score, size: n, involution: pi)
            XCTAssertLessThanOrEqual(value, best + 1e-9)
            if planted {
                XCTAssertTrue(try PermutationStatistics(sigma).isInvolution)
                XCTAssertEqual(value, best, accuracy: 1e-9)
            } else {
                XCTAssertFalse(try PermutationStatistics(sigma).isInvolution, "random scores favour longer cycles")
            }
            XCTAssertLessThan(seconds, 10)
        }
    }

    func testInvalidInput() {
        XCTAssertThrowsError(try BestInvolution.solve(score: [1, 2, 3], size: 2))
        XCTAssertThrowsError(try BestInvolution.solve(score: [1, .nan, 3, 4], size: 2))
        XCTAssertThrowsError(try MaximumWeightMatching.solve(vertexCount: 2, edges: [.init(1, 1, weight: 1)])) {
            XCTAssertTrue("\($0)".contains("two different vertices"), "\($0)")
        }
        XCTAssertEqual(try BestInvolution.solve(score: [], size: 0), [])
    }
}
