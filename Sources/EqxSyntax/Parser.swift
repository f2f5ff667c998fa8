/// Parses a script. Never fails: syntax errors become diagnostics (E02xx) next to the lexer's (E01xx), and
/// the returned script holds every statement that could be recovered (with `.error` placeholders).
public func parse(_ file: SourceFile) -> (Script, [Diagnostic]) {
    let parser = Parser(file: file)
    let script = parser.parseScript()
    return (script, parser.sortedDiagnostics)
}

/// Recursive descent over grammar/eqx.ebnf with panic-mode recovery.
///
/// After an error the parser is "panicking": further errors are suppressed until it re-synchronises at a
/// statement or clause boundary (a separator, a closing brace, or a statement keyword starting a line).
/// Every loop either consumes a token or exits, and a step budget proportional to the input makes a hang
/// impossible even if that invariant were broken.
final class Parser {
    let file: SourceFile
    var tokens: [Token]
    var comments: [Comment]
    var diagnostics: [Diagnostic]
    var pos = 0
    var commentIndex = 0
    /// Index of the last consumed token other than a newline (-1 before the first).
    var lastIndex = -1
    /// Open `(` and `[` around the cursor: newlines are insignificant while it is positive.
    var parenDepth = 0
    /// Open braces, parentheses, brackets and unary operators: bounds recursion.
    var nesting = 0
    var panicking = false
    var statementCount = 0
    var steps = 0
    let stepBudget: Int
    var hitStepBudget = false

    /// After this many errors the rest are dropped (one E0215 says so): a binary file should not produce
    /// thousands of messages.
    static let maximumErrors = 100
    static let maxNesting = 64
    static let maxExprDepth = 128

    init(file: SourceFile) {
        self.file = file
        let lexed = lex(file)
        tokens = lexed.tokens
        comments = lexed.comments
        diagnostics = lexed.diagnostics
        stepBudget = 64 * tokens.count + 1024
    }

    // MARK: Cursor

    /// The current token; newlines are skipped (consumed) inside parentheses and brackets.
    var current: Token {
        if parenDepth > 0 { skipIgnoredNewlines() }
        return tokens[pos]
    }

    func skipIgnoredNewlines() {
        while tokens[pos].kind == .newline { pos += 1 }
    }

    /// The token `k` significant tokens after the current one.
    func peek(_ k: Int) -> Token {
        var j = pos
        if parenDepth > 0 { while tokens[j].kind == .newline { j += 1 } }
        var n = 0
        while n < k, tokens[j].kind != .endOfFile {
            j += 1
            if parenDepth > 0 { while tokens[j].kind == .newline { j += 1 } }
            n += 1
        }
        return tokens[j]
    }

    var previous: Token? { lastIndex >= 0 ? tokens[lastIndex] : nil }

    /// End offset of the last consumed token (0 at the start).
    var previousEnd: Int { previous?.range.end ?? 0 }

    @discardableResult
    func advance() -> Token {
        let t = current
        if t.kind != .endOfFile {
            if t.kind != .newline { lastIndex = pos }
            pos += 1
        }
        return t
    }

    func at(_ kind: TokenKind) -> Bool {
        if parenDepth > 0 { skipIgnoredNewlines() }
        return tokens[pos].kind == kind
    }

    func consume(_ kind: TokenKind) -> Token? { at(kind) ? advance() : nil }

    /// An identifier with the given spelling: the contextual words on, with, to, as, in.
    func atContextual(_ word: String) -> Bool { current.kind == .identifier && current.text == word }

    /// True when `tokens[index]` is the first token on its line.
    func startsLine(_ index: Int) -> Bool {
        index == 0 || tokens[index - 1].kind == .newline
    }

    /// A statement keyword at the start of a line: where recovery resumes and a missing `}` is detected.
    var atStatementStart: Bool {
        current.statementKeyword != nil && startsLine(pos)
    }

    /// Counts loop iterations; false (stop) once the budget is spent, which only a parser bug can cause.
    func tick() -> Bool {
        steps += 1
        if steps > stepBudget { hitStepBudget = true; pos = tokens.count - 1; return false }
        return true
    }

    // MARK: Diagnostics

    /// Where an "expected …" caret goes: on the offending token if it is on the same line as the previous
    /// token, else just after the previous token (the thing is missing at the end of that line).
    var expectedRange: SourceRange {
        let t = current
        if let p = previous, t.kind == .newline || t.kind == .endOfFile || isOnLaterLine(t, than: p) {
            return SourceRange(start: p.range.end, end: p.range.end)
        }
        if t.kind == .endOfFile, previous == nil { return SourceRange(start: t.range.start, end: t.range.start) }
        return t.range
    }

    func isOnLaterLine(_ t: Token, than p: Token) -> Bool {
        let lo = min(p.range.end, t.range.start), hi = max(p.range.end, t.range.start)
        return file.bytes[lo..<hi].contains(UInt8(ascii: "\n"))
    }

    /// Records an error unless the parser is already panicking. A recovered error (the parse goes on as if
    /// the input were right) leaves the parser calm, so later independent errors are still reported.
    func error(_ id: String, _ message: String, at range: SourceRange, label: String? = nil,
               notes: [DiagnosticNote] = [], help: String? = nil, fixIts: [FixIt] = [], recovered: Bool = false) {
        if panicking || !canReport(at: range) { return }
        diagnostics.append(.error(id, message, at: range, label: label, notes: notes, help: help, fixIts: fixIts))
        if !recovered { panicking = true }
    }

    /// False once the error limit is reached; the first refusal records E0215.
    func canReport(at range: SourceRange) -> Bool {
        let errors = diagnostics.lazy.filter { $0.severity == .error }.count
        if errors < Parser.maximumErrors { return true }
        if !diagnostics.contains(where: { $0.id == "E0215" }) {
            diagnostics.append(.error("E0215", "too many errors; the rest of the file is not checked", at: range,
                                      label: "stopped here", help: "fix the errors above and run again"))
        }
        return false
    }

    /// "expected X, found Y" at `expectedRange`.
    func expected(_ what: String, _ context: String = "", id: String = "E0203", help: String? = nil,
                  fixIts: [FixIt] = [], notes: [DiagnosticNote] = []) {
        let found = current.description
        error(id, "expected \(what)\(context.isEmpty ? "" : " " + context), found \(found)", at: expectedRange,
              label: "expected \(what)", notes: notes, help: help, fixIts: fixIts)
    }

    func location(_ range: SourceRange) -> String { "\(file.name):\(file.location(of: range.start))" }

    /// Diagnostics in source order (stable; the range-less empty-script error first).
    var sortedDiagnostics: [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let x = a.element.range?.start ?? -1, y = b.element.range?.start ?? -1
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
    }

    // MARK: Comments

    /// Takes every comment that starts before `offset`.
    func takeComments(before offset: Int) -> [String] {
        var out: [String] = []
        while commentIndex < comments.count, comments[commentIndex].range.start < offset {
            out.append(comments[commentIndex].text)
            commentIndex += 1
        }
        return out
    }

    /// The comment right after a node on the same line (only `;` may stand between them).
    func takeTrailingComment(after end: Int) -> String? {
        guard commentIndex < comments.count else { return nil }
        let c = comments[commentIndex]
        guard c.range.start >= end else { return nil }
        if file.bytes[end..<c.range.start].contains(UInt8(ascii: "\n")) { return nil }
        var j = pos
        while j < tokens.count, tokens[j].range.start < c.range.start {
            if tokens[j].kind != .semicolon { return nil }
            j += 1
        }
        commentIndex += 1
        return c.text
    }

    // MARK: Recovery

    /// Skips to the next statement or clause boundary: past a separator, or before `}`, end of file or a
    /// statement keyword that starts a line. Braces met on the way are skipped whole.
    func synchronize() {
        var braces = 0
        let saved = parenDepth
        parenDepth = 0
        defer { parenDepth = saved; panicking = false }
        while tick() {
            let t = tokens[pos]
            switch t.kind {
            case .endOfFile: return
            case .newline, .semicolon:
                if braces == 0 { pos += 1; return }
            case .leftBrace: braces += 1
            case .rightBrace:
                if braces == 0 { return }
                braces -= 1
            default:
                if braces == 0, t.statementKeyword != nil, startsLine(pos) { return }
            }
            advance()
        }
    }

    /// After a statement or clause: a separator, `}` or the end of the file must follow.
    func finishItem(what: String, trivia: inout Trivia, end: Int) {
        trivia.trailingComment = takeTrailingComment(after: end)
        switch current.kind {
        case .newline, .semicolon:
            advance()
            panicking = false
        case .rightBrace, .endOfFile:
            panicking = false
        case _ where atStatementStart:
            // A body that lost its `}` ended at this keyword; its separator is already consumed.
            panicking = false
        case .rightParen, .rightBracket:
            error("E0206", "unexpected \(current.description)", at: current.range, label: "nothing is open here",
                  help: "remove it, or check the parentheses and brackets before it")
            synchronize()
        default:
            if !panicking {
                var help: String? = nil
                if case .comma = current.kind { help = "write the items of one line as a single list, or put each on its own line" }
                error("E0209", "expected a new line or ';' after the \(what), found \(current.description)",
                      at: expectedRange.start == current.range.start ? current.range : expectedRange,
                      label: "expected the \(what) to end here", help: help)
            }
            synchronize()
        }
    }

    func skipSeparators() {
        while tick(), current.isSeparator { advance() }
    }

    // MARK: Script

    func parseScript() -> Script {
        skipSeparators()
        if at(.endOfFile) {
            // At 1:1, so editors and `FILE:LINE:COL` readers can place it like any other error.
            if diagnostics.isEmpty { diagnostics.append(.error("E0201", "empty script", at: SourceRange(start: 0, end: 0),
                                                             label: "no statement in the file",
                                                             help: "a script starts with the version line 'eqx 1'")) }
            return Script(statements: [], trailingComments: takeComments(before: Int.max))
        }
        var statements: [Statement] = []
        if case .keyword(.eqx) = current.kind {
            if let s = parseStatement() { statements.append(s) }
        } else {
            let insertAt = file.bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            diagnostics.append(Diagnostic(id: "W0201", severity: .warning, message: "missing version line 'eqx 1'",
                                          range: current.range, label: "the script starts here",
                                          help: "start the script with 'eqx 1' so later versions of eqx can read it",
                                          fixIts: [FixIt(range: SourceRange(start: insertAt, end: insertAt),
                                                         replacement: "eqx 1\n")]))
        }
        statements += parseStatements(closedBy: nil)
        return Script(statements: statements, trailingComments: takeComments(before: Int.max))
    }

    /// Statements until `}` (when `open` is given) or the end of the file.
    func parseStatements(closedBy open: Token?) -> [Statement] {
        var statements: [Statement] = []
        while tick() {
            skipSeparators()
            if at(.endOfFile) { break }
            if at(.rightBrace) {
                if open != nil { break }
                error("E0206", "unexpected '}'", at: current.range, label: "no '{' is open here",
                      help: "remove it, or check the braces above")
                advance()
                panicking = false
                continue
            }
            let before = pos
            if let s = parseStatement() { statements.append(s) } else { synchronize() }
            if pos == before { advance() }
        }
        return statements
    }
}
