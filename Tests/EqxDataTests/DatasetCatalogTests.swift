import Foundation
import XCTest
@testable import EqxData

/// Named datasets: the search path's order, locating a directory that holds every file, and verifying
/// what is found against the published checksums.
final class DatasetCatalogTests: XCTestCase {
    /// A directory with the four MNIST-layout files (synthetic content: 3 training and 2 test images).
    private func writeIDXDirectory(_ dir: URL, gzip: Bool = false) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let suffix = gzip ? ".gz" : ""
        func put(_ bytes: [UInt8], _ name: String) throws {
            try write(gzip ? Zlib.gzip(bytes) : bytes, to: dir.appendingPathComponent(name + suffix))
        }
        try put(idxImages(count: 3, height: 4, width: 4), "train-images-idx3-ubyte")
        try put(idxLabels([0, 1, 2]), "train-labels-idx1-ubyte")
        try put(idxImages(count: 2, height: 4, width: 4), "t10k-images-idx3-ubyte")
        try put(idxLabels([3, 4]), "t10k-labels-idx1-ubyte")
    }

    func testSearchOrderIsEqxDataThenTheUserCacheThenTheSystemDirectory() {
        let path = DataSearchPath.standard(environment: ["EQX_DATA": "/a:rel/b::~/c", "HOME": "/home/u"])
        let cwd = FileManager.default.currentDirectoryPath
        XCTAssertEqual(path.directories.map(\.path),
                       ["/a", URL(fileURLWithPath: cwd).appendingPathComponent("rel/b").standardized.path,
                        (("~/c") as NSString).expandingTildeInPath, "/home/u/.cache/eqx", "/usr/share/datasets"])
        let xdg = DataSearchPath.standard(environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg",
                                                        "EQX_SYSTEM_DATA": "/none"])
        XCTAssertEqual(xdg.directories.map(\.path), ["/xdg/eqx", "/none"])
        XCTAssertEqual(DataSearchPath.userCache(environment: ["HOME": "/home/u"]).path, "/home/u/.cache/eqx")
    }

    func testTheFirstDirectoryHoldingEveryFileWins() throws {
        let root = try makeTemporaryDirectory(self)
        let first = root.appendingPathComponent("one"), second = root.appendingPathComponent("two")
        // An incomplete copy in the first directory does not count.
        try FileManager.default.createDirectory(at: first.appendingPathComponent("fashion-mnist"), withIntermediateDirectories: true)
        try write(idxLabels([1]), to: first.appendingPathComponent("fashion-mnist/train-labels-idx1-ubyte"))
        try writeIDXDirectory(second.appendingPathComponent("fashion_mnist"), gzip: true)
        let path = DataSearchPath(directories: [first, second])
        XCTAssertEqual(path.locate(.fashionMNIST)?.path, second.appendingPathComponent("fashion_mnist").path)
        XCTAssertNil(path.locate(.mnist))
        XCTAssertThrowsError(try path.require(.cifar10)) { error in
            let e = error as? DatasetNotFound
            XCTAssertEqual(e?.searched.map(\.lastPathComponent), ["cifar10", "cifar-10-batches-bin", "cifar10", "cifar-10-batches-bin"])
            XCTAssertTrue("\(error)".contains(first.appendingPathComponent("cifar10").path), "\(error)")
        }
    }

    func testNamesAcceptTheDownloadSpelling() {
        XCTAssertEqual(NamedDataset(anyName: "fashion-mnist"), .fashionMNIST)
        XCTAssertEqual(NamedDataset(scriptName: "fashion_mnist"), .fashionMNIST)
        XCTAssertNil(NamedDataset(scriptName: "fashion-mnist"))
        XCTAssertEqual(NamedDataset.fashionMNIST.fetchCommand, "eqx data get fashion-mnist")
        for d in NamedDataset.allCases { XCTAssertEqual(d.downloadable.rawValue.replacingOccurrences(of: "-", with: "_"), d.rawValue) }
    }

    /// Files that are not the published ones fail with the file named and the command that replaces them.
    func testAMismatchNamesTheFileAndHowToFetchItAgain() throws {
        let dir = try makeTemporaryDirectory(self).appendingPathComponent("mnist")
        try writeIDXDirectory(dir, gzip: true)
        XCTAssertThrowsError(try NamedDataset.mnist.verify(in: dir)) { error in
            guard let e = error as? DatasetCorrupt, case .checksumMismatch(let file, _, _, _) = e.reason else {
                return XCTFail("expected a checksum mismatch, got \(error)")
            }
            XCTAssertEqual(file, dir.appendingPathComponent("train-images-idx3-ubyte.gz").path)
            XCTAssertTrue(e.description.contains("eqx data get mnist --to \(dir.path)"), e.description)
        }
    }

    /// A raw IDX file is checked against the MD5 of the decompressed content, like its `.gz` form.
    func testRawAndCompressedFilesVerifyAgainstTheSameChecksum() throws {
        let content = idxLabels([0, 1, 2, 9])
        let remote = RemoteFile(name: "train-labels-idx1-ubyte.gz", checksum: .md5OfDecompressed(Checksum.md5Hex(content)),
                                format: .idxLabels(count: 4, classes: 10))
        XCTAssertNoThrow(try DatasetDownloader.verifyContent(content, as: remote, name: "raw"))
        XCTAssertNoThrow(try DatasetDownloader.verifyContent(Zlib.gzip(content), as: remote, name: "gz"))
        var changed = content
        changed[changed.count - 1] = 8
        assertDataError(try DatasetDownloader.verifyContent(changed, as: remote, name: "raw"), contains: ["raw", "MD5"])
        // The format is still checked after the checksum: a label out of range.
        var wrong = remote
        wrong.format = .idxLabels(count: 4, classes: 5)
        assertDataError(try DatasetDownloader.verifyContent(content, as: wrong, name: "raw"), contains: ["raw", "label 9"])
    }

    /// The published MD5s match the real files, where the machine has them (CI: ../shared/data/mnist and
    /// Debian's Fashion-MNIST).
    func testRealCopiesVerify() throws {
        var checked = 0
        if let shared = sharedDataDirectory(), FileManager.default.fileExists(atPath: shared.appendingPathComponent("mnist").path) {
            try NamedDataset.mnist.verify(in: shared.appendingPathComponent("mnist"))
            checked += 1
        }
        let debian = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
        if NamedDataset.fashionMNIST.requiredFiles(in: debian) != nil {
            try NamedDataset.fashionMNIST.verify(in: debian)
            checked += 1
        }
        if checked == 0 { throw XCTSkip("neither MNIST nor Fashion-MNIST is on this machine") }
    }
}
