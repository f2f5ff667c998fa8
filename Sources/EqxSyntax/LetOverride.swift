/// `eqx run FILE --set epochs=2 --set width=8`: new values for top-level `let` bindings, so one script
/// serves the paper-scale run and a CI-scale check. The override replaces the binding's expression in the
/// tree, so the canonical text (`operative.eqx`, the run id) records the values that ran.
public struct LetOverride: Hashable, Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }

    /// `NAME=VALUE`, or nil when there is no `=` or no name.
    public init?(_ argument: String) {
        guard let eq = argument.firstIndex(of: "=") else { return nil }
        let name = String(argument[..<eq]).trimmingSpaces, value = String(argument[argument.index(after: eq)...]).trimmingSpaces
        guard !name.isEmpty else { return nil }
        self.init(name: name, value: value)
    }
}

extension Script {
    /// The script with each override applied. Errors (no such top-level `let`, a value that is not a
    /// literal, a value of another type than the one written) are diagnostics; the binding they name keeps
    /// its value.
    public func overridingLets(_ overrides: [LetOverride]) -> (Script, [Diagnostic]) {
        var statements = self.statements
        var diagnostics: [Diagnostic] = []
        var lets: [String: Int] = [:]
        for (i, s) in statements.enumerated() { if case .let(let n, _) = s.kind, lets[n.name] == nil { lets[n.name] = i } }
        var seen: Set<String> = []
        for o in overrides {
            guard seen.insert(o.name).inserted else {
                diagnostics.append(.error("E0412", "--set \(o.name) is given twice", at: nil)); continue
            }
            guard let i = lets[o.name], case .let(let name, let old) = statements[i].kind else {
                let known = lets.keys.sorted()
                diagnostics.append(.error(
                    "E0412", "--set \(o.name): the script has no top-level 'let \(o.name)'", at: nil,
                    help: suggestion(for: o.name, among: known).map { "did you mean '\($0)'?" }
                        ?? (known.isEmpty ? "the script has no top-level let bindings" : "top-level lets: \(known.joined(separator: ", "))")))
                continue
            }
            guard let value = LetOverride.literal(o.value, at: old.range) else {
                diagnostics.append(.error(
                    "E0413", "--set \(o.name)=\(o.value): the value must be a literal (a number, string, true/false, a size such as 14x14, a name, or a list of these)",
                    at: name.range, label: "'\(o.name)' is defined here"))
                continue
            }
            // An integer is also a number (`--set lr=1` for `let lr = 0.05`), not the other way round.
            if let want = LetOverride.literalType(old), let got = LetOverride.literalType(value), want != got,
               !(want == "a number" && got == "an integer") {
                diagnostics.append(.error("E0413", "--set \(o.name)=\(o.value): '\(o.name)' is \(want), the value is \(got)",
                                          at: old.range, label: "written as \(want) here"))
                continue
            }
            statements[i].kind = .let(name, value)
        }
        return (Script(statements: statements, trailingComments: trailingComments), diagnostics)
    }
}

extension LetOverride {
    /// Parses `text` as one literal expression; every node gets `range` (the binding's old value), so a
    /// later diagnostic about the value points at the `let` it replaced.
    static func literal(_ text: String, at range: SourceRange) -> Expr? {
        let file = SourceFile(name: "--set", text: "eqx 1\nlet v = \(text)\n")
        let (script, diagnostics) = parse(file)
        guard diagnostics.isEmpty, script.statements.count == 2, case .let(_, let e) = script.statements[1].kind else { return nil }
        return relocated(e, to: range)
    }

    private static func relocated(_ e: Expr, to range: SourceRange) -> Expr? {
        switch e.kind {
        case .number, .string, .bool, .identifier, .dimensions:
            return Expr(e.kind, range: range)
        case .unary(let op, let inner):
            guard case .number = inner.kind else { return nil }
            return Expr(.unary(op, Expr(inner.kind, range: range)), range: range)
        case .list(let items):
            var out: [Expr] = []
            for item in items {
                guard let r = relocated(item, to: range) else { return nil }
                out.append(r)
            }
            return Expr(.list(out), range: range)
        case .member, .call, .index, .range, .binary, .error:
            return nil
        }
    }

    /// "an integer", "a number", … for literals; nil for computed values, whose type only the checker knows.
    static func literalType(_ e: Expr) -> String? {
        switch e.kind {
        case .number(_, let isInteger, _): return isInteger ? "an integer" : "a number"
        case .unary(_, let inner): return literalType(inner)
        case .string: return "a string"
        case .bool: return "true or false"
        case .dimensions: return "a size"
        case .identifier: return "a name"
        case .list: return "a list"
        case .member, .call, .index, .range, .binary, .error: return nil
        }
    }
}

private extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
