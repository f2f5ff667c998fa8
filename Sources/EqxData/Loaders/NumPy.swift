import Foundation

/// An n-dimensional array read from a NumPy file, converted to Float (C order).
public struct NDArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]
    /// The NumPy type descriptor it was stored as (e.g. `<f4`, `|u1`, `<i8`).
    public var dtype: String
    /// Where it came from (file, or `archive.npz/member.npy`), for error messages.
    public var source: String
    /// Byte offset of element 0 in `source` and the size of one stored element, so errors about
    /// an element can name its byte offset.
    public var dataOffset: Int
    public var itemSize: Int

    public init(shape: [Int], values: [Float], dtype: String = "<f4", source: String = "array",
                dataOffset: Int = 0, itemSize: Int = 4) {
        self.shape = shape
        self.values = values
        self.dtype = dtype
        self.source = source
        self.dataOffset = dataOffset
        self.itemSize = itemSize
    }
}

/// NumPy `.npy` files (format versions 1, 2 and 3): little- or big-endian float32, float64,
/// uint8, int8, int32, int64 and bool, C order. Fortran order and structured types are rejected.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    public static func read(_ url: URL) throws -> NDArray {
        let (header, length) = try header(checkedAgainst: url)
        let file = try FileContent.read(url, maximum: header.dataOffset + length, reason: "its npy header")
        return try parse(file.bytes, file: file.name)
    }

    /// The longest header `probe` reads: version 1 headers are at most 65,535 bytes.
    static let probeLength = 65_536 + 12

    /// The header of `url` and its data length, after checking that the file holds exactly that
    /// much data (and that it fits the memory budget as floats); reads only the header.
    static func header(checkedAgainst url: URL) throws -> (header: Header, dataLength: Int) {
        let head = try FileContent.read(url, limit: probeLength)
        let header = try parseHeader(head.bytes, file: head.name)
        let length = try dataLength(header, file: head.name)
        try head.checkDeclared(header.dataOffset + length, offset: header.headerStart, start: header.dataOffset, what: "an array of shape \(header.shape) of '\(header.descr)'")
        return (header, length)
    }

    /// The byte length of the array data, checked against the memory budget (also as floats).
    static func dataLength(_ header: Header, file: String) throws -> Int {
        guard let count = checkedProduct(header.shape), let length = checkedProduct([count, header.itemSize]) else {
            throw DataError.malformed(file: file, offset: header.headerStart, reason: "shape \(header.shape) is too large")
        }
        try MemoryBudget.check(count, itemSize: MemoryLayout<Float>.size, file: file, offset: header.headerStart,
                               what: "an array of shape \(header.shape) as floats")
        return length
    }

    /// Parses the bytes of a `.npy` file; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> NDArray {
        let header = try parseHeader(bytes, file: file)
        let length = try dataLength(header, file: file)
        try ByteReader(bytes: bytes, name: file).require(header.dataOffset, length)
        if bytes.count > header.dataOffset + length {
            throw DataError.malformed(file: file, offset: header.dataOffset + length,
                                      reason: "\(bytes.count - header.dataOffset - length) bytes after the array data")
        }
        let values = decode(bytes[header.dataOffset..<(header.dataOffset + length)], header: header)
        return NDArray(shape: header.shape, values: values, dtype: header.descr, source: file,
                       dataOffset: header.dataOffset, itemSize: header.itemSize)
    }

    /// A version 1.0 `.npy` file holding `values` as little-endian float32.
    public static func encode(shape: [Int], values: [Float]) -> [UInt8] {
        NPYWriter.float32(shape: shape, values: values)
    }

    struct Header {
        var descr: String
        var kind: Character
        var itemSize: Int
        var bigEndian: Bool
        var shape: [Int]
        /// Where the header dictionary starts (errors about its fields cite it).
        var headerStart: Int
        var dataOffset: Int
    }

    /// Reads the magic, version and header dictionary (works on a prefix of the file).
    static func parseHeader(_ bytes: [UInt8], file: String) throws -> Header {
        let reader = ByteReader(bytes: bytes, name: file)
        try reader.require(0, 6)
        guard Array(bytes[0..<6]) == magic else {
            throw DataError.badMagic(file: file, offset: 0, expected: "\\x93NUMPY",
                                     found: bytes[0..<6].map { String(format: "%02x", $0) }.joined(separator: " "))
        }
        try reader.require(6, 2)
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: headerLength = Int(try reader.uint16LE(at: 8)); headerStart = 10
        case 2, 3: headerLength = Int(try reader.uint32LE(at: 8)); headerStart = 12
        default:
            throw DataError.unsupported(file: file, offset: 6, reason: "npy format version \(major).\(bytes[7])")
        }
        try reader.require(headerStart, headerLength)
        let text = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        var parser = PythonLiteralParser(text: text, file: file, baseOffset: headerStart)
        guard case let .dict(entries) = try parser.parse() else {
            throw DataError.malformed(file: file, offset: headerStart, reason: "npy header is not a dictionary")
        }
        guard case let .string(descr)? = entries["descr"] else {
            throw DataError.unsupported(file: file, offset: headerStart,
                                        reason: "npy 'descr' must be a simple type string (structured arrays are not supported)")
        }
        guard case let .bool(fortran)? = entries["fortran_order"] else {
            throw DataError.malformed(file: file, offset: headerStart, reason: "npy header lacks 'fortran_order'")
        }
        if fortran {
            throw DataError.unsupported(file: file, offset: headerStart,
                                        reason: "Fortran-order array; save it in C order (numpy.ascontiguousarray)")
        }
        guard case let .tuple(dims)? = entries["shape"] else {
            throw DataError.malformed(file: file, offset: headerStart, reason: "npy header lacks a 'shape' tuple")
        }
        var shape = [Int]()
        for dim in dims {
            guard case let .int(n) = dim, n >= 0 else {
                throw DataError.malformed(file: file, offset: headerStart, reason: "npy shape \(text) has a non-integer dimension")
            }
            shape.append(n)
        }
        let chars = Array(descr)
        let supported: [String: Int] = ["f4": 4, "f8": 8, "u1": 1, "i1": 1, "b1": 1, "i4": 4, "i8": 8]
        guard chars.count >= 3, "<>|=".contains(chars[0]), let size = supported[String(chars[1...])] else {
            throw DataError.unsupported(file: file, offset: headerStart,
                                        reason: "dtype '\(descr)' (supported: float32, float64, uint8, int8, int32, int64, bool)")
        }
        return Header(descr: descr, kind: chars[1], itemSize: size, bigEndian: chars[0] == ">",
                      shape: shape, headerStart: headerStart, dataOffset: headerStart + headerLength)
    }

    static func decode(_ raw: ArraySlice<UInt8>, header: Header) -> [Float] {
        let size = header.itemSize
        let count = raw.count / size
        var values = [Float](repeating: 0, count: count)
        #if _endian(little)
        if header.kind == "f", size == 4, !header.bigEndian {
            values.withUnsafeMutableBytes { target in
                raw.withUnsafeBytes { source in target.copyMemory(from: source) }
            }
            return values
        }
        #endif
        raw.withUnsafeBufferPointer { buffer in
            func word(_ i: Int) -> UInt64 {
                var v: UInt64 = 0
                for k in 0..<size {
                    let byte = UInt64(buffer[i * size + (header.bigEndian ? k : size - 1 - k)])
                    v = v << 8 | byte
                }
                return v
            }
            for i in 0..<count {
                switch (header.kind, size) {
                case ("f", 4): values[i] = Float(bitPattern: UInt32(word(i)))
                case ("f", 8): values[i] = Float(Double(bitPattern: word(i)))
                case ("u", 1), ("b", 1): values[i] = Float(buffer[i])
                case ("i", 1): values[i] = Float(Int8(bitPattern: buffer[i]))
                case ("i", 4): values[i] = Float(Int32(bitPattern: UInt32(word(i))))
                case ("i", 8): values[i] = Float(Int64(bitPattern: word(i)))
                default: preconditionFailure("dtype checked in parseHeader")
                }
            }
        }
        return values
    }
}

/// The subset of Python literal syntax that npy headers use: dicts, tuples, lists, strings,
/// integers, True/False/None.
struct PythonLiteralParser {
    indirect enum Value: Equatable {
        case dict([String: Value])
        case tuple([Value])
        case string(String)
        case int(Int)
        case bool(Bool)
        case none
    }

    /// numpy writes a flat dict holding one tuple; anything deeper is hostile (and would
    /// otherwise recurse until the stack overflows).
    static let maximumDepth = 16

    let characters: [Character]
    let file: String
    let baseOffset: Int
    var position = 0
    var depth = 0

    init(text: String, file: String, baseOffset: Int) {
        characters = Array(text)
        self.file = file
        self.baseOffset = baseOffset
    }

    mutating func parse() throws -> Value {
        let value = try parseValue()
        skipSpace()
        guard position == characters.count else { throw failure("unexpected text after the header dictionary") }
        return value
    }

    private func failure(_ reason: String) -> DataError {
        .malformed(file: file, offset: baseOffset + position, reason: "npy header: \(reason)")
    }

    private mutating func skipSpace() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    private mutating func parseValue() throws -> Value {
        skipSpace()
        guard position < characters.count else { throw failure("unexpected end") }
        guard depth < PythonLiteralParser.maximumDepth else {
            throw failure("nested more than \(PythonLiteralParser.maximumDepth) levels deep")
        }
        depth += 1
        defer { depth -= 1 }
        let c = characters[position]
        switch c {
        case "{":
            position += 1
            var entries: [String: Value] = [:]
            while true {
                skipSpace()
                if position < characters.count, characters[position] == "}" { position += 1; return .dict(entries) }
                guard case let .string(key) = try parseValue() else { throw failure("dictionary key must be a string") }
                skipSpace()
                guard position < characters.count, characters[position] == ":" else { throw failure("expected ':'") }
                position += 1
                entries[key] = try parseValue()
                skipSpace()
                if position < characters.count, characters[position] == "," { position += 1 }
                else if position < characters.count, characters[position] == "}" { continue }
                else { throw failure("expected ',' or '}'") }
            }
        case "(", "[":
            let close: Character = c == "(" ? ")" : "]"
            position += 1
            var items: [Value] = []
            while true {
                skipSpace()
                if position < characters.count, characters[position] == close { position += 1; return .tuple(items) }
                items.append(try parseValue())
                skipSpace()
                if position < characters.count, characters[position] == "," { position += 1 }
                else if position < characters.count, characters[position] == close { continue }
                else { throw failure("expected ',' or '\(close)'") }
            }
        case "'", "\"":
            position += 1
            var text = ""
            while position < characters.count, characters[position] != c {
                text.append(characters[position])
                position += 1
            }
            guard position < characters.count else { throw failure("unterminated string") }
            position += 1
            return .string(text)
        default:
            var word = ""
            while position < characters.count, characters[position].isLetter || characters[position].isNumber
                    || characters[position] == "-" || characters[position] == "_" {
                word.append(characters[position])
                position += 1
            }
            if word.hasSuffix("L") { word.removeLast() }   // Python 2 long literals
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                guard let n = Int(word) else { throw failure("unexpected '\(word.isEmpty ? String(c) : word)'") }
                return .int(n)
            }
        }
    }
}
