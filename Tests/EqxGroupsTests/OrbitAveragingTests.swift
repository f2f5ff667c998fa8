import EqxTestSupport
import XCTest
import EqxGroups

/// The Reynolds projection P = (1/|G|) Σ_g ρ(g) on permutation representations.
final class OrbitAveragingTests: XCTestCase {
    /// (group, all gathers) for a spread of representations.
    private func representations() throws -> [(String, [[Int]])] {
        var result = [(String, [[Int]])]()
        for group in try catalogue() where group.order > 1 && group.order <= 72 {
            for domain in sampleDomains where (try? group.validateAction(on: domain)) != nil {
                let space = FeatureSpace(channels: group.order, representation: .regular, spatial: domain)
                result.append(("\(group) on \(space)",
                               try group.elements.map { try group.featurePermutation(element: $0, on: space) }))
            }
        }
        let d4 = FiniteGroup.dihedral
        result.append(("D4 conv weights", try d4.elements.map {
            try d4.convolutionWeightPermutation(element: $0, outputChannels: 8, outputRepresentation: .regular,
                                                inputChannels: 2, inputRepresentation: .trivial,
                                                kernelHeight: 3, kernelWidth: 3)
        }))
        return result
    }

    func testProjectionLaws() throws {
        var rng = SplitMix64(seed: 41)
        let all = try representations()
        XCTAssertGreaterThan(all.count, 40)
        for (what, perms) in all {
            let n = perms[0].count
            let (a, b) = (randomValues(n, &rng), randomValues(n, &rng))
            let pa = orbitAverage(a, permutations: perms)
            let pb = orbitAverage(b, permutations: perms)
            // Idempotent.
            XCTAssertLessThan(maxAbsDifference(orbitAverage(pa, permutations: perms), pa), 1e-14, what)
            // Self-adjoint: ⟨Pa, b⟩ = ⟨a, Pb⟩.
            XCTAssertEqual(dot(pa, b), dot(a, pb), accuracy: 1e-12 * Double(n), what)
            // Fixed by every ρ(g).
            for perm in perms { XCTAssertLessThan(maxAbsDifference(gather(pa, perm), pa), 1e-14, what) }
            // Equals the mean over each orbit, computed from the orbits and by OrbitPartition.
            let orbitList = orbits(permutations: perms)
            XCTAssertEqual(orbitList.flatMap { $0 }.sorted(), Array(0..<n), what)
            for orbit in orbitList {
                let mean = orbit.reduce(0) { $0 + a[$1] } / Double(orbit.count)
                for i in orbit { XCTAssertEqual(pa[i], mean, accuracy: 1e-14, what) }
                for perm in perms { XCTAssertTrue(orbit.allSatisfy { orbit.contains(perm[$0]) }, what) }
            }
            let partition = OrbitPartition(permutations: perms, count: n)
            XCTAssertEqual(partition.orbits, orbitList, what)
            XCTAssertLessThan(maxAbsDifference(partition.project(a), pa), 1e-14, what)
        }
    }

    func testFloatVersionsAccumulateInDouble() throws {
        var rng = SplitMix64(seed: 42)
        let group = try FiniteGroup.translations(rows: 8, columns: 8)
        let perms = try group.elements.map { try group.pixelPermutation(element: $0, height: 8, width: 8) }
        // One orbit of 64 entries: the mean of values with a large common offset.
        let values = (0..<64).map { _ in Float(1e4) + Float.random(in: -1...1, using: &rng) }
        let exact = values.reduce(0.0) { $0 + Double($1) } / 64
        let projected = orbitAverage(values, permutations: perms)
        let partition = OrbitPartition(permutations: group.generators.map { perms[$0] }, count: 64)
        XCTAssertEqual(partition.orbitCount, 1)
        for v in projected + partition.project(values) { XCTAssertEqual(Double(v), exact, accuracy: 1e-3) }
        var buffer = values
        buffer.withUnsafeMutableBufferPointer { partition.project($0) }
        XCTAssertEqual(buffer, partition.project(values))
    }

    /// Π_E of a conv weight under D4 with trivial channels: every kernel becomes D4-symmetric.
    func testD4SymmetricKernels() throws {
        let d4 = FiniteGroup.dihedral
        let perms = try d4.elements.map { try d4.kernelPermutation(element: $0, height: 3, width: 3) }
        let partition = OrbitPartition(permutations: perms, count: 9)
        XCTAssertEqual(partition.orbits, [[0, 2, 6, 8], [1, 3, 5, 7], [4]])
        let five = try d4.elements.map { try d4.kernelPermutation(element: $0, height: 5, width: 5) }
        XCTAssertEqual(OrbitPartition(permutations: five, count: 25).orbitCount, 6)
        // C4 on a 14×14 grid acts freely: 196 / 4 orbits.
        let c4 = try FiniteGroup.rotations.elements.map {
            try FiniteGroup.rotations.pixelPermutation(element: $0, height: 14, width: 14)
        }
        XCTAssertEqual(OrbitPartition(permutations: c4, count: 196).orbitSizes, [Int](repeating: 4, count: 49))
    }

    func testOrbitPartitionFromGeneratorsMatchesTheFullAverage() throws {
        var rng = SplitMix64(seed: 43)
        let torus = try FiniteGroup.semidirectProduct(translations: .translations(rows: 4, columns: 4), point: .dihedral)
        let action = { (g: Int) in
            try torus.convolutionWeightPermutation(element: g, outputChannels: 2 * torus.order,
                                                   outputRepresentation: .regular, inputChannels: 3,
                                                   inputRepresentation: .trivial, kernelHeight: 3, kernelWidth: 3)
        }
        let partition = try torus.orbitPartition(under: action)
        let w = randomValues(partition.count, &rng)
        let full = orbitAverage(w, permutations: try torus.elements.map(action))
        XCTAssertLessThan(maxAbsDifference(partition.project(w), full), 1e-12)
        // S10 on a dense layer over 10×10 adjacency matrices with 2 → 3 trivial channels: 15 classes per
        // channel pair, without enumerating the 3,628,800 elements.
        let s10 = try FiniteGroup.symmetric(10)
        let layer = try s10.orbitPartition {
            try s10.linearWeightPermutation(
                element: $0, output: FeatureSpace(channels: 3, spatial: .grid(height: 10, width: 10)),
                input: FeatureSpace(channels: 2, spatial: .grid(height: 10, width: 10)))
        }
        XCTAssertEqual(layer.count, 300 * 200)
        XCTAssertEqual(layer.orbitCount, 6 * 15)
        XCTAssertEqual(FiniteGroup.trivial.orbitPartition { _ in Array(0..<4) }.orbitCount, 4)
    }

    func testTrivialGroupAndNoGenerators() {
        let partition = OrbitPartition(permutations: [], count: 3)
        XCTAssertEqual(partition.orbits, [[0], [1], [2]])
        XCTAssertEqual(partition.project([1.0, 2, 3]), [1, 2, 3])
        XCTAssertEqual(orbitAverage([1.0, 2, 3], permutations: [[0, 1, 2]]), [1, 2, 3])
    }
}
