import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation

/// Names in a session change as in GHCi: a declaration of a name that exists shadows the old one, and
/// `:forget NAME` removes one. What used the old value keeps it — trainings, merges and reports already
/// ran on it — but only the new one can be named. `:save` renames each hidden declaration and the uses
/// that meant it (`small` → `small_1`), so the saved script is valid and `eqx run` computes the same.
extension ReplSession {
    /// `:forget NAME`.
    func forget(_ name: String) -> ReplResponse {
        var response = ReplResponse()
        guard let kind = declaration(name) else {
            let s = suggestion(for: name, among: declarations.map(\.name))
            response.errors = "error: there is no '\(name)' in the session\n"
                + "  = help: " + (s.map { "did you mean '\($0)'?" } ?? "names in the session: :info with Tab lists them") + "\n"
            response.failure = .usage
            return response
        }
        let previous = script
        script.segments.append(Segment(origin: .forget(name), text: "\n", display: SourceFile(name: "<repl>", text: "")))
        guard let checked = recheck() else {
            script = previous   // cannot happen: nothing follows the point where the name goes away
            response.errors = "error: '\(name)' cannot be forgotten\n"
            response.failure = .usage
            return response
        }
        accepted = checked
        response.output = "forgot \(kind.rawValue) \(name)\n"
        return response
    }

    /// The session's text with every shadowed or forgotten declaration, and each use that meant it, renamed
    /// to a free name: `eqx check` rejects a name declared twice, and a forgotten name may come back.
    func renamingHiddenDeclarations(_ composed: ComposedScript) -> String {
        let file = composed.file
        let (ast, syntax) = parse(file)
        guard !syntax.contains(where: { $0.severity == .error }) else { return file.text }
        let checker = Checker(file: file, probe: FileDataProbe(baseDirectory: options.directory), session: composed.rules)
        _ = checker.check(ast)
        guard !checker.hiddenDefinitions.isEmpty else { return file.text }
        var taken = Set(lex(file).tokens.filter { $0.kind == .identifier }.map(\.text))
        var edits: [(range: SourceRange, name: String)] = []
        for d in checker.topLevelDefinitions where checker.hiddenDefinitions.contains(d.range.start) {
            var k = 1
            while taken.contains("\(d.name)_\(k)") { k += 1 }
            let renamed = "\(d.name)_\(k)"
            taken.insert(renamed)
            edits.append((d.range, renamed))
            for r in checker.resolutions.values where r.definition == d.range.start { edits.append((r.use, renamed)) }
        }
        var bytes = file.bytes
        for e in edits.sorted(by: { $0.range.start > $1.range.start }) {
            bytes.replaceSubrange(e.range.start..<e.range.end, with: Array(e.name.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `:time STATEMENT`: the statement (or expression, or command) as if typed, then its wall-clock time.
    func timed(_ input: String) -> ReplResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        var response = submit(input)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if response.needsMoreInput {
            cancelInput()
            response = ReplResponse()
            response.errors = "error: :time needs a complete statement on its line\n"
                + "  = help: put a multi-line statement in a file and write :time :load FILE\n"
            response.failure = .usage
            return response
        }
        response.output += "time: \(ReplSession.formatSeconds(seconds))\n"
        return response
    }

    /// Three significant digits, in the unit that keeps the number readable.
    static func formatSeconds(_ s: Double) -> String {
        if s < 1e-3 { return String(format: "%.3g µs", s * 1e6) }
        if s < 1 { return String(format: "%.3g ms", s * 1e3) }
        if s < 600 { return String(format: "%.3g s", s) }
        return String(format: "%d min %02d s", Int(s) / 60, Int(s) % 60)
    }
}
