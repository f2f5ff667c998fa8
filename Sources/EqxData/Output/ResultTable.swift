import Foundation

/// A titled table of results, rendered as CSV (one file per table) and as JSON (in results.json).
public struct ResultTable: Equatable, Sendable {
    public enum Value: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
                       ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
        case int(Int)
        case double(Double)
        case string(String)
        case bool(Bool)
        case null

        public init(integerLiteral value: Int) { self = .int(value) }
        public init(floatLiteral value: Double) { self = .double(value) }
        public init(stringLiteral value: String) { self = .string(value) }
        public init(booleanLiteral value: Bool) { self = .bool(value) }
        public init(nilLiteral: ()) { self = .null }

        public var json: JSONValue {
            switch self {
            case let .int(i): return .int(i)
            case let .double(d): return .double(d)
            case let .string(s): return .string(s)
            case let .bool(b): return .bool(b)
            case .null: return .null
            }
        }

        /// The CSV cell text: numbers as in JSON (`NaN`, `inf`, `-inf` for non-finite doubles,
        /// which pandas and Python's float() read back), null as an empty cell.
        public var csvText: String {
            switch self {
            case let .int(i): return String(i)
            case let .double(d):
                if d.isNaN { return "NaN" }
                if d.isInfinite { return d > 0 ? "inf" : "-inf" }
                let text = CanonicalJSON.number(d)!
                return text.contains(where: { $0 == "." || $0 == "e" }) ? text : text + ".0"
            case let .string(s): return s
            case let .bool(b): return b ? "true" : "false"
            case .null: return ""
            }
        }
    }

    public var title: String
    public var columns: [String]
    public private(set) var rows: [[Value]]

    /// Throws if a row's length differs from the number of columns.
    public init(title: String, columns: [String], rows: [[Value]] = []) throws {
        self.title = title
        self.columns = columns
        self.rows = []
        for row in rows { try append(row) }
    }

    public mutating func append(_ row: [Value]) throws {
        guard row.count == columns.count else {
            throw DataError.invalidArgument("table '\(title)': row of \(row.count) values for \(columns.count) columns")
        }
        rows.append(row)
    }

    /// RFC 4180: CRLF line ends (including after the last record), a header record, fields
    /// quoted when they contain a comma, quote, CR or LF, quotes doubled inside quoted fields.
    public func csv() -> String {
        var lines = [columns.map(ResultTable.csvField).joined(separator: ",")]
        for row in rows { lines.append(row.map { ResultTable.csvField($0.csvText) }.joined(separator: ",")) }
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// `{"columns": [...], "rows": [[...], ...], "title": "..."}`.
    public var json: JSONValue {
        .object([
            "title": .string(title),
            "columns": .array(columns.map(JSONValue.string)),
            "rows": .array(rows.map { .array($0.map(\.json)) }),
        ])
    }

    public func writeCSV(to url: URL) throws {
        try AtomicFile.write(csv(), to: url)
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
