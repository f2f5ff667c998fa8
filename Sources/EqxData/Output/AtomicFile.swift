import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers see either the old content or the complete new content, never a
/// partial file: write a temporary file in the same directory, then `rename(2)` it over the
/// target (atomic within one file system).
public enum AtomicFile {
    /// Writes `data` to `url`, creating parent directories.
    public static func write(_ data: Data, to url: URL) throws {
        let temporary = try temporaryURL(for: url)
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DataError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
        try replace(url, with: temporary)
    }

    /// Writes a string as UTF-8.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// A fresh path next to `url` (its directory is created) for content that will be renamed
    /// onto `url` with `replace(_:with:)`.
    public static func temporaryURL(for url: URL) throws -> URL {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError.io(path: directory.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
        let serial = counter.next()
        let pid = ProcessInfo.processInfo.processIdentifier
        return directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(pid)-\(serial)")
    }

    /// Renames `temporary` onto `url`, replacing any existing file; removes `temporary` on failure.
    public static func replace(_ url: URL, with temporary: URL) throws {
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw DataError.io(path: url.path, reason: "cannot rename temporary file into place: \(reason)")
        }
    }

    private static let counter = Counter()

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}
