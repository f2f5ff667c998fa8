import CZlib

/// gzip and raw DEFLATE through the system zlib.
///
/// Inflation is streaming: input arrives in chunks (from a file handle or a buffer) and output
/// grows as it is produced, so a caller can stop after the first bytes (see `limit`), which is how
/// `probe` reads IDX headers from a `.gz` file without decompressing the whole file. Output never
/// grows past a `Bound` (the size the format declares, or the memory budget): a small `.gz` that
/// would inflate to gigabytes is an error, not an allocation.
public enum Zlib {
    /// The most output a stream may produce, and why (cited in the error).
    struct Bound {
        var bytes: Int
        var reason: String
        static var budget: Bound { Bound(bytes: MemoryBudget.bytes, reason: "the memory budget") }
    }

    /// Decompresses a gzip file held in memory (one or more concatenated members).
    public static func gunzip(_ input: [UInt8], file: String, limit: Int? = nil) throws -> [UInt8] {
        try inflate(file: file, raw: false, limit: limit, maximum: .budget, nextChunk: chunks(of: input[...]))
    }

    /// Decompresses a raw DEFLATE stream (as stored in zip members).
    /// At most `expectedSize` bytes (when given) and never more than the memory budget.
    public static func inflateRaw(_ input: ArraySlice<UInt8>, file: String, expectedSize: Int? = nil) throws -> [UInt8] {
        let bound = expectedSize.map { Bound(bytes: min($0, MemoryBudget.bytes), reason: "the declared size") } ?? .budget
        return try inflate(file: file, raw: true, limit: nil, maximum: bound, nextChunk: chunks(of: input))
    }

    /// Successive 1 MB pieces of an in-memory stream (zlib counts input in 32 bits).
    static func chunks(of input: ArraySlice<UInt8>) -> () -> [UInt8]? {
        var position = input.startIndex
        return {
            guard position < input.endIndex else { return nil }
            let end = min(position + (1 << 20), input.endIndex)
            defer { position = end }
            return Array(input[position..<end])
        }
    }

    /// Compresses to a single-member gzip stream.
    public static func gzip(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        deflate(input, windowBits: 15 + 16, level: level)
    }

    /// Compresses to a raw DEFLATE stream (no header or trailer), as zip members store it.
    public static func deflateRaw(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        deflate(input, windowBits: -15, level: level)
    }

    /// CRC-32 as used by gzip and zip.
    public static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc: UInt = 0
            var start = 0
            repeat {   // zlib takes 32-bit lengths
                let count = min(buffer.count - start, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress.map { $0 + start }, UInt32(count))
                start += count
            } while start < buffer.count
            return UInt32(crc)
        }
    }

    /// The streaming inflater. `nextChunk` returns successive pieces of compressed input and nil
    /// at end of file. Returns the first `limit` bytes once that many exist; throws once the output
    /// exceeds `maximum`.
    static func inflate(file: String, raw: Bool, limit: Int?, maximum: Bound,
                        nextChunk: () throws -> [UInt8]?) throws -> [UInt8] {
        var stream = z_stream()
        let windowBits: Int32 = raw ? -15 : 15 + 16
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError.badCompressedStream(file: file, offset: 0, reason: "zlib could not be initialised")
        }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 1 << 18)
        var consumed = 0          // compressed bytes consumed before the current chunk
        var memberEnded = false   // the last member finished; only further members or padding may follow
        var sawAnyInput = false

        while true {
            guard var chunk = try nextChunk() else { break }
            if chunk.isEmpty { continue }
            sawAnyInput = true
            var start = 0
            while start < chunk.count {
                if memberEnded {
                    if raw { return output }   // a raw stream is one member; ignore what follows
                    let rest = chunk[start...]
                    if rest.first == 0x1f {
                        inflateReset(&stream)
                        memberEnded = false
                    } else if rest.allSatisfy({ $0 == 0 }) {
                        start = chunk.count   // zero padding after the last member, as gzip(1) accepts
                        continue
                    } else {
                        throw DataError.badCompressedStream(
                            file: file, offset: consumed + start,
                            reason: "trailing bytes after the end of the gzip stream")
                    }
                }
                let (used, status, message) = chunk.withUnsafeMutableBufferPointer { input -> (Int, Int32, String?) in
                    stream.next_in = input.baseAddress! + start
                    stream.avail_in = UInt32(input.count - start)
                    var status: Int32 = Z_OK
                    repeat {
                        let produced = scratch.withUnsafeMutableBufferPointer { out -> Int in
                            stream.next_out = out.baseAddress
                            stream.avail_out = UInt32(out.count)
                            status = CZlib.inflate(&stream, Z_NO_FLUSH)
                            return out.count - Int(stream.avail_out)
                        }
                        output.append(contentsOf: scratch[0..<produced])
                        if let limit, output.count >= limit { break }
                        if output.count > maximum.bytes { break }
                    } while status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
                    let message = stream.msg.map { String(cString: $0) }
                    return (input.count - start - Int(stream.avail_in), status, message)
                }
                start += used
                if let limit, output.count >= limit { return Array(output.prefix(limit)) }
                if output.count > maximum.bytes {
                    throw DataError.malformed(file: file + " (decompressed)", offset: maximum.bytes,
                                              reason: "decompresses to more than the \(maximum.bytes) bytes of \(maximum.reason)")
                }
                switch status {
                case Z_STREAM_END:
                    memberEnded = true
                case Z_OK, Z_BUF_ERROR:
                    // Needs more input: the loop condition fetches the next chunk.
                    if used == 0 && start < chunk.count {
                        throw DataError.badCompressedStream(file: file, offset: consumed + start,
                                                            reason: "zlib made no progress")
                    }
                case Z_NEED_DICT:
                    throw DataError.badCompressedStream(file: file, offset: consumed + start,
                                                        reason: "stream needs a preset dictionary")
                default:
                    throw DataError.badCompressedStream(file: file, offset: consumed + start,
                                                        reason: message ?? "zlib error \(status)")
                }
            }
            consumed += chunk.count
        }
        if !memberEnded {
            let reason = sawAnyInput ? "compressed stream ends early (truncated file)" : "empty compressed stream"
            throw DataError.badCompressedStream(file: file, offset: consumed, reason: reason)
        }
        return output
    }

    private static func deflate(_ input: [UInt8], windowBits: Int32, level: Int32) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(&stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed with \(status)")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        var source = input
        let written = source.withUnsafeMutableBufferPointer { inBuffer -> Int in
            output.withUnsafeMutableBufferPointer { outBuffer -> Int in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                let result = CZlib.deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<written])
    }
}
