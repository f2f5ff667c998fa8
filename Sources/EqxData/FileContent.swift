import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads whole files (or their first bytes), gunzipping transparently when the file starts with
/// the gzip magic `1f 8b`. The returned `name` is what error messages should cite: the path,
/// with " (decompressed)" appended when offsets refer to decompressed content.
///
/// Only regular files are read (a device such as `/dev/zero` or a FIFO never ends), and never
/// more than `maximum` bytes of content (the memory budget unless the format declares less).
struct FileContent {
    var bytes: [UInt8]
    var name: String
    var compressed: Bool
    /// The size of the file on disk (for a `.gz`, the compressed size).
    var storedSize: Int

    private static let chunkSize = 1 << 20

    /// The content of `url`. With `limit`, only its first `limit` bytes (fewer when it is shorter);
    /// content longer than `maximum` bytes is an error, whose `reason` says where the bound comes from.
    static func read(_ url: URL, limit: Int? = nil, maximum: Int = MemoryBudget.bytes,
                     reason: String = "the memory budget") throws -> FileContent {
        let path = url.path
        let (handle, size) = try open(url)
        defer { try? handle.close() }
        let head = try readChunk(handle, path: path, count: 2)
        if head == [0x1f, 0x8b] {
            var pending: [UInt8]? = head
            let bytes = try Zlib.inflate(file: path, raw: false, limit: limit,
                                         maximum: Zlib.Bound(bytes: maximum, reason: reason)) {
                if let first = pending { pending = nil; return first }
                let chunk = try readChunk(handle, path: path, count: chunkSize)
                return chunk.isEmpty ? nil : chunk
            }
            return FileContent(bytes: bytes, name: "\(path) (decompressed)", compressed: true, storedSize: size)
        }
        let wanted = min(limit ?? Int.max, size)
        if wanted > maximum {
            throw DataError.malformed(file: path, offset: maximum,
                                      reason: "the file has \(size) bytes, more than the \(maximum) bytes of \(reason)")
        }
        var bytes = head
        bytes.reserveCapacity(wanted)
        while bytes.count < wanted {
            let chunk = try readChunk(handle, path: path, count: min(wanted - bytes.count, chunkSize * 8))
            if chunk.isEmpty { break }
            bytes.append(contentsOf: chunk)
        }
        if bytes.count > wanted { bytes.removeLast(bytes.count - wanted) }
        return FileContent(bytes: bytes, name: path, compressed: false, storedSize: size)
    }

    /// The raw bytes of a file, never decompressed, at most the memory budget.
    static func readRaw(_ url: URL) throws -> [UInt8] {
        let (handle, size) = try open(url)
        defer { try? handle.close() }
        try MemoryBudget.check(size, file: url.path, offset: 0, what: "reading the file")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        while bytes.count < size {
            let chunk = try readChunk(handle, path: url.path, count: min(size - bytes.count, chunkSize * 8))
            if chunk.isEmpty { break }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }

    /// Opens a regular file for reading; refuses directories, devices, FIFOs and sockets
    /// (checked before opening: opening a FIFO blocks until someone writes to it).
    static func open(_ url: URL) throws -> (handle: FileHandle, size: Int) {
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw DataError.missingFile(path: url.path) }
        let kind = status.st_mode & S_IFMT
        guard kind != S_IFDIR else { throw DataError.missingFile(path: url.path) }
        guard kind == S_IFREG else {
            throw DataError.unsupported(file: url.path, offset: 0,
                                        reason: "not a regular file (a device, FIFO or socket); copy the data into a file")
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw DataError.io(path: url.path, reason: "cannot open: \(error.localizedDescription)")
        }
        return (handle, Int(status.st_size))
    }

    private static func readChunk(_ handle: FileHandle, path: String, count: Int) throws -> [UInt8] {
        do {
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        } catch {
            throw DataError.io(path: path, reason: "read failed: \(error.localizedDescription)")
        }
    }

    /// Throws unless `declared` bytes of content can come from this file: exactly its size when
    /// stored, at most the DEFLATE ratio times its size when compressed, and within the budget.
    /// `offset` is where the header field that declared the size is, `start` where the data it
    /// describes begins (the end of the header).
    func checkDeclared(_ declared: Int, offset: Int, start: Int, what: String) throws {
        try MemoryBudget.check(declared, file: name, offset: offset, what: what)
        if compressed {
            let (most, overflow) = storedSize.multipliedReportingOverflow(by: MemoryBudget.deflateRatio)
            if !overflow && declared > most {
                throw DataError.malformed(file: name, offset: offset,
                                          reason: "\(what) needs \(declared) bytes, more than a \(storedSize)-byte gzip file can hold")
            }
        } else if declared > storedSize {
            throw DataError.truncated(file: name, offset: min(start, storedSize), needed: declared - start,
                                      available: max(0, storedSize - start))
        } else if declared < storedSize {
            throw DataError.malformed(file: name, offset: declared,
                                      reason: "\(storedSize - declared) unexpected bytes after the \(declared) bytes of \(what)")
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
