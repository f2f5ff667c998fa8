/// Diagnostics for tools (`--diagnostics-format json`): one JSON array, one object per line, fields in a fixed
/// order. Lines and columns are 1-based; `end_line`/`end_column` point just past the range (exclusive).
/// Absent values are `null`.
///
///     [{"id": "E0203", "severity": "error", "message": "…", "file": "a.eqx", "line": 3, "column": 10,
///       "end_line": 3, "end_column": 11, "label": "…", "notes": [{"message": "…", "file": "a.eqx",
///       "line": 2, "column": 1}], "help": null, "fixits": [{"line": 3, "column": 10, "end_line": 3,
///       "end_column": 10, "replacement": "= "}]}]
public enum DiagnosticJSON {
    public static func encode(_ diagnostics: [Diagnostic], file: SourceFile) -> String {
        if diagnostics.isEmpty { return "[]\n" }
        return "[\n" + diagnostics.map { "  " + object($0, file) }.joined(separator: ",\n") + "\n]\n"
    }

    static func object(_ d: Diagnostic, _ file: SourceFile) -> String {
        var fields: [(String, String)] = [
            ("id", string(d.id)), ("severity", string(d.severity.rawValue)), ("message", string(d.message)),
            ("file", string(file.name)),
        ]
        if let r = d.range {
            let s = file.location(of: r.start), e = file.location(of: r.end)
            fields += [("line", "\(s.line)"), ("column", "\(s.column)"), ("end_line", "\(e.line)"), ("end_column", "\(e.column)")]
        } else {
            fields += [("line", "null"), ("column", "null"), ("end_line", "null"), ("end_column", "null")]
        }
        fields.append(("label", d.label.map(string) ?? "null"))
        let notes = d.notes.map { n -> String in
            var f: [(String, String)] = [("message", string(n.message))]
            if let r = n.range {
                let s = file.location(of: r.start)
                f += [("file", string(file.name)), ("line", "\(s.line)"), ("column", "\(s.column)")]
            } else {
                f += [("file", "null"), ("line", "null"), ("column", "null")]
            }
            return render(f)
        }
        fields.append(("notes", "[" + notes.joined(separator: ", ") + "]"))
        fields.append(("help", d.help.map(string) ?? "null"))
        let fixits = d.fixIts.map { fix -> String in
            let s = file.location(of: fix.range.start), e = file.location(of: fix.range.end)
            return render([("line", "\(s.line)"), ("column", "\(s.column)"), ("end_line", "\(e.line)"),
                           ("end_column", "\(e.column)"), ("replacement", string(fix.replacement))])
        }
        fields.append(("fixits", "[" + fixits.joined(separator: ", ") + "]"))
        return render(fields)
    }

    static func render(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    public static func string(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where ch.value < 0x20 || ch.value == 0x7F:
                let hex = String(ch.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
