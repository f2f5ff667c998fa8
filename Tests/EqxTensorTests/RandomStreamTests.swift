import XCTest
import EqxTensor

/// Known answers: the Philox vectors are Random123's published known-answer tests; the stream values
/// were computed by an independent Python implementation of the same definition:
///
///     def philox(c, k):                    # 10 rounds, key bumped between rounds
///         for r in range(10):
///             if r: k = [(k[0] + 0x9E3779B9) & M, (k[1] + 0xBB67AE85) & M]
///             p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
///             c = [(p1 >> 32) ^ c[1] ^ k[0], p1 & M, (p0 >> 32) ^ c[3] ^ k[1], p0 & M]
///         return c
///     key64 = splitmix64(seed ^ fnv1a64(name)); key = [key64 & M, key64 >> 32]
///     block b = philox([b & M, b >> 32, 0, 0], key); uniform = (word >> 8) * 2**-24
final class RandomStreamTests: XCTestCase {
    func testPhiloxKnownAnswers() {
        func hex(_ t: (UInt32, UInt32, UInt32, UInt32)) -> [UInt32] { [t.0, t.1, t.2, t.3] }
        XCTAssertEqual(hex(philox4x32_10(counter: (0, 0, 0, 0), key: (0, 0))), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8])
        XCTAssertEqual(hex(philox4x32_10(counter: (.max, .max, .max, .max), key: (.max, .max))), [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd])
        XCTAssertEqual(hex(philox4x32_10(counter: (0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), key: (0xa4093822, 0x299f31d0))),
                       [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1])
    }

    func testFNV1a() {
        XCTAssertEqual(fnv1a64(""), 0xcbf29ce484222325)
        XCTAssertEqual(fnv1a64("a"), 0xaf63dc4c8601ec8c)
        XCTAssertEqual(fnv1a64("init/conv1"), 0x4583d3045a111089)
    }

    func testStreamKnownAnswers() {
        var s = RandomStream(seed: 7, name: "init/conv1")
        XCTAssertEqual((0..<6).map { _ in s.nextUInt32() }, [0xe65bb19e, 0x92992e9e, 0x2dba1f47, 0x580d6eac, 0xc9bf318f, 0xdaac6113])
        var u = RandomStream(seed: 7, name: "init/conv1")
        let expected: [Float] = [0.8998365998268127, 0.5726498365402222, 0.17862123250961304, 0.3439549207687378]
        XCTAssertEqual((0..<4).map { _ in u.uniform() }, expected)
        var d = RandomStream(seed: 7, name: "data/shuffle/epoch3")
        XCTAssertEqual([10, 3, 1000, 7].map { d.int(below: $0) }, [5, 2, 919, 4])
    }

    func testStreamsAreIndependentAndReproducible() {
        var a = RandomStream(seed: 1, name: "x"), b = RandomStream(seed: 1, name: "x")
        var c = RandomStream(seed: 1, name: "y"), e = RandomStream(seed: 2, name: "x")
        let va = (0..<8).map { _ in a.nextUInt32() }
        XCTAssertEqual(va, (0..<8).map { _ in b.nextUInt32() })
        XCTAssertNotEqual(va, (0..<8).map { _ in c.nextUInt32() })
        XCTAssertNotEqual(va, (0..<8).map { _ in e.nextUInt32() })
        let child = RandomStream(seed: 1, name: "x").child("z")
        XCTAssertEqual(child.name, "x/z")
    }

    func testUniformAndNormalMoments() {
        var s = RandomStream(seed: 42, name: "moments")
        let n = 200_000
        var sum = 0.0, sq = 0.0, lo = Float.infinity, hi = -Float.infinity
        for _ in 0..<n {
            let u = s.uniform(-2, 3)
            sum += Double(u); sq += Double(u) * Double(u)
            lo = min(lo, u); hi = max(hi, u)
        }
        let mean = sum / Double(n), variance = sq / Double(n) - mean * mean
        XCTAssertEqual(mean, 0.5, accuracy: 0.02)          // sd of the mean ≈ 0.0032
        XCTAssertEqual(variance, 25.0 / 12, accuracy: 0.03)
        XCTAssertGreaterThanOrEqual(lo, -2)
        XCTAssertLessThan(hi, 3)

        sum = 0; sq = 0
        var fourth = 0.0
        for _ in 0..<n {
            let z = Double(s.normal())
            sum += z; sq += z * z; fourth += z * z * z * z
        }
        XCTAssertEqual(sum / Double(n), 0, accuracy: 0.015)
        XCTAssertEqual(sq / Double(n), 1, accuracy: 0.02)
        XCTAssertEqual(fourth / Double(n), 3, accuracy: 0.1, "normal kurtosis")
    }

    func testIntegersPermutationsBernoulli() {
        var s = RandomStream(seed: 3, name: "ints")
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[s.int(below: 6)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 500) }  // ~5 sd
        XCTAssertEqual(s.int(below: 1), 0)
        let big = s.int(below: Int(UInt32.max) + 10)
        XCTAssertTrue(big >= 0 && big < Int(UInt32.max) + 10)

        let p = s.permutation(50)
        XCTAssertEqual(p.sorted(), Array(0..<50))
        XCTAssertNotEqual(p, Array(0..<50))
        // Every position is uniformly distributed: first element over many shuffles of 4.
        var first = [Int](repeating: 0, count: 4)
        for _ in 0..<40_000 { first[s.permutation(4)[0]] += 1 }
        for c in first { XCTAssertEqual(Double(c), 10_000, accuracy: 450) }

        var hits = 0
        for _ in 0..<100_000 where s.bernoulli(0.3) { hits += 1 }
        XCTAssertEqual(Double(hits), 30_000, accuracy: 750)
    }
}
