import EqxTestSupport
import Foundation
import XCTest
@testable import EqxData

/// Every file of `crafted/` (written by `crafted/make_crafted.py`) through every loader, and through
/// `eqx check` with the loader its name targets: each must end in a `DataError` naming the file and a
/// byte offset, or in exit code 65/66 — never a crash, a hang or an accepted file.
final class CraftedCorpusTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("crafted")

    static var files: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".md") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// Each loader as the runtime uses it: reading the file and validating every value.
    static let loaders: [(String, (URL) throws -> Void)] = [
        ("idx images", { _ = try IDX.readImages($0) }),
        ("idx labels", { _ = try IDX.readLabels($0, classes: 10) }),
        ("npy", { url in
            let array = try NPY.read(url)
            try array.checkFinite(sampleSize: checkedProduct(Array(array.shape.dropFirst())) ?? 1)
        }),
        ("npz", { _ = try Dataset.load(npz: $0) }),
        ("csv", { _ = try CSV.load($0) }),
        ("cifar10", { _ = try CIFAR10.load(files: [$0]) }),
        ("safetensors", { url in
            for tensor in try SafeTensors.read(url).tensors.values { _ = try tensor.floats() }
        }),
        ("gzip", { url in _ = try Zlib.gunzip(FileContent.readRaw(url), file: url.path) }),
        ("tar", { url in _ = try Tar.entries(FileContent.readRaw(url), file: url.path) }),
    ]

    func testCorpusIsPresent() {
        XCTAssertGreaterThan(CraftedCorpusTests.files.count, 60, "run Tests/EqxDataTests/crafted/make_crafted.py")
    }

    func testEveryLoaderRejectsEveryCraftedFileWithFileAndOffset() {
        for url in CraftedCorpusTests.files {
            for (loader, load) in CraftedCorpusTests.loaders {
                // A well-formed .gz holding a hostile file: gunzip alone rightly accepts it.
                let name = url.lastPathComponent
                let container = loader == "gzip" && name.hasSuffix(".gz") && !name.hasPrefix("gz-") && !name.contains("-gz-")
                do {
                    try load(url)
                    if !container { XCTFail("\(loader) accepted \(url.lastPathComponent)") }
                } catch let error as DataError {
                    let message = error.description
                    XCTAssertFalse(container, "gunzip refused the well-formed \(url.lastPathComponent): \(message)")
                    XCTAssertTrue(message.contains(url.path), "\(loader) on \(url.lastPathComponent): '\(message)' does not name the file")
                    XCTAssertNotNil(message.range(of: #"byte \d+"#, options: .regularExpression),
                                    "\(loader) on \(url.lastPathComponent): '\(message)' gives no byte offset")
                } catch {
                    XCTFail("\(loader) on \(url.lastPathComponent): not a DataError: \(error)")
                }
            }
        }
    }

    /// The messages users see for the classes of the issue (spot checks of the wording).
    func testMessagesSayWhatIsWrong() {
        func message(_ name: String, _ loader: String) -> String {
            let url = CraftedCorpusTests.directory.appendingPathComponent(name)
            let load = CraftedCorpusTests.loaders.first { $0.0 == loader }!.1
            do { try load(url); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("idx-images-bomb.idx3.gz", "idx images").contains("more than the 7856 bytes of its IDX header"))
        XCTAssertTrue(message("idx-images-huge-count.idx3", "idx images").contains("overflow"))
        XCTAssertTrue(message("idx-images-huge-count-square.idx3", "idx images").contains("memory budget"))
        XCTAssertTrue(message("npy-deep-nesting.npy", "npy").contains("nested more than 16 levels"))
        XCTAssertTrue(message("npz-zip64-huge.npz", "npz").contains("memory budget"))
        XCTAssertTrue(message("npz-stored-block-past-eof.npz", "npz").contains("ends early"))
        XCTAssertTrue(message("npz-nan.npz", "npz").contains("sample 1"))
        XCTAssertTrue(message("npy-nan.npy", "npy").contains("sample 1 holds the non-finite value nan"))
        XCTAssertTrue(message("npy-inf-f8.npy", "npy").contains("byte 144: sample 1"))
        XCTAssertTrue(message("csv-nan.csv", "csv").contains("byte 8: sample 1 holds the non-finite value nan"))
        XCTAssertTrue(message("csv-overflow.csv", "csv").contains("sample 1 holds the non-finite value inf"))
        XCTAssertTrue(message("safetensors-i64-weight.safetensors", "safetensors").contains("tensor 'w' has dtype I64"))
        XCTAssertTrue(message("safetensors-nan.safetensors", "safetensors").contains("tensor 'w': element 1 is nan"))
        XCTAssertTrue(message("safetensors-bf16-inf.safetensors", "safetensors").contains("element 1 is inf"))
    }

    /// The non-regular files the issue names: refused before reading.
    func testDevicesAndFIFOsAreRefused() throws {
        assertDataError(try CSV.load(URL(fileURLWithPath: "/dev/zero")), contains: ["/dev/zero", "byte 0", "not a regular file"])
        let dir = try makeTemporaryDirectory(self)
        let fifo = dir.appendingPathComponent("pipe.csv")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        assertDataError(try CSV.load(fifo), contains: [fifo.path, "not a regular file"])
        assertDataError(try NPY.read(URL(fileURLWithPath: "/dev/zero")), contains: ["/dev/zero", "not a regular file"])
    }

    /// `eqx check` of a script whose data source is the crafted file (with valid companions where the
    /// source needs several files): exit 65 or 66 with the file named, never a crash or an exit 0.
    func testEqxCheckRejectsEveryCraftedDataFile() throws {
        _ = try EqxBinary.require()
        let work = try makeTemporaryDirectory(self)
        let goodImages = idxImages(count: 2, height: 2, width: 2)
        let goodLabels = idxLabels([0, 1])
        for url in CraftedCorpusTests.files {
            let name = url.lastPathComponent
            let dir = work.appendingPathComponent(name + ".d")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let gz = name.hasSuffix(".gz") ? ".gz" : ""
            let source: String
            switch name.split(separator: "-").first.map(String.init) ?? "" {
            case "idx":
                let isImages = name.hasPrefix("idx-images")
                for prefix in ["train", "t10k"] {
                    let images = dir.appendingPathComponent("\(prefix)-images-idx3-ubyte" + (isImages ? gz : ""))
                    let labels = dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte" + (isImages ? "" : gz))
                    if isImages {
                        try FileManager.default.copyItem(at: url, to: images)
                        try write(goodLabels, to: labels)
                    } else {
                        try write(goodImages, to: images)
                        try FileManager.default.copyItem(at: url, to: labels)
                    }
                }
                source = "idx(\"\(dir.path)\")"
            case "npy":
                try write(npyFile(descr: "|u1", shape: [2], data: [0, 1]), to: dir.appendingPathComponent("y.npy"))
                source = "npy(inputs: \"\(url.path)\", labels: \"\(dir.path)/y.npy\")"
            case "npz":
                source = "npz(\"\(url.path)\", inputs: \"x\", labels: \"y\")"
            case "csv", "gz":
                source = "csv(\"\(url.path)\")"
            case "cifar":
                for batch in CIFAR10.trainFiles + CIFAR10.testFiles {
                    try FileManager.default.copyItem(at: url, to: dir.appendingPathComponent(batch))
                }
                source = "cifar10(\"\(dir.path)\")"
            default:
                continue   // safetensors and tar are not data sources of scripts
            }
            let script = dir.appendingPathComponent("s.eqx")
            try EqxTestSupport.write("eqx 1\ndata d = \(source)\n", to: script)
            let result = try eqx(["check", script.path], timeout: 60)
            XCTAssertTrue([65, 66].contains(result.status),
                          "eqx check with \(name): exit \(result.status)\n\(result.stderr)")
            XCTAssertTrue(result.stderr.contains("E0801"), "eqx check with \(name): \(result.stderr)")
        }
    }
}
