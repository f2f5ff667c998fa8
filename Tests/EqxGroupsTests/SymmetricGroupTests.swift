import EqxTestSupport
import XCTest
import EqxGroups

final class SymmetricGroupTests: XCTestCase {
    func testElementsAreAllPermutationsInLexicographicOrder() throws {
        for n in 0...6 {
            let group = try FiniteGroup.symmetric(n)
            let sigmas = try group.elements.map { try group.symmetricPermutation($0) }
            XCTAssertEqual(sigmas.count, (1...max(n, 1)).reduce(1, *))
            XCTAssertEqual(sigmas.first, Array(0..<n), "element 0 is the identity")
            XCTAssertTrue(sigmas.allSatisfy(isPermutation))
            XCTAssertEqual(Set(sigmas).count, sigmas.count)
            for (a, b) in zip(sigmas, sigmas.dropFirst()) {
                XCTAssertTrue(a.lexicographicallyPrecedes(b), "\(a) before \(b)")
            }
            for (g, sigma) in sigmas.enumerated() { XCTAssertEqual(try group.symmetricElement(sigma), g) }
        }
    }

    func testCompositionIsFunctionComposition() throws {
        let group = try FiniteGroup.symmetric(5)
        var rng = SplitMix64(seed: 21)
        for _ in 0..<200 {
            let (a, b) = (group.randomElement(using: &rng), group.randomElement(using: &rng))
            let (sa, sb) = (try group.symmetricPermutation(a), try group.symmetricPermutation(b))
            // a∘b: first b, then a.
            XCTAssertEqual(try group.symmetricPermutation(group.compose(a, b)), (0..<5).map { sa[sb[$0]] })
        }
    }

    func testVectorAndMatrixActions() throws {
        let group = try FiniteGroup.symmetric(4)
        var rng = SplitMix64(seed: 22)
        let v = randomValues(4, &rng)
        let x = randomValues(16, &rng)
        for g in group.elements {
            let sigma = try group.symmetricPermutation(g)
            // g moves coordinate i to σ(i).
            let gv = gather(v, try group.vectorPermutation(element: g, length: 4))
            for i in 0..<4 { XCTAssertEqual(gv[sigma[i]], v[i]) }
            // g·X = P X Pᵀ with P e_j = e_σ(j), by explicit matrix products.
            var p = [Double](repeating: 0, count: 16)
            for j in 0..<4 { p[sigma[j] * 4 + j] = 1 }
            var pxpt = [Double](repeating: 0, count: 16)
            for i in 0..<4 {
                for j in 0..<4 {
                    var sum = 0.0
                    for k in 0..<4 { for l in 0..<4 { sum += p[i * 4 + k] * x[k * 4 + l] * p[j * 4 + l] } }
                    pxpt[i * 4 + j] = sum
                }
            }
            XCTAssertEqual(gather(x, try group.matrixPermutation(element: g, size: 4)), pxpt)
        }
        XCTAssertThrowsError(try group.matrixPermutation(element: 0, size: 5)) {
            XCTAssertTrue("\($0)".contains("S4 acts on 4×4 matrices"), "\($0)")
        }
        XCTAssertThrowsError(try group.vectorPermutation(element: 0, length: 3))
    }

    func testS10WithoutEnumeration() throws {
        let s10 = try FiniteGroup.symmetric(10)
        XCTAssertEqual(s10.generators.count, 2)
        XCTAssertEqual(try s10.symmetricPermutation(s10.generators[0]), [1, 0, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(try s10.symmetricPermutation(s10.generators[1]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 0])
        XCTAssertEqual(s10.elementOrder(s10.generators[1]), 10)
        var rng = SplitMix64(seed: 23)
        // Every coordinate is equally likely to be sent to 0 by a uniform random permutation.
        var counts = [Int](repeating: 0, count: 10)
        let draws = 20_000
        for _ in 0..<draws {
            let sigma = try s10.symmetricPermutation(s10.randomElement(using: &rng))
            XCTAssertTrue(isPermutation(sigma))
            counts[sigma.firstIndex(of: 0)!] += 1
        }
        let expected = Double(draws) / 10
        let chiSquare = counts.reduce(0) { $0 + pow(Double($1) - expected, 2) / expected }
        XCTAssertLessThan(chiSquare, 27.9, "9 degrees of freedom, p ≈ 0.001: \(counts)")
    }

    func testRandomPermutationsOfS3AreUniform() throws {
        let s3 = try FiniteGroup.symmetric(3)
        var rng = SplitMix64(seed: 24)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[s3.randomElement(using: &rng)] += 1 }
        let chiSquare = counts.reduce(0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        XCTAssertLessThan(chiSquare, 20.5, "5 degrees of freedom, p ≈ 0.001: \(counts)")
    }

    /// Orbits of S_n on index tuples are equality patterns: Bell numbers 2, 5, 15 for 2, 3, 4 indices
    /// (n ≥ number of indices), found from the two generators alone.
    func testEqualityPatternClassesFromGenerators() throws {
        for n in [4, 5, 10] {
            let group = try FiniteGroup.symmetric(n)
            let vector = try group.generators.map { try group.vectorPermutation(element: $0, length: n) }
            XCTAssertEqual(OrbitPartition(permutations: vector, count: n).orbitCount, 1)
            let matrix = vector.map { productPermutation([$0, $0]) }
            XCTAssertEqual(OrbitPartition(permutations: matrix, count: n * n).orbitCount, 2)
            let three = vector.map { productPermutation([$0, $0, $0]) }
            XCTAssertEqual(OrbitPartition(permutations: three, count: n * n * n).orbitCount, 5)
            // A layer on n×n adjacency matrices: weight [n·n (out), n·n (in)], the 15 classes of Maron et al.
            let layer = matrix.map { productPermutation([$0, $0]) }
            let partition = OrbitPartition(permutations: layer, count: n * n * n * n)
            XCTAssertEqual(partition.orbitCount, 15, "n = \(n)")
        }
        // With n = 3 the pattern with four distinct indices cannot occur.
        let s3 = try FiniteGroup.symmetric(3)
        let layer = try s3.generators.map { g -> [Int] in
            let m = try s3.matrixPermutation(element: g, size: 3)
            return productPermutation([m, m])
        }
        XCTAssertEqual(OrbitPartition(permutations: layer, count: 81).orbitCount, 14)
    }

    func testGeneratorOrbitsEqualFullGroupAverage() throws {
        let s4 = try FiniteGroup.symmetric(4)
        let all = try s4.elements.map { g -> [Int] in
            let m = try s4.matrixPermutation(element: g, size: 4)
            return productPermutation([m, m])
        }
        let generators = s4.generators.map { all[$0] }
        var rng = SplitMix64(seed: 25)
        let w = randomValues(256, &rng)
        let reynolds = orbitAverage(w, permutations: all)
        let fromGenerators = OrbitPartition(permutations: generators, count: 256).project(w)
        XCTAssertLessThan(maxAbsDifference(reynolds, fromGenerators), 1e-12)
    }
}
