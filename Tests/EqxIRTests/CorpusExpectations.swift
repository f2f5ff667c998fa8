import EqxSyntax

/// What a corpus file says the front end must report, in comments. Two forms, mixed freely:
/// - `# expect-error: E0301 12:9`, `# expect-warning: W0501 8:3` (`-` for no position), `# expect: ok`;
/// - a caret line under the line it marks: `#   ^ E0408` is an error (`W…`: a warning) at the caret's
///   column of the nearest line above that is not itself a caret line.
struct CorpusExpectations {
    var ok = false
    /// `error E0301 12:9` per expected diagnostic.
    var diagnostics: [String] = []

    init(_ file: SourceFile) {
        var marked = 0   // the last line that is not a caret line
        for lineNumber in 1...file.lineStarts.count {
            let raw = file.lineText(lineNumber)
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line == "# expect: ok" { ok = true }
            if line.hasPrefix("# expect-error: ") { diagnostics.append("error " + line.dropFirst("# expect-error: ".count)) }
            if line.hasPrefix("# expect-warning: ") { diagnostics.append("warning " + line.dropFirst("# expect-warning: ".count)) }
            if let caret = CorpusExpectations.caret(raw), marked > 0 {
                let severity = caret.id.hasPrefix("W") ? "warning" : "error"
                diagnostics.append("\(severity) \(caret.id) \(marked):\(caret.column)")
            } else {
                marked = lineNumber
            }
        }
    }

    /// `#   ^ E0408` → column 5, id E0408.
    static func caret(_ line: String) -> (column: Int, id: String)? {
        let chars = Array(line)
        guard chars.first == "#", let i = chars.firstIndex(of: "^"), chars[1..<i].allSatisfy({ $0 == " " }) else { return nil }
        let id = String(chars[(i + 1)...]).trimmingCharacters(in: .whitespaces)
        guard id.count == 5, id.first == "E" || id.first == "W" else { return nil }
        return (i + 1, id)
    }
}
