import Foundation

/// Element types of the safetensors format (little-endian).
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    case BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64

    public var size: Int {
        switch self {
        case .BOOL, .U8, .I8: return 1
        case .I16, .U16, .F16, .BF16: return 2
        case .I32, .U32, .F32: return 4
        case .F64, .I64, .U64: return 8
        }
    }

    /// Position in the reference implementation's dtype enum; its writer lays tensors out by
    /// descending rank, then by name.
    var rank: Int { SafeTensorsDType.allCases.firstIndex(of: self)! }
}

/// One tensor: dtype, shape and its raw little-endian bytes.
public struct SafeTensor: Equatable, Sendable {
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public var bytes: [UInt8]
    /// Where a decoded tensor came from, for error messages; not part of its value.
    var origin: Origin?

    struct Origin: Sendable {
        var file: String
        var name: String
        /// Byte offset of the tensor's data in the file.
        var offset: Int
    }

    public init(dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    public static func == (a: SafeTensor, b: SafeTensor) -> Bool {
        a.dtype == b.dtype && a.shape == b.shape && a.bytes == b.bytes
    }

    public init(floats values: [Float], shape: [Int]) {
        #if _endian(little)
        let bytes = values.withUnsafeBytes { Array($0) }
        #else
        let bytes = values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        #endif
        self.init(dtype: .F32, shape: shape, bytes: bytes)
    }

    /// An F64 tensor (a float64 network's checkpoint).
    public init(doubles values: [Double], shape: [Int]) {
        #if _endian(little)
        let bytes = values.withUnsafeBytes { Array($0) }
        #else
        let bytes = values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        #endif
        self.init(dtype: .F64, shape: shape, bytes: bytes)
    }

    /// Values of a float tensor in float64: F64 as stored, the other float types as `floats()` reads them
    /// (widened exactly). A nan or ±inf is an error naming the tensor, the element and its byte offset.
    public func doubles() throws -> [Double] {
        guard dtype == .F64 else { return try floats().map(Double.init) }
        let values = words(8).map { Double(bitPattern: $0) }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw DataError.malformed(file: origin?.file ?? "safetensors", offset: (origin?.offset ?? 0) + bad * 8,
                                      reason: "\(described): element \(bad) is \(values[bad]); parameters must be finite")
        }
        return values
    }

    public init(int64s values: [Int64], shape: [Int]) {
        #if _endian(little)
        let bytes = values.withUnsafeBytes { Array($0) }
        #else
        let bytes = values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        #endif
        self.init(dtype: .I64, shape: shape, bytes: bytes)
    }

    /// The float types `floats()` reads.
    public static let floatTypes: [SafeTensorsDType] = [.F32, .F16, .BF16, .F64]

    /// Values of a float tensor: F32 as stored; F16 and BF16 widened (exactly); F64 rounded to the
    /// nearest float32. A nan or ±inf (also an F64 beyond float32's range) is an error naming the
    /// tensor, the element and its byte offset.
    public func floats() throws -> [Float] {
        let values: [Float]
        switch dtype {
        case .F32:
            #if _endian(little)
            var stored = [Float](repeating: 0, count: bytes.count / 4)
            stored.withUnsafeMutableBytes { target in bytes.withUnsafeBytes { target.copyMemory(from: $0) } }
            values = stored
            #else
            values = words(4).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
            #endif
        case .F16: values = words(2).map { SafeTensor.halfToFloat(UInt16(truncatingIfNeeded: $0)) }
        case .BF16: values = words(2).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0) << 16) }
        case .F64: values = words(8).map { Float(Double(bitPattern: $0)) }
        case .BOOL, .U8, .I8, .I16, .U16, .I32, .U32, .I64, .U64:
            throw DataError.unsupported(file: origin?.file ?? "safetensors", offset: origin?.offset ?? 0,
                                        reason: "\(described) has dtype \(dtype.rawValue); eqx reads parameters of dtype "
                                            + SafeTensor.floatTypes.map(\.rawValue).joined(separator: ", "))
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            let value = dtype == .F64 ? String(Double(bitPattern: words(8)[bad])) : String(values[bad])
            throw DataError.malformed(file: origin?.file ?? "safetensors", offset: (origin?.offset ?? 0) + bad * dtype.size,
                                      reason: "\(described): element \(bad) is \(value)\(dtype == .F64 ? " (not finite as float32)" : ""); "
                                          + "parameters must be finite")
        }
        return values
    }

    private var described: String { origin.map { "tensor '\($0.name)'" } ?? "tensor" }

    /// IEEE binary16 to float32, exactly (every half is a float).
    static func halfToFloat(_ half: UInt16) -> Float {
        let sign: Float = half & 0x8000 != 0 ? -1 : 1
        let exponent = Int(half >> 10 & 0x1f)
        let fraction = Float(half & 0x3ff)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction * 0x1p-10) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// Values of an I64 (or I32, widened) tensor.
    public func int64s() throws -> [Int64] {
        switch dtype {
        case .I64: return words(8).map { Int64(bitPattern: $0) }
        case .I32: return words(4).map { Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        case .BOOL, .U8, .I8, .I16, .U16, .F16, .BF16, .U32, .F32, .F64, .U64:
            throw DataError.unsupported(file: origin?.file ?? "safetensors", offset: origin?.offset ?? 0,
                                        reason: "\(described) has dtype \(dtype.rawValue) where eqx expects I64 or I32")
        }
    }

    private func words(_ size: Int) -> [UInt64] {
        stride(from: 0, to: bytes.count, by: size).map { start in
            (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[start + $1]) << (8 * UInt64($1)) }
        }
    }
}

/// The safetensors file format (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length N, N bytes of JSON header, then the tensor data.
///
/// Writing matches the reference implementation byte for byte: compact JSON, `__metadata__`
/// first (its keys sorted here; the reference leaves them in hash order), then tensors in data
/// order, which is by dtype (widest first, as the reference orders dtypes) then by name — for a
/// checkpoint of F32 tensors simply sorted by name; each entry `{"dtype","shape","data_offsets"}`;
/// the header padded with spaces to a multiple of 8 bytes so the data is 8-byte aligned.
/// Reading validates everything the format requires (offsets in range, sizes matching shapes,
/// no holes or overlaps) and names the file and byte offset in every error.
public enum SafeTensors {
    public struct Contents: Equatable, Sendable {
        public var tensors: [String: SafeTensor]
        public var metadata: [String: String]
    }

    /// The reference implementation refuses headers above 100 MB.
    static let maximumHeaderSize = 100_000_000
    /// A header is an object of objects holding flat arrays: depth 3. Deeper is hostile.
    static let maximumNesting = 8

    /// The offset of the first `[` or `{` (outside strings) deeper than `limit`, if any.
    static func nestingBeyond(_ limit: Int, _ json: ArraySlice<UInt8>) -> Int? {
        var depth = 0, inString = false, escaped = false
        for (index, byte) in zip(json.indices, json) {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                depth += 1
                if depth > limit { return index }
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                depth -= 1
            }
        }
        return nil
    }

    public static func encode(_ tensors: [String: SafeTensor], metadata: [String: String] = [:]) throws -> [UInt8] {
        for (name, tensor) in tensors {
            guard name != "__metadata__" else { throw DataError.invalidArgument("'__metadata__' cannot name a tensor") }
            guard tensor.shape.allSatisfy({ $0 >= 0 }), let count = checkedProduct(tensor.shape),
                  count * tensor.dtype.size == tensor.bytes.count else {
                throw DataError.invalidArgument(
                    "tensor '\(name)': \(tensor.bytes.count) bytes do not hold shape \(tensor.shape) of \(tensor.dtype.rawValue)")
            }
        }
        let order = tensors.keys.sorted { a, b in
            let (ra, rb) = (tensors[a]!.dtype.rank, tensors[b]!.dtype.rank)
            if ra != rb { return ra > rb }
            return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        }
        var header = "{"
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = CanonicalJSON.sortedKeys(metadata).map { CanonicalJSON.quoted($0) + ":" + CanonicalJSON.quoted(metadata[$0]!) }
            entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in order {
            let tensor = tensors[name]!
            let end = offset + tensor.bytes.count
            entries.append(CanonicalJSON.quoted(name) + ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":["
                           + tensor.shape.map(String.init).joined(separator: ",")
                           + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += entries.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)
        var out = [UInt8]()
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out += headerBytes
        for name in order { out += tensors[name]!.bytes }
        return out
    }

    /// Encodes and writes atomically.
    public static func write(_ tensors: [String: SafeTensor], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(Data(encode(tensors, metadata: metadata)), to: url)
    }

    public static func read(_ url: URL) throws -> Contents {
        try decode(FileContent.readRaw(url), file: url.path)
    }

    public static func decode(_ bytes: [UInt8], file: String) throws -> Contents {
        let reader = ByteReader(bytes: bytes, name: file)
        let declared = try reader.uint64LE(at: 0)
        guard declared <= UInt64(maximumHeaderSize) else {
            throw DataError.malformed(file: file, offset: 0, reason: "header length \(declared) exceeds \(maximumHeaderSize) bytes")
        }
        let headerSize = Int(declared)
        try reader.require(8, headerSize)
        let headerBytes = bytes[8..<(8 + headerSize)]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw DataError.malformed(file: file, offset: 8, reason: "header does not start with '{'")
        }
        if let deep = nestingBeyond(maximumNesting, headerBytes) {
            throw DataError.malformed(file: file, offset: deep, reason: "header nests deeper than \(maximumNesting) levels")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(headerBytes), options: [])
        } catch {
            throw DataError.malformed(file: file, offset: 8, reason: "header is not valid JSON: \(error.localizedDescription)")
        }
        guard let object = json as? [String: Any] else {
            throw DataError.malformed(file: file, offset: 8, reason: "header is not a JSON object")
        }
        let dataStart = 8 + headerSize
        let bufferSize = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var tensors: [String: SafeTensor] = [:]
        var spans: [(begin: Int, end: Int, name: String)] = []
        for (name, entry) in object {
            if name == "__metadata__" {
                guard let pairs = entry as? [String: Any] else {
                    throw DataError.malformed(file: file, offset: 8, reason: "__metadata__ is not an object")
                }
                for (key, value) in pairs {
                    guard let text = value as? String else {
                        throw DataError.malformed(file: file, offset: 8, reason: "__metadata__ value of '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            guard let info = entry as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shapeValues = info["shape"] as? [Any],
                  let offsetValues = info["data_offsets"] as? [Any], offsetValues.count == 2 else {
                throw DataError.malformed(file: file, offset: 8, reason: "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw DataError.unsupported(file: file, offset: 8, reason: "tensor '\(name)' has dtype \(dtypeName)")
            }
            guard let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }),
                  let offsets = integers(offsetValues), offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw DataError.malformed(file: file, offset: 8, reason: "tensor '\(name)' has a bad shape or data_offsets")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard end <= bufferSize else {
                throw DataError.truncated(file: file, offset: dataStart + min(begin, bufferSize),
                                          needed: end - min(begin, bufferSize), available: bufferSize - min(begin, bufferSize))
            }
            let needed = checkedProduct(shape + [dtype.size])
            guard needed == end - begin else {
                throw DataError.malformed(file: file, offset: dataStart + begin,
                                          reason: "tensor '\(name)' spans \(end - begin) bytes but shape \(shape) of \(dtypeName) needs \(needed.map(String.init) ?? "more")")
            }
            var tensor = SafeTensor(dtype: dtype, shape: shape, bytes: Array(bytes[(dataStart + begin)..<(dataStart + end)]))
            tensor.origin = SafeTensor.Origin(file: file, name: name, offset: dataStart + begin)
            tensors[name] = tensor
            spans.append((begin, end, name))
        }
        // The data must be covered exactly: no holes, no overlaps.
        var covered = 0
        for span in spans.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard span.begin == covered else {
                let what = span.begin < covered ? "overlaps the previous tensor" : "leaves a hole of \(span.begin - covered) bytes before it"
                throw DataError.malformed(file: file, offset: dataStart + span.begin, reason: "tensor '\(span.name)' \(what)")
            }
            covered = span.end
        }
        guard covered == bufferSize else {
            throw DataError.malformed(file: file, offset: dataStart + covered,
                                      reason: "\(bufferSize - covered) bytes after the last tensor")
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let number = value as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 9.0e15 else { return nil }
            result.append(number.intValue)
        }
        return result
    }
}
