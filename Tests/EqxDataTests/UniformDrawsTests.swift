import EqxTestSupport
import XCTest
@testable import EqxData

final class UniformDrawsTests: XCTestCase {
    /// A generator replaying fixed words.
    struct Replay: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    func testUnitUsesTheTop53Bits() {
        var rng = Replay(words: [0, .max, 1 << 63])
        XCTAssertEqual(UniformDraws.unit(&rng), 0)
        XCTAssertEqual(UniformDraws.unit(&rng), 1 - 0x1p-53)
        XCTAssertEqual(UniformDraws.unit(&rng), 0.5)
    }

    func testIndexIsInRangeAndRoughlyUniform() {
        var rng = SplitMix64(seed: 4)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[UniformDraws.index(below: 7, &rng)] += 1 }
        // Each count is Binomial(70000, 1/7): mean 10000, sd ≈ 93; allow 5 sd.
        for count in counts { XCTAssertEqual(Double(count), 10_000, accuracy: 465) }
    }

    func testPermutationsAreUniformOverAllOrders() {
        var rng = SplitMix64(seed: 8)
        var counts: [[Int]: Int] = [:]
        for _ in 0..<24_000 { counts[UniformDraws.permutation(4, &rng), default: 0] += 1 }
        XCTAssertEqual(counts.count, 24)
        // Each order: Binomial(24000, 1/24), mean 1000, sd ≈ 31; allow 5 sd.
        for count in counts.values { XCTAssertEqual(Double(count), 1000, accuracy: 156) }
    }
}
