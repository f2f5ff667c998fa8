import EqxTestSupport
import XCTest
@testable import EqxData

final class NormalizationTests: XCTestCase {
    /// Two samples of [2, 1, 2]: channel 0 holds 1,2,3,4 and channel 1 holds 10,10,10,10.
    func makeImages() throws -> Dataset {
        try Dataset(name: "img", sampleShape: [2, 1, 2], inputs: [1, 2, 10, 10, 3, 4, 10, 10], labels: [0, 1], classes: 2)
    }

    func testStatisticsArePerChannelPopulationMoments() throws {
        let stats = try makeImages().channelStatistics()
        XCTAssertEqual(stats.mean, [2.5, 10])
        // Population std of 1,2,3,4 is sqrt(1.25); a constant channel gets std 1.
        XCTAssertEqual(Double(stats.std[0]), 1.25.squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(stats.std[1], 1)
    }

    func testNormalisedDataHasZeroMeanUnitStd() throws {
        var rng = SplitMix64(seed: 3)
        let values = (0..<(50 * 3 * 4 * 4)).map { _ in Float(Double(rng.next() >> 11) * 0x1p-53 * 5 + 2) }
        let data = try Dataset(name: "r", sampleShape: [3, 4, 4], inputs: values, labels: [Int](repeating: 0, count: 50), classes: 1)
        let (normalised, stats) = data.normalized()
        let after = normalised.channelStatistics()
        for c in 0..<3 {
            XCTAssertEqual(after.mean[c], 0, accuracy: 1e-5)
            XCTAssertEqual(after.std[c], 1, accuracy: 1e-5)
            XCTAssertGreaterThan(stats.mean[c], 2)
        }
    }

    func testGivenStatisticsAreApplied() throws {
        let data = try makeImages()
        let result = try data.normalized(by: ChannelStatistics(mean: [1, 10], std: [2, 4]))
        XCTAssertEqual(result.inputs, [0, 0.5, 0, 0, 1, 1.5, 0, 0])
        assertDataError(try data.normalized(by: ChannelStatistics(mean: [0], std: [1])), contains: ["2 means"])
        assertDataError(try data.normalized(by: ChannelStatistics(mean: [0, 0], std: [1, 0])), contains: ["channel 1"])
    }

    func testVectorsAreOneChannel() throws {
        let data = try Dataset(name: "v", sampleShape: [3], inputs: [0, 1, 2, 3, 4, 5], labels: [0, 0], classes: 1)
        XCTAssertEqual(data.channelCount, 1)
        XCTAssertEqual(data.channelStatistics().mean, [2.5])
    }
}
