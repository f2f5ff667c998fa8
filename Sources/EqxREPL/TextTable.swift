import Foundation

/// Aligned plain-text tables and number formatting for the REPL's answers.
struct TextTable {
    var columns: [String]
    var rows: [[String]] = []
    /// Columns whose cells are right-aligned (numbers).
    var rightAligned: Set<Int> = []

    init(columns: [String], rightAligned: Set<Int> = []) {
        self.columns = columns
        self.rightAligned = rightAligned
    }

    mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "a table row needs \(columns.count) cells")
        rows.append(row)
    }

    /// Two-space indented lines: a header, a rule, the rows. Widths count Unicode scalars.
    func render(indent: String = "  ") -> String {
        let widths = columns.indices.map { i in
            max(columns[i].unicodeScalars.count, rows.map { $0[i].unicodeScalars.count }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.unicodeScalars.count)
                parts.append(rightAligned.contains(i) ? pad + cell : cell + pad)
            }
            return indent + trimmedRight(parts.joined(separator: "  ")) + "\n"
        }
        var out = line(columns)
        out += indent + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) }
        return out
    }

    private func trimmedRight(_ s: String) -> String {
        var scalars = Array(s.unicodeScalars)
        while scalars.last == " " { scalars.removeLast() }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }
}

/// Numbers as the CLI prints them: integers plainly, four decimals in the usual range, otherwise scientific.
func formatNumber(_ d: Double) -> String {
    if !d.isFinite { return d.isNaN ? "nan" : (d > 0 ? "inf" : "-inf") }
    if d == d.rounded(), abs(d) < 1e9 { return String(Int(d)) }
    let a = abs(d)
    if a >= 1e-3 && a < 1e6 { return String(format: "%.4f", d) }
    return String(format: "%.3e", d)
}

/// `[1, 8, 8]`.
func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// `7,450`: thousands separated so parameter counts read at a glance.
func formatCount(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}
