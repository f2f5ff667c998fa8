import XCTest
@testable import EqxData

/// `probe()` must agree with what `load()` produces, for every kind of source.
final class DataSourceTests: XCTestCase {
    func testProbeAgreesWithLoad() throws {
        let dir = try makeTemporaryDirectory(self)
        try write(Zlib.gzip(idxImages(count: 7, height: 5, width: 6)), to: dir.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try write(idxLabels([0, 1, 2, 3, 4, 5, 6]), to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
        try write(cifarRecords([3, 1, 4]), to: dir.appendingPathComponent("c.bin"))
        try write(zipArchive([("x.npy", NPY.encode(shape: [4, 3], values: (0..<12).map(Float.init)), true),
                              ("y.npy", NPY.encode(shape: [4], values: [0, 2, 1, 2]), false)]),
                  to: dir.appendingPathComponent("a.npz"))
        try write(NPY.encode(shape: [2, 2, 3, 3], values: [Float](repeating: 1, count: 36)), to: dir.appendingPathComponent("x.npy"))
        try write(NPY.encode(shape: [2], values: [1, 0]), to: dir.appendingPathComponent("y.npy"))
        try write(Array("a,b,c,label\n1,2,3,1\n4,5,6,3\n".utf8), to: dir.appendingPathComponent("d.csv"))

        let sources: [DataSource] = [
            .digits(nil), .digits(.test),
            .idxDirectory(dir, split: .train, classes: 10),
            .idx(images: dir.appendingPathComponent("train-images-idx3-ubyte.gz"),
                 labels: dir.appendingPathComponent("train-labels-idx1-ubyte"), classes: 7),
            .cifar10(files: [dir.appendingPathComponent("c.bin")]),
            .npz(dir.appendingPathComponent("a.npz"), inputs: "x", labels: "y", classes: nil),
            .npy(inputs: dir.appendingPathComponent("x.npy"), labels: dir.appendingPathComponent("y.npy"), classes: 5),
            .csv(dir.appendingPathComponent("d.csv"), options: CSVOptions(label: .name("label"), hasHeader: true)),
        ]
        for source in sources {
            let data = try source.load()
            XCTAssertEqual(try source.probe(), DataProbe(sampleShape: data.sampleShape, count: data.count, classes: data.classes),
                           "\(source)")
        }
    }

    func testMissingFilesAreErrorsForBothProbeAndLoad() throws {
        let dir = try makeTemporaryDirectory(self)
        let absent = dir.appendingPathComponent("absent.npz")
        let source = DataSource.npz(absent, inputs: "x", labels: "y", classes: nil)
        assertDataError(try source.load(), contains: [absent.path, "no such file"])
        assertDataError(try source.probe(), contains: [absent.path, "no such file"])
        assertDataError(try DataSource.cifar10Directory(dir, split: .test).probe(), contains: [dir.path, "test_batch.bin"])
    }
}
