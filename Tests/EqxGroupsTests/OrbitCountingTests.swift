import XCTest
import EqxGroups

/// `orbitCount(on:)` (Burnside's lemma and its closed forms) against the orbit partition that union-find
/// builds from the generators' gathers on the whole product index set.
final class OrbitCountingTests: XCTestCase {
    func partitionCount(_ group: FiniteGroup, _ factors: [IndexFactor]) throws -> Int {
        let count = factors.reduce(1) { $0 * $1.size }
        let gathers = try group.generators.map { g in
            productPermutation(try factors.map { factor in
                switch factor {
                case let .channels(n, rep): return try group.channelPermutation(element: g, channels: n, representation: rep)
                case .positions(let domain): return try group.spatialPermutation(element: g, on: domain)
                }
            })
        }
        return OrbitPartition(permutations: gathers, count: count).orbitCount
    }

    func testCountsEqualTheGeneratorPartitionOnProductsOfFactors() throws {
        var compared = 0
        for group in try catalogue() {
            let domains = sampleDomains.filter { (try? group.validateAction(on: $0)) != nil && $0.size <= 36 }
            var channels: [IndexFactor] = [.channels(3, .trivial), .channels(group.order, .regular)]
            if group.order <= 8 {
                let regular = try group.elements.map { try group.channelPermutation(element: $0, channels: group.order, representation: .regular) }
                channels.append(.channels(group.order, .permutations(regular)))
            }
            var products: [[IndexFactor]] = domains.map { [.positions($0)] }
            for a in domains { for b in domains where a.size * b.size <= 400 { products.append([.positions(a), .positions(b)]) } }
            for c in channels {
                products += domains.map { [c, .positions($0)] }
                for d in channels { products.append([c, d] + (domains.last.map { [.positions($0)] } ?? [])) }
            }
            for factors in products where factors.reduce(1, { $0 * $1.size }) <= 20_000 {
                XCTAssertEqual(try group.orbitCount(on: factors), try partitionCount(group, factors), "\(group) on \(factors)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 500)
    }

    /// S_n's closed form (equality patterns of node tuples), also for n too large to enumerate.
    func testSymmetricGroupCountsAreEqualityPatterns() throws {
        for n in 2...10 {
            let s = try FiniteGroup.symmetric(n)
            let vector = IndexFactor.positions(.vector(length: n)), matrix = IndexFactor.positions(.grid(height: n, width: n))
            for factors in [[vector], [matrix], [vector, vector], [matrix, vector], [matrix, matrix],
                            [.channels(2, .trivial), matrix, .positions(.none), vector]] {
                XCTAssertEqual(try s.orbitCount(on: factors), try partitionCount(s, factors), "S\(n) on \(factors)")
            }
        }
        // Bell numbers once n ≥ k: 15 patterns of index quadruples (a dense layer's weight per channel pair).
        XCTAssertEqual(try FiniteGroup.symmetric(20).orbitCount(on: [.positions(.grid(height: 20, width: 20)),
                                                                      .positions(.grid(height: 20, width: 20))]), 15)
    }

    func testActionsThatCannotHappenThrow() throws {
        XCTAssertThrowsError(try FiniteGroup.rotations.orbitCount(on: [.positions(.grid(height: 4, width: 6))]))
        XCTAssertThrowsError(try FiniteGroup.rotations.orbitCount(on: [.channels(6, .regular)]))
        XCTAssertThrowsError(try FiniteGroup.symmetric(4).orbitCount(on: [.positions(.kernel(height: 3, width: 3))]))
    }
}
