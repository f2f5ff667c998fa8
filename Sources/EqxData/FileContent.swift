import Foundation

/// Reads whole files (or their first bytes), gunzipping transparently when the file starts with
/// the gzip magic `1f 8b`. The returned `name` is what error messages should cite: the path,
/// with " (decompressed)" appended when offsets refer to decompressed content.
struct FileContent {
    var bytes: [UInt8]
    var name: String
    var compressed: Bool

    private static let chunkSize = 1 << 20

    /// The content of `url`; with `limit`, only (at least) the first `limit` bytes when available.
    static func read(_ url: URL, limit: Int? = nil) throws -> FileContent {
        let path = url.path
        let handle = try open(url)
        defer { try? handle.close() }
        let head = try readChunk(handle, path: path, count: 2)
        if head == [0x1f, 0x8b] {
            var pending: [UInt8]? = head
            let bytes = try Zlib.inflate(file: path, raw: false, limit: limit) {
                if let first = pending { pending = nil; return first }
                let chunk = try readChunk(handle, path: path, count: chunkSize)
                return chunk.isEmpty ? nil : chunk
            }
            return FileContent(bytes: bytes, name: "\(path) (decompressed)", compressed: true)
        }
        var bytes = head
        while limit.map({ bytes.count < $0 }) ?? true {
            let chunk = try readChunk(handle, path: path, count: limit.map { max(0, $0 - bytes.count) } ?? chunkSize * 8)
            if chunk.isEmpty { break }
            bytes.append(contentsOf: chunk)
        }
        return FileContent(bytes: bytes, name: path, compressed: false)
    }

    /// The raw bytes of a file, never decompressed.
    static func readRaw(_ url: URL) throws -> [UInt8] {
        let handle = try open(url)
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while true {
            let chunk = try readChunk(handle, path: url.path, count: chunkSize * 8)
            if chunk.isEmpty { return bytes }
            bytes.append(contentsOf: chunk)
        }
    }

    static func open(_ url: URL) throws -> FileHandle {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DataError.missingFile(path: url.path)
        }
        do {
            return try FileHandle(forReadingFrom: url)
        } catch {
            throw DataError.io(path: url.path, reason: "cannot open: \(error.localizedDescription)")
        }
    }

    private static func readChunk(_ handle: FileHandle, path: String, count: Int) throws -> [UInt8] {
        do {
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        } catch {
            throw DataError.io(path: path, reason: "read failed: \(error.localizedDescription)")
        }
    }
}

/// Big-endian and little-endian field access with bounds checks that throw `truncated`.
struct ByteReader {
    let bytes: [UInt8]
    let name: String

    func require(_ offset: Int, _ count: Int) throws {
        if offset < 0 || count < 0 || offset > bytes.count || bytes.count - offset < count {
            throw DataError.truncated(file: name, offset: min(max(offset, 0), bytes.count),
                                      needed: count, available: max(0, bytes.count - max(offset, 0)))
        }
    }

    func uint32BE(at offset: Int) throws -> UInt32 {
        try require(offset, 4)
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    func uint16LE(at offset: Int) throws -> UInt16 {
        try require(offset, 2)
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func uint32LE(at offset: Int) throws -> UInt32 {
        try require(offset, 4)
        return (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    func uint64LE(at offset: Int) throws -> UInt64 {
        try require(offset, 8)
        return (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}
