import Foundation

/// A JSON document model whose text form is canonical: identical values give identical bytes.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// The canonical text of a `JSONValue`:
/// - object keys sorted by their UTF-8 bytes;
/// - integers in decimal; doubles in the shortest form that round-trips (Swift's float printing),
///   always with a `.` or an exponent (`1.0`, `0.1`, `1e-7`, `1.5e+20` → `1.5e20`), and `null`
///   for NaN and ±infinity, which JSON cannot express;
/// - strings escaped minimally (`"`, `\`, control characters), other characters as UTF-8;
/// - pretty form: two-space indentation, one member per line, arrays of scalars on one line
///   (`[1, 2, 3]`), a final newline. Compact form: no whitespace at all.
public enum CanonicalJSON {
    public static func encode(_ value: JSONValue, pretty: Bool = true) -> String {
        var out = ""
        write(value, into: &out, indent: pretty ? 0 : nil)
        if pretty { out += "\n" }
        return out
    }

    /// Writes the pretty form atomically.
    public static func write(_ value: JSONValue, to url: URL) throws {
        try AtomicFile.write(encode(value), to: url)
    }

    /// The number format shared with CSV output; nil for non-finite values.
    public static func number(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        let text = value.description
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        // Normalise the exponent: no "+", no leading zeros ("1e-07" → "1e-7").
        let mantissa = text[..<e]
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "-" { sign = "-"; exponent = exponent.dropFirst() }
        if exponent.first == "+" { exponent = exponent.dropFirst() }
        let digits = exponent.drop(while: { $0 == "0" })
        return "\(mantissa)e\(sign)\(digits.isEmpty ? "0" : String(digits))"
    }

    /// A JSON string literal (with quotes), escaping as serde_json and Python's json do with
    /// `ensure_ascii=False`: `\"`, `\\`, `\b \f \n \r \t`, other controls as `\u00XX`.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Keys in canonical order (by UTF-8 bytes, independent of locale and Unicode normalisation).
    static func sortedKeys<V>(_ object: [String: V]) -> [String] {
        object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: return false
        default: return true
        }
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: Int?) {
        switch value {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d):
            if let text = number(d) {
                out += text.contains(where: { $0 == "." || $0 == "e" }) ? text : text + ".0"
            } else {
                out += "null"
            }
        case let .string(s): out += quoted(s)
        case let .array(items):
            guard let indent, !items.isEmpty else {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," }
                    write(item, into: &out, indent: nil)
                }
                out += "]"
                return
            }
            if items.allSatisfy(isScalar) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    write(item, into: &out, indent: indent)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                write(item, into: &out, indent: indent + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case let .object(members):
            let keys = sortedKeys(members)
            guard let indent, !keys.isEmpty else {
                out += "{"
                for (i, key) in keys.enumerated() {
                    if i > 0 { out += "," }
                    out += quoted(key) + ":"
                    write(members[key]!, into: &out, indent: nil)
                }
                out += "}"
                return
            }
            out += "{\n"
            for (i, key) in keys.enumerated() {
                out += String(repeating: "  ", count: indent + 1) + quoted(key) + ": "
                write(members[key]!, into: &out, indent: indent + 1)
                out += i + 1 < keys.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        }
    }
}
