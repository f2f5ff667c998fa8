/// A minimal reader for POSIX ustar / GNU tar archives held in memory: regular files and
/// directories, GNU long names (`L`) and pax `path=` records; header checksums are verified.
public enum Tar {
    public struct Entry: Equatable, Sendable {
        public var name: String
        /// The type flag: `0` (or NUL) regular file, `5` directory, others passed through.
        public var type: UInt8
        public var contents: ArraySlice<UInt8>
        public var isRegularFile: Bool { type == UInt8(ascii: "0") || type == 0 }
    }

    /// All entries in archive order; `file` names the archive in errors.
    public static func entries(_ bytes: [UInt8], file: String) throws -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        var pendingName: String?
        while true {
            guard offset + 512 <= bytes.count else {
                if offset == bytes.count && offset > 0 { return entries }   // no end marker, but whole
                throw DataError.truncated(file: file, offset: offset, needed: 512, available: bytes.count - offset)
            }
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { return entries }
            let stored = try octal(header, at: 148, length: 8, file: file, offset: offset)
            let sum = header.enumerated().reduce(0) { total, item in
                total + ((148..<156).contains(item.offset) ? 0x20 : Int(item.element))
            }
            guard sum == stored else {
                throw DataError.malformed(file: file, offset: offset,
                                          reason: "tar header checksum \(stored) does not match computed \(sum)")
            }
            let size = try octal(header, at: 124, length: 12, file: file, offset: offset)
            let type = header[header.startIndex + 156]
            let dataStart = offset + 512
            guard size <= bytes.count - dataStart else {
                throw DataError.truncated(file: file, offset: dataStart, needed: size, available: bytes.count - dataStart)
            }
            let contents = bytes[dataStart..<(dataStart + size)]
            offset = dataStart + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "L"):
                pendingName = string(contents)
            case UInt8(ascii: "x"):
                pendingName = paxPath(contents) ?? pendingName
            case UInt8(ascii: "g"):
                continue
            default:
                let start = header.startIndex
                var name = string(header[start..<(start + 100)])
                if string(header[(start + 257)..<(start + 262)]) == "ustar" {
                    let prefix = string(header[(start + 345)..<(start + 500)])
                    if !prefix.isEmpty { name = prefix + "/" + name }
                }
                entries.append(Entry(name: pendingName ?? name, type: type, contents: contents))
                pendingName = nil
            }
        }
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    private static func octal(_ header: ArraySlice<UInt8>, at field: Int, length: Int, file: String, offset: Int) throws -> Int {
        let start = header.startIndex + field
        let raw = header[start..<(start + length)]
        if let first = raw.first, first & 0x80 != 0 {
            // GNU base-256 for large sizes; more than fits an Int (or a negative value) is hostile.
            var value = Int(first & 0x7f)
            for byte in raw.dropFirst() {
                guard value >> 55 == 0 else {
                    throw DataError.malformed(file: file, offset: offset + field, reason: "tar header size field overflows")
                }
                value = value << 8 | Int(byte)
            }
            return value
        }
        let text = string(raw).trimmingSpaces()
        guard !text.isEmpty, let value = Int(text, radix: 8), value >= 0 else {
            throw DataError.malformed(file: file, offset: offset + field, reason: "tar header field '\(text)' is not octal")
        }
        return value
    }

    /// The `path` value of a pax extended header ("<len> path=<value>\n" records).
    private static func paxPath(_ contents: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: contents, as: UTF8.self)
        for record in text.split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let pair = record[record.index(after: space)...]
            if pair.hasPrefix("path=") { return String(pair.dropFirst(5)) }
        }
        return nil
    }
}

private extension String {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
