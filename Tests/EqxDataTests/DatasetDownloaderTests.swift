import XCTest
@testable import EqxData

/// Downloads from a local `python3 -m http.server` serving files generated in the real formats.
final class DatasetDownloaderTests: XCTestCase {
    /// Starts the server on a free port chosen by the OS (port 0) and returns its base URL; the
    /// server is stopped when the test ends. Skips when python3 is missing.
    func startServer(serving directory: URL) throws -> URL {
        guard let python = findExecutable("python3") else { throw XCTSkip("python3 not available: cannot start a local HTTP server") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        addTeardownBlock {
            process.terminate()
            process.waitUntilExit()
        }
        // Wait (up to 20 s) for "Serving HTTP on 127.0.0.1 port N".
        final class Line: @unchecked Sendable { var text = "" }
        let line = Line()
        let found = DispatchSemaphore(value: 0)
        let handle = output.fileHandleForReading
        DispatchQueue.global().async {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                line.text += String(decoding: data, as: UTF8.self)
                if line.text.contains("\n") { break }
            }
            found.signal()
        }
        guard found.wait(timeout: .now() + 20) == .success,
              let range = line.text.range(of: #"port (\d+)"#, options: .regularExpression),
              let port = Int(line.text[range].dropFirst(5)) else {
            throw XCTSkip("local HTTP server did not start: \(line.text)")
        }
        return URL(string: "http://127.0.0.1:\(port)/")!
    }

    func mnistLikeFiles(in directory: URL) throws -> DownloadPlan {
        var files: [RemoteFile] = []
        for (prefix, count) in [("train", 60), ("t10k", 10)] {
            let images = Zlib.gzip(idxImages(count: count, height: 28, width: 28))
            let labels = Zlib.gzip(idxLabels((0..<count).map { UInt8($0 % 10) }))
            try write(images, to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
            try write(labels, to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
            files.append(RemoteFile(name: "\(prefix)-images-idx3-ubyte.gz",
                                    checksum: .md5OfDecompressed(Checksum.md5Hex(try Zlib.gunzip(images, file: ""))),
                                    format: .idxImages(count: count)))
            files.append(RemoteFile(name: "\(prefix)-labels-idx1-ubyte.gz", checksum: .md5(Checksum.md5Hex(labels)),
                                    format: .idxLabels(count: count, classes: 10)))
        }
        return DownloadPlan(dataset: "mnist-like", baseURLs: [], files: files)
    }

    func testDownloadsVerifiesAndReuses() throws {
        let served = try makeTemporaryDirectory(self), target = try makeTemporaryDirectory(self)
        var plan = try mnistLikeFiles(in: served)
        plan.baseURLs = [try startServer(serving: served)]
        let destination = target.appendingPathComponent("mnist")
        let report = try DatasetDownloader(timeout: 20).download(plan, to: destination)
        XCTAssertEqual(report.files.map(\.lastPathComponent), plan.files.map(\.name))
        XCTAssertEqual(report.reused, [])
        XCTAssertEqual(try IDX.load(directory: destination, split: .train).count, 60)
        XCTAssertEqual(try IDX.load(directory: destination, split: .test).labels, (0..<10).map { $0 })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: destination.path).sorted(), plan.files.map(\.name).sorted())
        let again = try DatasetDownloader(timeout: 20).download(plan, to: destination)
        XCTAssertEqual(again.reused.count, 4)
    }

    func testCorruptTruncatedAndMissingFilesAreRejected() throws {
        let served = try makeTemporaryDirectory(self), target = try makeTemporaryDirectory(self)
        let base = try startServer(serving: served)
        let good = Zlib.gzip(idxLabels([1, 2, 3]))
        var corrupt = good
        corrupt[20] ^= 0xff
        try write(corrupt, to: served.appendingPathComponent("corrupt.gz"))
        try write(Array(Zlib.gzip(idxImages(count: 5, height: 28, width: 28)).prefix(100)), to: served.appendingPathComponent("truncated.gz"))
        let downloader = DatasetDownloader(timeout: 20)

        let checksummed = DownloadPlan(dataset: "t", baseURLs: [base], files: [
            RemoteFile(name: "corrupt.gz", checksum: .md5(Checksum.md5Hex(good)), format: .idxLabels(count: 3, classes: 10))])
        assertDataError(try downloader.download(checksummed, to: target), contains: ["corrupt.gz", "MD5", Checksum.md5Hex(good)])

        // Without a checksum the format check still catches the truncated gzip.
        let formatOnly = DownloadPlan(dataset: "t", baseURLs: [base], files: [
            RemoteFile(name: "truncated.gz", checksum: nil, format: .idxImages(count: 5))])
        assertDataError(try downloader.download(formatOnly, to: target), contains: ["truncated.gz", "truncated"])

        let missing = DownloadPlan(dataset: "t", baseURLs: [base], files: [
            RemoteFile(name: "absent.gz", checksum: nil, format: .idxImages(count: 5))])
        // URLSession writes even an error page's body to a file in the temporary directory: a private one
        // here, so the test can see that the downloader removes it.
        let scratch = try makeTemporaryDirectory(self)
        let savedTMPDIR = ProcessInfo.processInfo.environment["TMPDIR"]
        setenv("TMPDIR", scratch.path, 1)
        defer { if let savedTMPDIR { setenv("TMPDIR", savedTMPDIR, 1) } else { unsetenv("TMPDIR") } }
        assertDataError(try downloader.download(missing, to: target), contains: ["absent.gz", "HTTP status 404"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "the 404 page's temporary file is left behind")

        // Nothing, not even a temporary file, is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.path), [])
    }

    func testFallsBackToTheNextMirror() throws {
        let empty = try makeTemporaryDirectory(self), served = try makeTemporaryDirectory(self), target = try makeTemporaryDirectory(self)
        var plan = try mnistLikeFiles(in: served)
        plan.files = [plan.files[1]]
        plan.baseURLs = [try startServer(serving: empty), try startServer(serving: served)]
        let report = try DatasetDownloader(timeout: 20).download(plan, to: target)
        XCTAssertEqual(report.files.map(\.lastPathComponent), ["train-labels-idx1-ubyte.gz"])
    }

    func testCIFARArchiveIsExtracted() throws {
        let served = try makeTemporaryDirectory(self), target = try makeTemporaryDirectory(self)
        var members = (1...5).map { ("cifar-10-batches-bin/data_batch_\($0).bin", cifarRecords([UInt8($0), 0])) }
        members.append(("cifar-10-batches-bin/test_batch.bin", cifarRecords([9])))
        members.append(("cifar-10-batches-bin/batches.meta.txt", Array("airplane\n".utf8)))
        let archive = Zlib.gzip(tarArchive(members))
        try write(archive, to: served.appendingPathComponent("cifar-10-binary.tar.gz"))
        var plan = DownloadPlan.standard(.cifar10, baseURL: try startServer(serving: served))
        XCTAssertEqual(plan.files.first?.checksum, .md5("c32a1d4ab5d03f1284b67883e8d87530"))
        // The published checksum cannot match our synthetic archive: it is rejected...
        assertDataError(try DatasetDownloader(timeout: 20).download(plan, to: target), contains: ["cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530"])
        // ...and accepted with its own checksum.
        plan.files[0].checksum = .md5(Checksum.md5Hex(archive))
        let report = try DatasetDownloader(timeout: 20).download(plan, to: target)
        XCTAssertEqual(report.files.map(\.lastPathComponent), CIFAR10.trainFiles + CIFAR10.testFiles)
        XCTAssertEqual(try CIFAR10.load(directory: target, split: .train).labels, [1, 0, 2, 0, 3, 0, 4, 0, 5, 0])
        XCTAssertEqual(try CIFAR10.load(directory: target, split: .test).labels, [9])
        XCTAssertEqual(try DatasetDownloader(timeout: 20).download(plan, to: target).reused.count, 6)
    }

    func testStandardPlans() {
        let mnist = DownloadPlan.standard(.mnist)
        XCTAssertEqual(mnist.files.count, 4)
        XCTAssertEqual(mnist.files[0].checksum, .md5OfDecompressed("6bbc9ace898e44ae57da46a324031adb"))
        XCTAssertEqual(DownloadPlan.standard(.fashionMNIST).files[3].checksum, .md5OfDecompressed("15d484375f8d13e6eb1aabb0c3f46965"))
        let local = URL(string: "http://127.0.0.1:9/")!
        XCTAssertEqual(DownloadPlan.standard(.fashionMNIST, baseURL: local).baseURLs, [local])
        XCTAssertEqual(DownloadableDataset(rawValue: "fashion-mnist"), .fashionMNIST)
    }
}
