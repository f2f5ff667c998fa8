/// A minimal zip reader for `.npz` files: the central directory (with zip64 extensions, which
/// NumPy writes), stored and deflated members, CRC-32 checked.
///
/// Every size and offset in the directory is checked against the archive's length and the memory
/// budget before use, and inflation stops at the member's declared size. (weichsel/ZIPFoundation
/// 0.9.20 was measured as a replacement and not taken: on Linux its inflater loops forever on a
/// 100-byte archive whose deflated member runs past the end of the file, as
/// `Tests/EqxDataTests/crafted/npz-stored-block-past-eof.npz` does, and it feeds zlib a full
/// buffer length for a short final chunk.)
struct ZipArchive {
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
        var directoryOffset: Int
    }

    let bytes: [UInt8]
    let file: String
    private(set) var entries: [Entry] = []

    init(bytes: [UInt8], file: String) throws {
        self.bytes = bytes
        self.file = file
        entries = try readDirectory()
    }

    private var reader: ByteReader { ByteReader(bytes: bytes, name: file) }

    private func readDirectory() throws -> [Entry] {
        // The end-of-central-directory record is in the last 22 + 65535 bytes.
        guard bytes.count >= 22 else {
            throw DataError.truncated(file: file, offset: 0, needed: 22, available: bytes.count)
        }
        var eocd = -1
        var position = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65535)
        while position >= lowest {
            if bytes[position] == 0x50, bytes[position + 1] == 0x4b, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06 {
                eocd = position
                break
            }
            position -= 1
        }
        guard eocd >= 0 else {
            if bytes.count >= 4, Array(bytes[0..<4]) == [0x50, 0x4b, 0x03, 0x04] {
                throw DataError.truncated(file: file, offset: bytes.count, needed: 22, available: 0)
            }
            throw DataError.badMagic(file: file, offset: 0, expected: "a zip archive (PK\\x03\\x04 … PK\\x05\\x06)",
                                     found: bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " "))
        }
        var count = Int(try reader.uint16LE(at: eocd + 10))
        var directorySize = Int(try reader.uint32LE(at: eocd + 12))
        var directoryOffset = Int(try reader.uint32LE(at: eocd + 16))
        if count == 0xffff || directorySize == 0xffff_ffff || directoryOffset == 0xffff_ffff {
            // zip64: a locator 20 bytes before the EOCD points at the zip64 EOCD record.
            let locator = eocd - 20
            guard locator >= 0, try reader.uint32LE(at: locator) == 0x0706_4b50 else {
                throw DataError.malformed(file: file, offset: eocd, reason: "zip64 locator missing")
            }
            let record = Int(clamping: try reader.uint64LE(at: locator + 8))
            guard try reader.uint32LE(at: record) == 0x0606_4b50 else {
                throw DataError.malformed(file: file, offset: record, reason: "zip64 end-of-directory record missing")
            }
            count = Int(clamping: try reader.uint64LE(at: record + 32))
            directorySize = Int(clamping: try reader.uint64LE(at: record + 40))
            directoryOffset = Int(clamping: try reader.uint64LE(at: record + 48))
        }
        try reader.require(directoryOffset, directorySize)
        guard count <= directorySize / 46 else {
            throw DataError.malformed(file: file, offset: eocd,
                                      reason: "\(count) directory entries do not fit a \(directorySize)-byte central directory")
        }
        var entries: [Entry] = []
        var offset = directoryOffset
        for _ in 0..<count {
            guard try reader.uint32LE(at: offset) == 0x0201_4b50 else {
                throw DataError.malformed(file: file, offset: offset, reason: "bad zip central directory entry signature")
            }
            let nameLength = Int(try reader.uint16LE(at: offset + 28))
            let extraLength = Int(try reader.uint16LE(at: offset + 30))
            let commentLength = Int(try reader.uint16LE(at: offset + 32))
            try reader.require(offset + 46, nameLength + extraLength)
            var entry = Entry(
                name: String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self),
                method: try reader.uint16LE(at: offset + 10),
                flags: try reader.uint16LE(at: offset + 8),
                crc: try reader.uint32LE(at: offset + 16),
                compressedSize: Int(try reader.uint32LE(at: offset + 20)),
                uncompressedSize: Int(try reader.uint32LE(at: offset + 24)),
                localHeaderOffset: Int(try reader.uint32LE(at: offset + 42)),
                directoryOffset: offset)
            try applyZip64Extra(&entry, extraStart: offset + 46 + nameLength, extraLength: extraLength)
            try checkSizes(entry)
            entries.append(entry)
            offset += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }

    /// Replaces 0xFFFFFFFF size/offset fields with the 64-bit values of the zip64 extra field.
    private func applyZip64Extra(_ entry: inout Entry, extraStart: Int, extraLength: Int) throws {
        var position = extraStart
        let end = extraStart + extraLength
        while position + 4 <= end {
            let id = try reader.uint16LE(at: position)
            let size = Int(try reader.uint16LE(at: position + 2))
            if id == 0x0001 {
                var field = position + 4
                func next() throws -> Int {
                    guard field + 8 <= min(position + 4 + size, end) else {
                        throw DataError.malformed(file: file, offset: position, reason: "zip64 extra field too short for \(entry.name)")
                    }
                    defer { field += 8 }
                    return Int(clamping: try reader.uint64LE(at: field))
                }
                if entry.uncompressedSize == 0xffff_ffff { entry.uncompressedSize = try next() }
                if entry.compressedSize == 0xffff_ffff { entry.compressedSize = try next() }
                if entry.localHeaderOffset == 0xffff_ffff { entry.localHeaderOffset = try next() }
            }
            position += 4 + size
        }
    }

    /// Declared sizes that this archive cannot hold, or that do not fit the memory budget, are
    /// rejected before anything is allocated for the member.
    private func checkSizes(_ entry: Entry) throws {
        let at = entry.directoryOffset
        guard entry.compressedSize <= bytes.count, entry.localHeaderOffset <= bytes.count else {
            throw DataError.malformed(file: file, offset: at,
                                      reason: "\(entry.name): compressed size \(entry.compressedSize) or offset \(entry.localHeaderOffset) "
                                          + "lies beyond the \(bytes.count)-byte archive")
        }
        try MemoryBudget.check(entry.uncompressedSize, file: file, offset: at, what: "member \(entry.name)")
        let (most, overflow) = entry.compressedSize.multipliedReportingOverflow(by: MemoryBudget.deflateRatio)
        if entry.method == 0 && entry.uncompressedSize != entry.compressedSize
            || entry.method == 8 && !overflow && entry.uncompressedSize > most + 64 {
            throw DataError.malformed(file: file, offset: at,
                                      reason: "\(entry.name) declares \(entry.uncompressedSize) bytes, which \(entry.compressedSize) "
                                          + "\(entry.method == 0 ? "stored" : "compressed") bytes cannot hold")
        }
    }

    /// The uncompressed content of an entry, CRC-checked.
    func extract(_ entry: Entry) throws -> [UInt8] {
        let member = "\(file)/\(entry.name)"
        let raw = try storedData(entry)
        let dataStart = raw.startIndex
        let content: [UInt8]
        switch entry.method {
        case 0: content = Array(raw)
        case 8: content = try Zlib.inflateRaw(raw, file: member, expectedSize: entry.uncompressedSize)
        default:
            throw DataError.unsupported(file: file, offset: entry.localHeaderOffset,
                                        reason: "\(entry.name) uses compression method \(entry.method) (only stored and deflated are supported)")
        }
        guard content.count == entry.uncompressedSize else {
            throw DataError.malformed(file: file, offset: dataStart,
                                      reason: "\(entry.name) inflates to \(content.count) bytes, directory says \(entry.uncompressedSize)")
        }
        let crc = Zlib.crc32(content[...])
        guard crc == entry.crc else {
            throw DataError.malformed(file: file, offset: dataStart,
                                      reason: "\(entry.name): CRC-32 \(String(crc, radix: 16)) does not match the directory's \(String(entry.crc, radix: 16))")
        }
        return content
    }

    /// The member's stored (possibly compressed) bytes, after its local header.
    func storedData(_ entry: Entry) throws -> ArraySlice<UInt8> {
        let local = entry.localHeaderOffset
        guard try reader.uint32LE(at: local) == 0x0403_4b50 else {
            throw DataError.malformed(file: file, offset: local, reason: "bad local header signature for \(entry.name)")
        }
        if entry.flags & 1 != 0 {
            throw DataError.unsupported(file: file, offset: local, reason: "\(entry.name) is encrypted")
        }
        let dataStart = local + 30 + Int(try reader.uint16LE(at: local + 26)) + Int(try reader.uint16LE(at: local + 28))
        try reader.require(dataStart, entry.compressedSize)
        return bytes[dataStart..<(dataStart + entry.compressedSize)]
    }
}
