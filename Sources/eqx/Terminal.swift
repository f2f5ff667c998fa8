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

    /// Columns of the terminal on standard output: its window size, else `COLUMNS`, else nil (no limit, as
    /// for a log file).
    static var width: Int? {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        var size = winsize()
        if standardOutputIsTerminal, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return nil
    }

    /// A result table as aligned text that never wraps: a one-row table prints as `name: value` lines; a
    /// table wider than `width` is printed transposed (a line per column) when that fits, else split into
    /// blocks of columns that each repeat the row names.
    static func render(_ table: ResultTable, width: Int? = Terminal.width) -> String {
        func text(_ v: ResultTable.Value) -> String {
            switch v {
            case .double(let d): return formatNumber(d)
            default: return v.csvText
            }
        }
        var out = bold("report " + table.title) + "\n"  // like `train small`: the statement, then its name
        if table.rows.count == 1 {
            let nameWidth = table.columns.map(\.count).max() ?? 0
            for (c, v) in zip(table.columns, table.rows[0]) {
                out += "  " + c.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + text(v) + "\n"
            }
            return out
        }
        let grid = [table.columns] + table.rows.map { $0.map(text) }
        guard let limit = width, lineWidth(grid) > limit else { return out + aligned(grid) }
        // Transposed: one line per column, one column per row.
        let transposed = table.columns.indices.map { c in grid.map { $0[c] } }
        if lineWidth(transposed) <= limit { return out + aligned(transposed) }
        // Split: blocks of columns, each with the first (row-name) column in front.
        let widths = table.columns.indices.map { c in grid.map { $0[c].count }.max() ?? 0 }
        var blocks: [[Int]] = []
        var current: [Int] = [], used = 2 + widths[0]
        for c in table.columns.indices.dropFirst() {
            if !current.isEmpty && used + 2 + widths[c] > limit { blocks.append(current); current = []; used = 2 + widths[0] }
            current.append(c); used += 2 + widths[c]
        }
        if !current.isEmpty { blocks.append(current) }
        for (i, block) in blocks.enumerated() {
            if i > 0 { out += "\n" }
            out += dim("  columns \(block.first! + 1)–\(block.last! + 1) of \(table.columns.count)") + "\n"
            out += aligned(grid.map { row in [row[0]] + block.map { row[$0] } })
        }
        return out
    }

    /// Characters of the widest line `aligned` prints for `grid`.
    private static func lineWidth(_ grid: [[String]]) -> Int {
        guard let first = grid.first else { return 0 }
        return 2 + first.indices.map { c in grid.map { $0[c].count }.max() ?? 0 }.reduce(0, +) + 2 * max(0, first.count - 1)
    }

    /// The first row of `grid` as a header over a rule, the other rows under it, columns padded to align.
    private static func aligned(_ grid: [[String]]) -> String {
        guard let header = grid.first else { return "" }
        let widths = header.indices.map { c in grid.map { $0[c].count }.max() ?? 0 }
        func line(_ values: [String]) -> String {
            "  " + zip(values, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        var out = line(header)
        out += "  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        for r in grid.dropFirst() { out += line(r) }
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
