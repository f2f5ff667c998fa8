/// The one place diagnostics become text for people:
///
///     error[E0301]: shape mismatch in 'fc': expected input [N, 128], got [N, 64]
///       --> examples/flip.eqx:12:3
///        |
///     12 |   linear -> 10 in 128
///        |   ^^^^^^ expected [N, 128]
///        = note: the input comes from 'pool' at examples/flip.eqx:11:3
///        = help: did you mean 'relu'?
///
/// The caret underlines the range on its first line (at least one `^`); the gutter is as wide as the line
/// number. A note with a range gets ` at FILE:LINE:COL` unless its message already names that place. Fix-its
/// are listed as `= help: replace with '…'` (or insert/remove) when the diagnostic has no help text.
public struct DiagnosticRenderer: Sendable {
    public init() {}

    public func render(_ d: Diagnostic, in file: SourceFile, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        let severityColor = d.severity == .error ? Paint.red : d.severity == .warning ? Paint.yellow : Paint.cyan
        var lines: [String] = []
        lines.append(paint(d.severity.rawValue + "[\(d.id)]", severityColor, Paint.bold) + paint(": " + d.message, Paint.bold))

        var width = 1
        if let range = d.range {
            let start = file.location(of: range.start)
            let end = file.location(of: range.end)
            let number = String(start.line)
            width = number.count
            let gutter = String(repeating: " ", count: width)
            lines.append(gutter + paint("-->", Paint.blue, Paint.bold) + " \(file.name):\(start.line):\(start.column)")
            lines.append(gutter + " " + paint("|", Paint.blue, Paint.bold))
            let text = file.lineText(start.line)
            lines.append(paint(number + " |", Paint.blue, Paint.bold) + (text.isEmpty ? "" : " " + text))
            let scalars = Array(text.unicodeScalars)
            let lead = scalars.prefix(start.column - 1).map { $0 == "\t" ? "\t" : " " }.joined()
            let lineLength = scalars.count + 1
            let last = end.line == start.line ? end.column : lineLength
            let count = max(1, last - start.column)
            var underline = lead + String(repeating: "^", count: count)
            if let label = d.label { underline += " " + label }
            lines.append(gutter + " " + paint("|", Paint.blue, Paint.bold) + " " + paint(underline, severityColor, Paint.bold))
        } else {
            lines.append(String(repeating: " ", count: width) + paint("-->", Paint.blue, Paint.bold) + " \(file.name)")
        }

        let margin = String(repeating: " ", count: width) + " "
        for note in d.notes {
            var message = note.message
            if let r = note.range {
                let place = "\(file.name):\(file.location(of: r.start))"
                if !message.contains(place) { message += " at " + place }
            }
            lines.append(margin + paint("= note:", Paint.bold) + " " + message)
        }
        if let help = d.help {
            lines.append(margin + paint("= help:", Paint.bold) + " " + help)
        } else {
            for fix in d.fixIts {
                lines.append(margin + paint("= help:", Paint.bold) + " " + DiagnosticRenderer.describe(fix))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every diagnostic in order, separated by blank lines, then the summary line.
    public func render(_ diagnostics: [Diagnostic], in file: SourceFile, color: Bool = false) -> String {
        guard !diagnostics.isEmpty else { return "" }
        return diagnostics.map { render($0, in: file, color: color) }.joined(separator: "\n") + "\n"
            + Paint(enabled: color)(DiagnosticRenderer.summary(diagnostics), Paint.bold) + "\n"
    }

    static func describe(_ fix: FixIt) -> String {
        if fix.range.start == fix.range.end { return "insert '\(visible(fix.replacement))'" }
        if fix.replacement.isEmpty { return "remove this" }
        return "replace with '\(visible(fix.replacement))'"
    }

    static func visible(_ s: String) -> String {
        s.replacingNewlines()
    }

    /// "2 errors, 1 warning"; "no problems" when empty. Notes are not counted.
    public static func summary(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        var parts: [String] = []
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
        return parts.isEmpty ? "no problems" : parts.joined(separator: ", ")
    }
}

extension String {
    /// Shows line breaks in a one-line message as `\n`.
    func replacingNewlines() -> String {
        var out = ""
        for ch in unicodeScalars { if ch == "\n" { out += "\\n" } else { out.unicodeScalars.append(ch) } }
        return out
    }
}

/// ANSI styling, or nothing when disabled.
struct Paint {
    let enabled: Bool
    static let bold = "1", red = "31", yellow = "33", blue = "34", cyan = "36"

    func callAsFunction(_ text: String, _ codes: String...) -> String {
        guard enabled, !text.isEmpty else { return text }
        return "\u{1B}[" + codes.joined(separator: ";") + "m" + text + "\u{1B}[0m"
    }
}
