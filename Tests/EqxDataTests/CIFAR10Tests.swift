import XCTest
@testable import EqxData

final class CIFAR10Tests: XCTestCase {
    func testRecordLayoutIsLabelThenPlanarRGB() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("b.bin")
        try write(cifarRecords([6, 9]), to: url)
        let data = try CIFAR10.load(files: [url])
        XCTAssertEqual(data.sampleShape, [3, 32, 32])
        XCTAssertEqual(data.labels, [6, 9])
        // Sample 1, green channel (plane 1), row 2, column 3: file byte 3073 + 1 + 1024 + 2*32 + 3.
        let k = 1024 + 2 * 32 + 3
        XCTAssertEqual(data.sample(1)[data.sample(1).startIndex + k], Float((1 * 31 + k) % 256) / 255)
    }

    func testDirectoryFormConcatenatesBatchesInOrder() throws {
        let dir = try makeTemporaryDirectory(self)
        let batches = dir.appendingPathComponent("cifar-10-batches-bin")
        try FileManager.default.createDirectory(at: batches, withIntermediateDirectories: true)
        for i in 1...5 { try write(cifarRecords([UInt8(i), UInt8(i)]), to: batches.appendingPathComponent("data_batch_\(i).bin")) }
        try write(cifarRecords([0]), to: batches.appendingPathComponent("test_batch.bin"))
        let train = try CIFAR10.load(directory: dir, split: .train)
        XCTAssertEqual(train.labels, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        XCTAssertEqual(try CIFAR10.load(directory: dir, split: .test).count, 1)
        XCTAssertEqual(try DataSource.cifar10Directory(dir, split: .train).probe(),
                       DataProbe(sampleShape: [3, 32, 32], count: 10, classes: 10))
        try FileManager.default.removeItem(at: batches.appendingPathComponent("data_batch_3.bin"))
        assertDataError(try CIFAR10.load(directory: dir, split: .train), contains: ["data_batch_3.bin", "no such file"])
    }

    func testTruncatedRecordAndBadLabel() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("t.bin")
        try write(Array(cifarRecords([1, 2]).dropLast(10)), to: url)
        assertDataError(try CIFAR10.load(files: [url]), contains: [url.path, "byte 3073", "truncated"])
        assertDataError(try CIFAR10.probe(files: [url]), contains: [url.path, "byte 3073"])
        try write(cifarRecords([1, 2, 10]), to: url)
        assertDataError(try CIFAR10.load(files: [url]), contains: [url.path, "byte 6146", "label 10"])
        try write([], to: url)
        assertDataError(try CIFAR10.load(files: [url]), contains: [url.path, "byte 0"])
    }
}
