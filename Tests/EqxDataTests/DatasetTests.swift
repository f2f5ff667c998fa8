import XCTest
@testable import EqxData

final class DatasetTests: XCTestCase {
    /// 5 samples of shape [2] whose values encode their index: sample i = [10i, 10i + 1].
    func makeDataset() throws -> Dataset {
        try Dataset(name: "toy", sampleShape: [2], inputs: (0..<5).flatMap { [Float(10 * $0), Float(10 * $0 + 1)] },
                    labels: [0, 1, 2, 0, 1], classes: 3)
    }

    func testInitValidatesShapeAndLabels() {
        assertDataError(try Dataset(name: "bad", sampleShape: [2], inputs: [1, 2, 3], labels: [0, 1], classes: 2),
                        contains: ["bad", "3 input values", "2 samples"])
        assertDataError(try Dataset(name: "bad", sampleShape: [1], inputs: [1, 2], labels: [0, 2], classes: 2),
                        contains: ["label 2", "sample 1", "0..<2"])
        assertDataError(try Dataset(name: "bad", sampleShape: [0], inputs: [], labels: [], classes: 2),
                        contains: ["sample shape"])
    }

    func testSubsetByRangeAndIndices() throws {
        let data = try makeDataset()
        let range = try data.subset(1..<3)
        XCTAssertEqual(range.inputs, [10, 11, 20, 21])
        XCTAssertEqual(range.labels, [1, 2])
        let picked = try data.subset(indices: [4, 0, 4])
        XCTAssertEqual(picked.inputs, [40, 41, 0, 1, 40, 41])
        XCTAssertEqual(picked.labels, [1, 0, 1])
        assertDataError(try data.subset(3..<6), contains: ["toy", "3..<6", "0..<5"])
        assertDataError(try data.subset(indices: [0, 5]), contains: ["index 5"])
        assertDataError(try data.subset(indices: [-1]), contains: ["index -1"])
    }

    func testPermutedMovesSamplesWithTheirLabels() throws {
        let data = try makeDataset()
        let permuted = try data.permuted(by: [2, 0, 4, 1, 3])
        XCTAssertEqual(permuted.inputs, [20, 21, 0, 1, 40, 41, 10, 11, 30, 31])
        XCTAssertEqual(permuted.labels, [2, 0, 1, 1, 0])
        assertDataError(try data.permuted(by: [0, 0, 1, 2, 3]), contains: ["not a permutation"])
        assertDataError(try data.permuted(by: [0, 1]), contains: ["2 entries", "5 samples"])
    }

    func testSplitUsesThePermutationAndRoundsTheCut() throws {
        let data = try makeDataset()
        let (train, test) = try data.split(fraction: 0.6, permutation: [4, 3, 2, 1, 0])
        XCTAssertEqual(train.labels, [1, 0, 2])
        XCTAssertEqual(test.inputs, [10, 11, 0, 1])
        XCTAssertEqual(train.count + test.count, data.count)
        let (all, none) = try data.split(fraction: 1)
        XCTAssertEqual(all.count, 5)
        XCTAssertEqual(none.count, 0)
        assertDataError(try data.split(fraction: 1.5), contains: ["1.5"])
    }

    func testOneHotTargets() throws {
        let data = try makeDataset()
        let targets = data.oneHotTargets()
        XCTAssertEqual(targets.count, 15)
        for (i, label) in data.labels.enumerated() {
            XCTAssertEqual(Array(targets[(i * 3)..<(i * 3 + 3)]), (0..<3).map { $0 == label ? 1 : 0 })
        }
    }

    func testClassCountsAndSampleAccess() throws {
        let data = try makeDataset()
        XCTAssertEqual(data.classCounts, [2, 2, 1])
        XCTAssertEqual(Array(data.sample(3)), [30, 31])
    }

    func testFingerprintIsContentOnlyAndSensitive() throws {
        let data = try makeDataset()
        var renamed = data
        renamed.name = "other"
        XCTAssertEqual(data.fingerprint, renamed.fingerprint)
        XCTAssertEqual(data.fingerprint.count, 64)
        var inputs = data.inputs
        inputs[7] = inputs[7].nextUp
        let nudged = try Dataset(name: "toy", sampleShape: [2], inputs: inputs, labels: data.labels, classes: 3)
        XCTAssertNotEqual(data.fingerprint, nudged.fingerprint)
        let relabelled = try Dataset(name: "toy", sampleShape: [2], inputs: data.inputs, labels: [0, 1, 2, 0, 0], classes: 3)
        XCTAssertNotEqual(data.fingerprint, relabelled.fingerprint)
        let reshaped = try Dataset(name: "toy", sampleShape: [1, 2], inputs: data.inputs, labels: data.labels, classes: 3)
        XCTAssertNotEqual(data.fingerprint, reshaped.fingerprint)
    }

    /// The fingerprint is defined byte by byte, so recompute it independently from the spec.
    func testFingerprintMatchesItsDocumentedDefinition() throws {
        let data = try Dataset(name: "x", sampleShape: [1], inputs: [1.5, -2], labels: [1, 0], classes: 2)
        var bytes = Array("eqx-dataset-v1".utf8)
        for value: Int64 in [1, 1, 2, 2] { bytes += (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        for value: Float in [1.5, -2] { bytes += (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt32($0))) } }
        for value: Int64 in [1, 0] { bytes += (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        XCTAssertEqual(data.fingerprint, Checksum.sha256Hex(bytes))
    }

    func testUnitScaling() {
        XCTAssertEqual(Dataset.unitScaled([0, 51, 255] as [UInt8]), [0, 0.2, 1])
    }
}
