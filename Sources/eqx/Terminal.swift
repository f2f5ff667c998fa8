import EqxData
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Terminal output: colour only on a terminal and without NO_COLOR; a live progress line on a terminal,
/// plain log lines otherwise.
enum Terminal {
    static let standardOutputIsTerminal = isatty(1) == 1
    static let standardErrorIsTerminal = isatty(2) == 1
    static var colorOnStandardError: Bool {
        standardErrorIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
    static var colorOnStandardOutput: Bool {
        standardOutputIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    static func writeError(_ s: String) {
        FileHandle.standardError.write(s.data(using: .utf8)!)
    }

    static func error(_ message: String, help: String? = nil) {
        let head = colorOnStandardError ? "\u{1B}[1;31merror\u{1B}[0m\u{1B}[1m: " : "error: "
        let tail = colorOnStandardError ? "\u{1B}[0m" : ""
        writeError(head + message + tail + "\n" + (help.map { "  = help: \($0)\n" } ?? ""))
    }

    static func bold(_ s: String) -> String { colorOnStandardOutput ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    static func dim(_ s: String) -> String { colorOnStandardOutput ? "\u{1B}[2m\(s)\u{1B}[0m" : s }

    /// A result table as aligned text; a one-row table prints as `name: value` lines.
    static func render(_ table: ResultTable) -> String {
        func text(_ v: ResultTable.Value) -> String {
            switch v {
            case .double(let d): return formatNumber(d)
            default: return v.csvText
            }
        }
        var out = bold(table.title) + "\n"
        if table.rows.count == 1 {
            let width = table.columns.map(\.count).max() ?? 0
            for (c, v) in zip(table.columns, table.rows[0]) {
                out += "  " + c.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text(v) + "\n"
            }
            return out
        }
        let cells = table.rows.map { $0.map(text) }
        let widths = table.columns.indices.map { i in max(table.columns[i].count, cells.map { $0[i].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            "  " + zip(values, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  ") + "\n"
        }
        out += line(table.columns)
        out += "  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        for r in cells { out += line(r) }
        return out
    }

    static func formatNumber(_ d: Double) -> String {
        if !d.isFinite { return String(d) }
        if d == d.rounded(), abs(d) < 1e9 { return String(format: "%.0f", d) }
        let a = abs(d)
        if a >= 1e-3 && a < 1e6 { return String(format: "%.4f", d) }
        return String(format: "%.3e", d)
    }
}
