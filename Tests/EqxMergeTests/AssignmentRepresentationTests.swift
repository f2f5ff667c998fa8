import EqxTestSupport
import Foundation
import XCTest
import EqxGroups
@testable import EqxMerge

/// Σ_{g≠e} Σ_i score_g[i, p_g(i)], computed naively.
private func objective(_ scores: [[Double]], _ perms: [[Int]], n: Int) -> Double {
    var total = 0.0
    for g in 1..<perms.count { for i in 0..<n { total += scores[g][i * n + perms[g][i]] } }
    return total
}

/// All permutations of 0..<n (Heap's algorithm order does not matter here).
private func allPermutations(_ n: Int) -> [[Int]] {
    guard n > 0 else { return [[]] }
    var out: [[Int]] = []
    for p in allPermutations(n - 1) {
        for k in 0...p.count {
            var q = p
            q.insert(n - 1, at: k)
            out.append(q)
        }
    }
    return out
}

private func power(_ p: [Int], _ k: Int) -> [Int] {
    var w = Array(0..<p.count)
    for _ in 0..<k { w = composedPermutation(w, p) }
    return w
}

/// Every representation of C4 (σ with σ⁴ = id) or D4 (σ_r, σ_m with the relations) on n points, by
/// exhaustion: p_{m^s r^k} = p_{m^s}∘p_{r^k} composed in the gather convention, kept if it is a representation.
private func allRepresentations(_ group: FiniteGroup, n: Int) -> [[[Int]]] {
    let perms = allPermutations(n)
    let identity = Array(0..<n)
    let rotations = perms.filter { power($0, 4) == identity }
    switch group.structure {
    case .rotations:
        return rotations.map { r in (0..<4).map { power(r, $0) } }
    case .dihedral:
        var out: [[[Int]]] = []
        for r in rotations {
            for m in perms where power(m, 2) == identity {
                let rs = (0..<4).map { power(r, $0) }
                let all = rs + rs.map { composedPermutation(m, $0) }
                if (try? group.validate(.permutations(all), channels: n)) != nil { out.append(all) }
            }
        }
        return out
    default:
        preconditionFailure("no enumeration for \(group)")
    }
}

private func randomScores(_ group: FiniteGroup, n: Int, rng: inout SplitMix64) -> [[Double]] {
    [[]] + (1..<group.order).map { _ in (0..<(n * n)).map { _ in Double.random(in: -1...1, using: &rng) } }
}

/// A planted representation: the regular one on blocks of |G| conjugated by a random relabelling, scores 1
/// where it maps and Gaussian-free noise of the given size elsewhere.
private func plantedScores(_ group: FiniteGroup, blocks: Int, noise: Double, rng: inout SplitMix64)
    -> (scores: [[Double]], planted: [[Int]]) {
    let n = blocks * group.order
    var relabel = Array(0..<n)
    for i in stride(from: n - 1, to: 0, by: -1) { relabel.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
    let inverse = inversePermutation(relabel)
    var planted: [[Int]] = []
    for g in group.elements {
        let regular = try! group.channelPermutation(element: g, channels: n, representation: .regular)
        planted.append((0..<n).map { relabel[regular[inverse[$0]]] })
    }
    var scores: [[Double]] = [[]]
    for g in group.elements.dropFirst() {
        var s = (0..<(n * n)).map { _ in noise * (Double.random(in: -1...1, using: &rng)) }
        for i in 0..<n { s[i * n + planted[g][i]] += 1 }
        scores.append(s)
    }
    return (scores, planted)
}

final class AssignmentRepresentationTests: XCTestCase {
    func testEnumerationCounts() {
        // Permutations of order dividing 4 on 4 points: 1 + 6 + 3 + 6 = 16 (id, transpositions, double
        // transpositions, 4-cycles); D4 actions on 4 points are fewer than C4 choices × involutions.
        XCTAssertEqual(allRepresentations(.rotations, n: 4).count, 16)
        XCTAssertTrue(allRepresentations(.dihedral, n: 4).allSatisfy { (try? FiniteGroup.dihedral.validate(.permutations($0), channels: 4)) != nil })
    }

    /// The result is always a representation, never beats the exhaustive optimum, and the optimum never beats
    /// the unconstrained upper bound; on most random instances the heuristic finds the optimum.
    func testAgainstExhaustiveSearch() throws {
        var rng = SplitMix64(seed: 18)
        for group in [FiniteGroup.rotations, .dihedral] {
            for n in [4, 5] {
                let all = allRepresentations(group, n: n)
                var exact = 0
                let trials = 30
                for _ in 0..<trials {
                    let scores = randomScores(group, n: n, rng: &rng)
                    let found = try BestRepresentation.solve(group: group, scores: scores, size: n)
                    XCTAssertNoThrow(try group.validate(.permutations(found.perms), channels: n))
                    XCTAssertEqual(found.value, objective(scores, found.perms, n: n), accuracy: 1e-9)
                    let best = all.map { objective(scores, $0, n: n) }.max()!
                    XCTAssertLessThanOrEqual(found.value, best + 1e-9, "\(group) n=\(n)")
                    XCTAssertLessThanOrEqual(best, found.upperBound + 1e-9, "\(group) n=\(n)")
                    if found.isOptimal { XCTAssertEqual(found.value, best, accuracy: 1e-9) }
                    if found.value >= best - 1e-9 { exact += 1 }
                }
                // Measured: C4 29/30 and 28/30, D4 19/30 and 23/30 (the search is a heuristic for |G| > 2).
                XCTAssertGreaterThanOrEqual(exact, group.order == 4 ? trials * 5 / 6 : trials / 2, "\(group) n=\(n): optimum found in \(exact) of \(trials)")
            }
        }
    }

    /// A planted regular representation (relabelled) under noise that makes the separate assignments
    /// inconsistent: the search still returns a representation at least as good as the planted one, and it
    /// is free (no channel fixed by any g ≠ e), i.e. conjugate to the regular one.
    func testPlantedRegularRepresentationUnderNoise() throws {
        var rng = SplitMix64(seed: 7)
        for group in [FiniteGroup.rotations, .dihedral] {
            let (scores, planted) = plantedScores(group, blocks: 6, noise: 0.9, rng: &rng)
            let n = 6 * group.order
            let found = try BestRepresentation.solve(group: group, scores: scores, size: n)
            XCTAssertNoThrow(try group.validate(.permutations(found.perms), channels: n))
            XCTAssertGreaterThanOrEqual(found.value, objective(scores, planted, n: n) - 1e-9, "\(group)")
            XCTAssertEqual(found.perms, planted, "\(group)")
            for g in group.elements.dropFirst() {
                XCTAssertTrue((0..<n).allSatisfy { found.perms[g][$0] != $0 }, "\(group): element \(g) fixes a channel")
            }
        }
    }

    /// The widest layers eqx merges have 512 channels. A planted regular representation under noise large
    /// enough that the separate assignments do not compose, so the heuristic runs in full; the time is
    /// printed (release build, stated in docs/reference.md) and the time bound only catches a blow-up.
    func testFiveHundredTwelveChannels() throws {
        var rng = SplitMix64(seed: 11)
        for group in [FiniteGroup.rotations, .dihedral] {
            let blocks = 512 / group.order
            let (scores, planted) = plantedScores(group, blocks: blocks, noise: 0.7, rng: &rng)
            let start = Date()
            let found = try BestRepresentation.solve(group: group, scores: scores, size: 512)
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "best representation of %@, n = 512: %.2f s, gap %.3g of bound %.4g%@", group.name, seconds,
                         found.gap, found.upperBound, found.isOptimal ? " (optimal)" : ""))
            XCTAssertNoThrow(try group.validate(.permutations(found.perms), channels: 512))
            // At this noise the heuristic ends a few per cent below the planted representation (measured:
            // 96% for C4, 99% for D4); it must stay a representation below the bound.
            XCTAssertGreaterThanOrEqual(found.value, 0.9 * objective(scores, planted, n: 512), "\(group)")
            XCTAssertLessThanOrEqual(found.value, found.upperBound + 1e-9)
            XCTAssertLessThan(seconds, 120)
        }
    }

    /// When the unconstrained assignments already form a representation they are returned, proven optimal.
    func testConsistentAssignmentsAreOptimal() throws {
        var rng = SplitMix64(seed: 3)
        let (scores, planted) = plantedScores(.dihedral, blocks: 4, noise: 0.1, rng: &rng)
        let found = try BestRepresentation.solve(group: .dihedral, scores: scores, size: 32)
        XCTAssertEqual(found.perms, planted)
        XCTAssertTrue(found.isOptimal)
        XCTAssertEqual(found.gap, 0, accuracy: 1e-12)
    }

    /// Order 2 is the exact best involution.
    func testMirrorIsTheBestInvolution() throws {
        var rng = SplitMix64(seed: 5)
        let n = 9
        let scores = randomScores(.horizontalMirror, n: n, rng: &rng)
        let found = try BestRepresentation.solve(group: .horizontalMirror, scores: scores, size: n)
        XCTAssertEqual(found.perms[1], try BestInvolution.solve(score: scores[1], size: n))
        XCTAssertTrue(found.isOptimal)
    }

    func testBadInput() throws {
        let s5 = try FiniteGroup.symmetric(5)
        XCTAssertThrowsError(try BestRepresentation.solve(group: s5, scores: [], size: 2)) { e in
            XCTAssertTrue("\(e)".contains("S5"), "\(e)")
        }
        XCTAssertThrowsError(try BestRepresentation.solve(group: .rotations, scores: [[], [0], [0]], size: 1))
        XCTAssertThrowsError(try BestRepresentation.solve(group: .rotations, scores: [[], [0], [0], [.nan]], size: 1))
        let trivial = try BestRepresentation.solve(group: .rotations, scores: [[], [], [], []], size: 0)
        XCTAssertEqual(trivial.perms, [[], [], [], []])
    }

    /// Relations and their violation counts, against hand-made permutations.
    func testRelationViolations() throws {
        let c4 = GroupRelations(group: .rotations)
        XCTAssertEqual(c4.relations.map(\.name), ["r^4=e", "r2=r^2", "r3=r^3"])
        // σ_r a 3-cycle on channels 0, 1, 2 and fixing 3, 4; σ_r2 = σ_r3 = id.
        let r = [1, 2, 0, 3, 4], id = Array(0..<5)
        let v = c4.violations([id, r, id, id])
        XCTAssertEqual(v.map(\.relation), ["r^4=e", "r2=r^2", "r3=r^3", "homomorphism"])
        XCTAssertEqual(v.map(\.channels), [3, 3, 0, 3])
        let d4 = GroupRelations(group: .dihedral)
        XCTAssertTrue(d4.relations.map(\.name).contains("m*r*m=r^-1"))
        let regular = try FiniteGroup.dihedral.elements.map {
            try FiniteGroup.dihedral.channelPermutation(element: $0, channels: 16, representation: .regular)
        }
        XCTAssertTrue(d4.violations(regular).allSatisfy { $0.channels == 0 })
        // σ_m σ_r σ_m = σ_r with σ_r a 4-cycle breaks only the dihedral relation (and the homomorphism).
        let r4 = [1, 2, 3, 0], m = [0, 1, 2, 3]
        var perms = (0..<4).map { power(r4, $0) }
        perms += perms.map { composedPermutation(m, $0) }
        let bad = Dictionary(uniqueKeysWithValues: d4.violations(perms).map { ($0.relation, $0.channels) })
        XCTAssertEqual(bad["r^4=e"], 0)
        XCTAssertEqual(bad["m^2=e"], 0)
        XCTAssertEqual(bad["m*r*m=r^-1"], 4)
        XCTAssertEqual(bad["homomorphism"], 4)
        let klein = try FiniteGroup.product(.horizontalMirror, .verticalMirror)
        XCTAssertTrue(GroupRelations(group: klein).relations.map(\.name).contains("(m,e)*(e,m)=(e,m)*(m,e)"))
        XCTAssertEqual(GroupRelations.powerViolations(group: .rotations, element: 1, r).channels, 3)
    }
}
