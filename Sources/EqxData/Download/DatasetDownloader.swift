import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `download` left on disk.
public struct DownloadReport: Equatable, Sendable {
    public var directory: URL
    /// Every file of the dataset now present (downloaded or reused), in plan order.
    public var files: [URL]
    /// The subset that was already present and verified, so not downloaded again.
    public var reused: [URL]
}

/// Fetches MNIST, Fashion-MNIST or CIFAR-10 (binary) for `eqx data get`.
///
/// Transport is Foundation's `URLSession` (FoundationNetworking, libcurl-backed on Linux), used
/// synchronously. Each file is downloaded to a temporary file in the target directory, its
/// checksum and format are verified, then it is renamed into place, so an interrupted or corrupt
/// download never leaves a file under the final name. Files already present are verified and
/// reused. CIFAR-10's archive is not kept: its batches are extracted (each written atomically).
public struct DatasetDownloader: Sendable {
    public var timeout: TimeInterval

    public init(timeout: TimeInterval = 300) {
        self.timeout = timeout
    }

    public func download(_ dataset: DownloadableDataset, to directory: URL, baseURL: URL? = nil) throws -> DownloadReport {
        try download(.standard(dataset, baseURL: baseURL), to: directory)
    }

    public func download(_ plan: DownloadPlan, to directory: URL) throws -> DownloadReport {
        var report = DownloadReport(directory: directory, files: [], reused: [])
        for remote in plan.files {
            if let present = try? presentFiles(remote, in: directory) {
                report.files += present
                report.reused += present
                continue
            }
            var errors: [Error] = []
            var done: [URL]?
            for base in plan.baseURLs {
                let url = base.appendingPathComponent(remote.name)
                let temporary = try AtomicFile.temporaryURL(for: directory.appendingPathComponent(remote.name))
                do {
                    try fetch(url, to: temporary)
                    done = try install(temporary, as: remote, in: directory, source: url.absoluteString)
                    break
                } catch {
                    try? FileManager.default.removeItem(at: temporary)
                    errors.append(error)
                }
            }
            guard let done else {
                if errors.count == 1 { throw errors[0] }
                throw DataError.download(url: "\(plan.dataset)/\(remote.name)",
                                         reason: errors.map { "\($0)" }.joined(separator: "; "))
            }
            report.files += done
        }
        return report
    }

    /// Checks `bytes` (a whole downloaded file) against the published checksum and the format.
    public static func verify(_ bytes: [UInt8], as remote: RemoteFile, name: String) throws {
        try remote.checksum?.verify(bytes, file: name)
        switch remote.format {
        case let .idxImages(count):
            let content = try decompressIfNeeded(bytes, name: name)
            let (found, height, width) = try IDX.imageHeader(content.bytes, file: content.name)
            guard found == count else {
                throw DataError.malformed(file: content.name, offset: 4, reason: "\(found) images, expected \(count)")
            }
            guard let pixels = checkedProduct([count, height, width]) else {
                throw DataError.malformed(file: content.name, offset: 4, reason: "image count and size overflow")
            }
            let size = 16 + pixels
            try ByteReader(bytes: content.bytes, name: content.name).require(16, size - 16)
            guard content.bytes.count == size else {
                throw DataError.malformed(file: content.name, offset: size, reason: "\(content.bytes.count - size) bytes after the images")
            }
        case let .idxLabels(count, classes):
            let content = try decompressIfNeeded(bytes, name: name)
            let labels = try IDX.readLabels(content, classes: classes)
            guard labels.count == count else {
                throw DataError.malformed(file: content.name, offset: 4, reason: "\(labels.count) labels, expected \(count)")
            }
        case .cifar10BinaryArchive:
            _ = try cifarBatches(in: bytes, archive: name)
        }
    }

    /// Like `verify`, for a file found on disk: an IDX file may also be stored uncompressed, and then
    /// its bytes are what the MD5 of the decompressed content covers.
    public static func verifyContent(_ bytes: [UInt8], as remote: RemoteFile, name: String) throws {
        guard case let .md5OfDecompressed(expected)? = remote.checksum, !bytes.starts(with: [0x1f, 0x8b]) else {
            return try verify(bytes, as: remote, name: name)
        }
        try Checksum.md5(expected).verify(bytes, file: name)
        var unchecked = remote
        unchecked.checksum = nil
        try verify(bytes, as: unchecked, name: name)
    }

    // MARK: Steps

    private func presentFiles(_ remote: RemoteFile, in directory: URL) throws -> [URL] {
        switch remote.format {
        case .cifar10BinaryArchive:
            let urls = (CIFAR10.trainFiles + CIFAR10.testFiles).map { directory.appendingPathComponent($0) }
            for url in urls {
                let bytes = try FileContent.readRaw(url)
                try DatasetDownloader.checkBatch(bytes[...], name: url.path)
            }
            return urls
        case .idxImages, .idxLabels:
            let url = directory.appendingPathComponent(remote.name)
            try DatasetDownloader.verify(FileContent.readRaw(url), as: remote, name: url.path)
            return [url]
        }
    }

    private func install(_ temporary: URL, as remote: RemoteFile, in directory: URL, source: String) throws -> [URL] {
        let bytes = try FileContent.readRaw(temporary)
        try DatasetDownloader.verify(bytes, as: remote, name: source)
        switch remote.format {
        case .cifar10BinaryArchive:
            var written: [URL] = []
            for (name, contents) in try DatasetDownloader.cifarBatches(in: bytes, archive: source) {
                let target = directory.appendingPathComponent(name)
                try AtomicFile.write(Data(contents), to: target)
                written.append(target)
            }
            try? FileManager.default.removeItem(at: temporary)
            return written
        case .idxImages, .idxLabels:
            let target = directory.appendingPathComponent(remote.name)
            try AtomicFile.replace(target, with: temporary)
            return [target]
        }
    }

    /// The six batches of a CIFAR-10 binary archive, in train-then-test order, each checked.
    static func cifarBatches(in archive: [UInt8], archive name: String) throws -> [(String, ArraySlice<UInt8>)] {
        let tar = try Zlib.gunzip(archive, file: name)
        let entries = try Tar.entries(tar, file: name + " (decompressed)")
        var batches: [(String, ArraySlice<UInt8>)] = []
        for wanted in CIFAR10.trainFiles + CIFAR10.testFiles {
            guard let entry = entries.first(where: { $0.isRegularFile && ($0.name as NSString).lastPathComponent == wanted }) else {
                throw DataError.missingMember(archive: name, member: wanted,
                                              available: entries.filter(\.isRegularFile).map(\.name))
            }
            try checkBatch(entry.contents, name: "\(name)/\(entry.name)")
            batches.append((wanted, entry.contents))
        }
        return batches
    }

    /// A batch must be whole records with labels 0…9 (10,000 records in the official files).
    static func checkBatch(_ bytes: ArraySlice<UInt8>, name: String) throws {
        let count = try CIFAR10.recordCount(byteCount: bytes.count, file: name)
        for record in 0..<count {
            let offset = record * CIFAR10.recordSize
            let label = Int(bytes[bytes.startIndex + offset])
            if label >= CIFAR10.classes {
                throw DataError.labelOutOfRange(file: name, offset: offset, label: label, classes: CIFAR10.classes)
            }
        }
    }

    private static func decompressIfNeeded(_ bytes: [UInt8], name: String) throws -> FileContent {
        if bytes.starts(with: [0x1f, 0x8b]) {
            return FileContent(bytes: try Zlib.gunzip(bytes, file: name), name: name + " (decompressed)", compressed: true,
                               storedSize: bytes.count)
        }
        return FileContent(bytes: bytes, name: name, compressed: false, storedSize: bytes.count)
    }

    /// Downloads `url` to the file `destination` (synchronously).
    private func fetch(_ url: URL, to destination: URL) throws {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout, 3600)
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let task = session.downloadTask(with: url) { location, response, error in
            defer { done.signal() }
            var failure: DataError?
            defer { outcome.failure = failure }
            // The body is in a temporary file even for an error status, and Foundation on Linux leaves it
            // there: remove whatever was not moved to the destination.
            defer { if let location { try? FileManager.default.removeItem(at: location) } }
            if let error {
                failure = .download(url: url.absoluteString, reason: error.localizedDescription)
                return
            }
            guard let http = response as? HTTPURLResponse else {
                failure = .download(url: url.absoluteString, reason: "no HTTP response")
                return
            }
            guard (200..<300).contains(http.statusCode) else {
                failure = .download(url: url.absoluteString, reason: "HTTP status \(http.statusCode)")
                return
            }
            guard let location else {
                failure = .download(url: url.absoluteString, reason: "no file received")
                return
            }
            do {
                try? FileManager.default.removeItem(at: destination)
                do {
                    try FileManager.default.moveItem(at: location, to: destination)
                } catch {
                    try FileManager.default.copyItem(at: location, to: destination)
                }
            } catch {
                failure = .io(path: destination.path, reason: "cannot store download: \(error.localizedDescription)")
            }
        }
        task.resume()
        done.wait()
        if let failure = outcome.failure { throw failure }
    }

    /// Carries the completion handler's result back; the semaphore orders the accesses.
    private final class Outcome: @unchecked Sendable {
        var failure: DataError?
    }
}
