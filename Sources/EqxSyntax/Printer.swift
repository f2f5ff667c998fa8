/// `eqx fmt`: canonical source text for a script.
///
/// One statement per line; clause bodies one clause per line, indented by two spaces per level; `a + b`,
/// `f(a, b)`, `name: value`; parentheses only where precedence needs them; numbers as spelled; strings with
/// the escapes \" \\ \n \t. Comments come back where they were attached (see `Trivia`). Blank lines depend only
/// on the tree: one between top-level (or same-body) statements of different kinds and around every
/// statement with a body, so `format` is deterministic and `format(parse(format(s))) == format(s)`.
public func format(_ script: Script) -> String {
    var printer = Printer()
    printer.statements(script.statements, indent: 0)
    if !script.trailingComments.isEmpty {
        if !script.statements.isEmpty { printer.out += "\n" }
        for c in script.trailingComments { printer.out += c + "\n" }
    }
    return printer.out
}

/// Canonical text of one expression (as `format` writes it).
public func format(_ expr: Expr) -> String { Printer.expression(expr) }

struct Printer {
    var out = ""

    static func indentation(_ level: Int) -> String { String(repeating: "  ", count: level) }

    // MARK: Statements

    mutating func statements(_ list: [Statement], indent: Int) {
        var previous: (category: Int, multiline: Bool)?
        for s in list {
            let text = statement(s, indent: indent)
            let multiline = isMultiline(s)
            if let p = previous, p.category != category(s) || p.multiline || multiline { out += "\n" }
            out += text
            previous = (category(s), multiline)
        }
    }

    func category(_ s: Statement) -> Int {
        switch s.kind {
        case .version, .seed: return 0
        case .let: return 1
        case .data: return 2
        case .group: return 3
        case .net, .block: return 4
        case .train: return 5
        case .merge: return 6
        case .report, .plot, .save: return 7
        case .repeat: return 8
        case .for: return 9
        }
    }

    func isMultiline(_ s: Statement) -> Bool {
        switch s.kind {
        case .data(_, _, let clauses): return !clauses.isEmpty || hasBodyComments(s.trivia)
        case .net, .block, .train, .merge, .repeat, .for: return true
        default: return false
        }
    }

    func hasBodyComments(_ t: Trivia) -> Bool { t.openingComment != nil || !t.closingComments.isEmpty }

    func statement(_ s: Statement, indent: Int) -> String {
        let pad = Printer.indentation(indent)
        var text = s.trivia.leadingComments.map { pad + $0 + "\n" }.joined()
        let e: (Expr) -> String = { Printer.expression($0) }
        let labelled: (ReportItem) -> String = { ($0.label.map { $0.name + ": " } ?? "") + Printer.expression($0.value) }
        var header: String
        enum Body { case none, clauses([Clause]), statements([Statement]) }
        var body = Body.none
        switch s.kind {
        case .version(let v): header = "eqx " + e(v)
        case .seed(let v): header = "seed " + e(v)
        case .let(let n, let v): header = "let \(n.name) = " + e(v)
        case .group(let n, let v): header = "group \(n.name) = " + e(v)
        case .data(let n, let v, let clauses):
            header = "data \(n.name) = " + e(v)
            if !clauses.isEmpty || hasBodyComments(s.trivia) { body = .clauses(clauses) }
        case .net(let n, let ps, let clauses):
            header = "net \(n.name)" + Printer.parameters(ps); body = .clauses(clauses)
        case .block(let n, let ps, let clauses):
            header = "block \(n.name)" + Printer.parameters(ps); body = .clauses(clauses)
        case .train(let n, let model, let data, let clauses):
            header = "train \(n.name) = \(e(model)) on \(e(data))"; body = .clauses(clauses)
        case .merge(let n, let a, let b, let clauses):
            header = "merge \(n.name) = \(e(a)) with \(e(b))"; body = .clauses(clauses)
        case .report(let name, let items):
            header = "report " + (name.map { $0.name + " = " } ?? "") + items.map(labelled).joined(separator: ", ")
        case .plot(let name, let items, let title, let size):
            let titleText = title.map { " as " + e($0) } ?? ""
            header = "plot " + (name.map { $0.name + " = " } ?? "") + items.map(labelled).joined(separator: ", ") + titleText + (size.map { " size " + e($0) } ?? "")
        case .save(let v, let path): header = "save \(e(v)) to \(e(path))"
        case .repeat(let count, let variable, let statements):
            let suffix = variable.map { " as " + $0.name } ?? ""
            header = "repeat " + e(count) + suffix; body = .statements(statements)
        case .for(let variable, let sequence, let statements):
            header = "for \(variable.name) in \(e(sequence))"; body = .statements(statements)
        }
        text += pad + header
        switch body {
        case .none:
            break
        case .clauses(let clauses):
            text += braces(isEmpty: clauses.isEmpty, trivia: s.trivia, indent: indent) {
                clauses.map { clause($0, indent: indent + 1) }.joined()
            }
        case .statements(let statements):
            text += braces(isEmpty: statements.isEmpty, trivia: s.trivia, indent: indent) {
                var inner = Printer()
                inner.statements(statements, indent: indent + 1)
                return inner.out
            }
        }
        text += (s.trivia.trailingComment.map { "  " + $0 } ?? "") + "\n"
        return text
    }

    /// ` { … }` after a header: `{}` when empty and without comments, else one item per line.
    func braces(isEmpty: Bool, trivia: Trivia, indent: Int, _ items: () -> String) -> String {
        if isEmpty && !hasBodyComments(trivia) { return " {}" }
        var text = " {" + (trivia.openingComment.map { "  " + $0 } ?? "") + "\n"
        text += items()
        let inner = Printer.indentation(indent + 1)
        text += trivia.closingComments.map { inner + $0 + "\n" }.joined()
        text += Printer.indentation(indent) + "}"
        return text
    }

    func clause(_ c: Clause, indent: Int) -> String {
        let pad = Printer.indentation(indent)
        var text = c.trivia.leadingComments.map { pad + $0 + "\n" }.joined()
        text += pad + Printer.clauseLine(c)
        if let body = c.body {
            text += braces(isEmpty: body.isEmpty, trivia: c.trivia, indent: indent) {
                body.map { clause($0, indent: indent + 1) }.joined()
            }
        }
        if let shortcut = c.shortcut {
            text += " shortcut" + braces(isEmpty: shortcut.isEmpty, trivia: c.shortcutTrivia, indent: indent) {
                shortcut.map { clause($0, indent: indent + 1) }.joined()
            }
        }
        text += (c.trivia.trailingComment.map { "  " + $0 } ?? "") + "\n"
        return text
    }

    /// A clause without its body: `label: head a, b -> out name value …`.
    static func clauseLine(_ c: Clause) -> String {
        var text = c.label.map { $0.name + ": " } ?? ""
        text += c.head.name
        if !c.arguments.isEmpty { text += " " + c.arguments.map { expression($0) }.joined(separator: ", ") }
        if let out = c.output { text += " -> " + expression(out) }
        for m in c.modifiers { text += " \(m.name.name) " + expression(m.value) }
        return text
    }

    static func parameters(_ ps: [Parameter]) -> String {
        if ps.isEmpty { return "" }
        return "(" + ps.map { p in p.name.name + (p.defaultValue.map { ": " + expression($0) } ?? "") }
            .joined(separator: ", ") + ")"
    }

    // MARK: Expressions

    /// Binding strength: 0 range, 1 `+ -`, 2 `* /`, 3 unary `-`, 4 postfix and atoms.
    static func level(_ e: Expr) -> Int {
        switch e.kind {
        case .range: return 0
        case .binary(let op, _, _): return op.precedence
        case .unary: return 3
        default: return 4
        }
    }

    static func expression(_ e: Expr) -> String { expression(e, atLeast: 0) }

    static func expression(_ e: Expr, atLeast minimum: Int) -> String {
        let text: String
        switch e.kind {
        case .number(_, _, let spelling): text = spelling
        case .string(let s): text = quote(s)
        case .bool(let b): text = b ? "true" : "false"
        case .identifier(let name): text = name
        case .dimensions(let sizes): text = sizes.map(String.init).joined(separator: "x")
        case .member(let base, let name): text = expression(base, atLeast: 4) + "." + name.name
        case .call(let base, let arguments):
            let texts = arguments.map { a -> String in
                let label = a.label.map { $0.name + ": " } ?? ""
                return label + expression(a.value, atLeast: 0)
            }
            text = expression(base, atLeast: 4) + "(" + texts.joined(separator: ", ") + ")"
        case .index(let base, let index): text = expression(base, atLeast: 4) + "[" + expression(index) + "]"
        case .range(let lower, let upper): text = expression(lower, atLeast: 1) + ".." + expression(upper, atLeast: 1)
        case .list(let items): text = "[" + items.map { expression($0, atLeast: 0) }.joined(separator: ", ") + "]"
        case .unary(let op, let operand): text = op.rawValue + expression(operand, atLeast: 3)
        case .binary(let op, let left, let right):
            text = expression(left, atLeast: op.precedence) + " \(op.rawValue) " + expression(right, atLeast: op.precedence + 1)
        case .error: text = "<error>"
        }
        return level(e) < minimum ? "(" + text + ")" : text
    }

    static func quote(_ s: String) -> String {
        var text = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            default: text.unicodeScalars.append(ch)
            }
        }
        return text + "\""
    }
}
