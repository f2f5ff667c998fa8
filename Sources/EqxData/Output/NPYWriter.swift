import Foundation

/// Writes `.npy` files (format 1.0, C order, little-endian) that `numpy.load` reads without pickle:
/// plain float32 and int64 arrays, and one-dimensional structured arrays of named fields.
public enum NPYWriter {
    /// One field of a structured record: a scalar (`shape` empty) or a fixed-size sub-array.
    public struct Field: Equatable, Sendable {
        public enum Kind: Equatable, Sendable { case int64, float32 }
        public var name: String
        public var kind: Kind
        public var shape: [Int]
        public init(name: String, kind: Kind, shape: [Int] = []) {
            self.name = name; self.kind = kind; self.shape = shape
        }
        var count: Int { shape.reduce(1, *) }
        var descr: String {
            let type = kind == .int64 ? "<i8" : "<f4"
            return shape.isEmpty ? "('\(name)', '\(type)')" : "('\(name)', '\(type)', \(tuple(shape)))"
        }
    }

    public static func float32(shape: [Int], values: [Float]) -> [UInt8] {
        var bytes = header(descr: "'<f4'", shape: shape)
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for v in values { append(v.bitPattern, to: &bytes) }
        return bytes
    }

    public static func int64(shape: [Int], values: [Int]) -> [UInt8] {
        var bytes = header(descr: "'<i8'", shape: shape)
        bytes.reserveCapacity(bytes.count + 8 * values.count)
        for v in values { append(UInt64(bitPattern: Int64(v)), to: &bytes) }
        return bytes
    }

    /// A record array of `count` records; `ints` and `floats` hold each record's int64 and float32
    /// values in field order (all of a record's values of one kind, then the next record's).
    public static func records(_ fields: [Field], count: Int, ints: [Int], floats: [Float]) -> [UInt8] {
        let descr = "[" + fields.map(\.descr).joined(separator: ", ") + "]"
        var bytes = header(descr: descr, shape: [count])
        let intsPer = fields.filter { $0.kind == .int64 }.map(\.count).reduce(0, +)
        let floatsPer = fields.filter { $0.kind == .float32 }.map(\.count).reduce(0, +)
        precondition(ints.count == intsPer * count && floats.count == floatsPer * count, "record values do not fit the fields")
        for r in 0..<count {
            var i = r * intsPer, f = r * floatsPer
            for field in fields {
                for _ in 0..<field.count {
                    switch field.kind {
                    case .int64: append(UInt64(bitPattern: Int64(ints[i])), to: &bytes); i += 1
                    case .float32: append(floats[f].bitPattern, to: &bytes); f += 1
                    }
                }
            }
        }
        return bytes
    }

    /// Magic, version 1.0, header length and the header dictionary padded to a multiple of 64 bytes.
    static func header(descr: String, shape: [Int]) -> [UInt8] {
        var dict = "{'descr': \(descr), 'fortran_order': False, 'shape': \(tuple(shape)), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = dict.utf8.count
        return NPY.magic + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(dict.utf8)
    }

    static func tuple(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
