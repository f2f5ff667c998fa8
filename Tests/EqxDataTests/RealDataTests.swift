import XCTest
@testable import EqxData

/// The real MNIST files of the development machine (`../shared/data/mnist`), and Fashion-MNIST
/// from the Debian package `dataset-fashion-mnist`; skipped where absent.
final class RealDataTests: XCTestCase {
    func mnistDirectory() throws -> URL {
        guard let shared = sharedDataDirectory(),
              FileManager.default.fileExists(atPath: shared.appendingPathComponent("mnist/train-images-idx3-ubyte.gz").path) else {
            throw XCTSkip("MNIST not found under ../shared/data/mnist")
        }
        return shared.appendingPathComponent("mnist")
    }

    func testMNISTCountsLabelsAndPublishedChecksums() throws {
        let directory = try mnistDirectory()
        // MD5 of the uncompressed content, as published with the original files.
        let published = [
            "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
            "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
            "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
            "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
        ]
        for (name, md5) in published {
            let content = try FileContent.read(directory.appendingPathComponent(name))
            XCTAssertEqual(Checksum.md5Hex(content.bytes), md5, name)
        }
        // The downloader's verification accepts the real files.
        for remote in DownloadPlan.standard(.mnist).files {
            let url = directory.appendingPathComponent(remote.name)
            XCTAssertNoThrow(try DatasetDownloader.verify(FileContent.readRaw(url), as: remote, name: url.path))
        }
        let train = try IDX.load(directory: directory, split: .train)
        let test = try IDX.load(directory: directory, split: .test)
        XCTAssertEqual(train.count, 60000)
        XCTAssertEqual(test.count, 10000)
        XCTAssertEqual(train.sampleShape, [1, 28, 28])
        XCTAssertEqual(Set(train.labels), Set(0..<10))
        XCTAssertEqual(train.classCounts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        XCTAssertEqual(test.classCounts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        XCTAssertEqual(train.inputs.min(), 0)
        XCTAssertEqual(train.inputs.max(), 1)
        // The usual normalisation constants (0.1307, 0.3081).
        let stats = train.channelStatistics()
        XCTAssertEqual(stats.mean[0], 0.1307, accuracy: 1e-4)
        XCTAssertEqual(stats.std[0], 0.3081, accuracy: 1e-4)
        XCTAssertEqual(try DataSource.idxDirectory(directory, split: .test, classes: 10).probe(),
                       DataProbe(sampleShape: [1, 28, 28], count: 10000, classes: 10))
        let small = try test.subset(0..<100).resized(height: 14, width: 14)
        XCTAssertEqual(small.sampleShape, [1, 14, 14])
    }

    func testFashionMNISTFromDebian() throws {
        let debian = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
        guard FileManager.default.fileExists(atPath: debian.appendingPathComponent("t10k-images-idx3-ubyte.gz").path) else {
            throw XCTSkip("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)")
        }
        let test = try IDX.load(directory: debian, split: .test)
        XCTAssertEqual(test.count, 10000)
        XCTAssertEqual(test.classCounts, [Int](repeating: 1000, count: 10))
        XCTAssertEqual(try IDX.load(directory: debian, split: .train).classCounts, [Int](repeating: 6000, count: 10))

        // `eqx data get fashion-mnist --to DIR` finds Debian's recompressed files present and verified: the
        // checksums are of the decompressed content. The mirror refuses connections, so nothing is fetched.
        let directory = try makeTemporaryDirectory(self)
        let plan = DownloadPlan.standard(.fashionMNIST, baseURL: URL(string: "http://127.0.0.1:9/")!)
        for remote in plan.files {
            try FileManager.default.copyItem(at: debian.appendingPathComponent(remote.name),
                                             to: directory.appendingPathComponent(remote.name))
        }
        let report = try DatasetDownloader(timeout: 5).download(plan, to: directory)
        XCTAssertEqual(report.reused.map(\.lastPathComponent), plan.files.map(\.name))

        // Verification still bites: one label changed, recompressed, is a checksum mismatch.
        let labels = try XCTUnwrap(plan.files.first { $0.name == "t10k-labels-idx1-ubyte.gz" })
        var content = try FileContent.read(directory.appendingPathComponent(labels.name)).bytes
        content[100] = (content[100] + 1) % 10
        assertDataError(try DatasetDownloader.verify(Zlib.gzip(content), as: labels, name: labels.name),
                        contains: [labels.name, "15d484375f8d13e6eb1aabb0c3f46965"])
    }
}
