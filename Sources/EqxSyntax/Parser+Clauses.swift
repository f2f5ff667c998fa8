/// Clauses: the lines inside the braces of net, block, data, train and merge.
///
/// `[label ":"] head [arguments] ["->" output] {modifier} [clauses]`. After the head the words are ambiguous
/// in one way: `layernorm over spatial` (a modifier) vs `global avgpool` (an argument). The grammar settles it:
/// modifiers come in name–value pairs, so the tail is read with an argument list first, and only if that
/// reading cannot reach the end of the clause is it read as modifiers alone.
extension Parser {
    /// The cursor is at `{`. Parses clauses to the matching `}`; a statement keyword starting a line or the
    /// end of the file means the `}` is missing (reported at the `{`).
    func parseClauses(owner: String, trivia: inout Trivia) -> [Clause] {
        let open = current
        trivia.leadingComments += takeComments(before: open.range.start)
        guard enterNesting(at: open.range) else { skipBalanced(); return [] }
        defer { nesting -= 1 }
        advance()
        trivia.openingComment = takeTrailingComment(after: open.range.end)
        var clauses: [Clause] = []
        while tick() {
            skipSeparators()
            if at(.rightBrace) {
                trivia.closingComments = takeComments(before: current.range.start)
                advance()
                return clauses
            }
            if at(.endOfFile) || (atStatementStart && peek(1).kind != .colon) {
                unclosedBrace(open, owner: owner)
                return clauses
            }
            let before = pos
            if let c = parseClause(in: owner) { clauses.append(c) } else { synchronize() }
            if pos == before { advance() }
        }
        return clauses
    }

    func parseClause(in owner: String) -> Clause? {
        let start = current
        var trivia = Trivia(leadingComments: takeComments(before: start.range.start))
        var label: Identifier?
        if current.isWord, peek(1).kind == .colon {
            let t = advance()
            advance()
            label = Identifier(t.text, range: t.range)
        }
        let headToken = current
        switch headToken.kind {
        case .identifier:
            advance()
        case .keyword:
            reservedWord(headToken, as: "a layer or option name")
            advance()
        case .rightParen, .rightBracket:
            error("E0206", "unexpected \(headToken.description)", at: headToken.range, label: "nothing is open here",
                  help: "remove it, or check the parentheses and brackets above")
            return nil
        default:
            if label != nil {
                expected("a layer or option name", "after label '\(label!.name):'")
            } else {
                expected("a layer or option", "in \(owner)")
            }
            return nil
        }
        let head = Identifier(headToken.text, range: headToken.range)
        let tail = parseClauseTail(head: head.name)
        var body: [Clause]?
        if at(.leftBrace) { body = parseClauses(owner: "'\(head.name)'", trivia: &trivia) }
        var shortcut: [Clause]?
        var shortcutTrivia = Trivia()
        if body != nil, current.kind == .identifier, current.text == "shortcut", peek(1).kind == .leftBrace {
            advance()
            shortcut = parseClauses(owner: "'shortcut'", trivia: &shortcutTrivia)
        }
        let end = max(previousEnd, headToken.range.end)
        trivia.leadingComments += takeComments(before: end)
        finishItem(what: "clause", trivia: &trivia, end: end)
        return Clause(label: label, head: head, arguments: tail.arguments, output: tail.output,
                      modifiers: tail.modifiers, body: body, shortcut: shortcut, trivia: trivia, shortcutTrivia: shortcutTrivia,
                      range: SourceRange(start: start.range.start, end: end))
    }

    struct ClauseTail {
        var arguments: [Expr] = []
        var output: Expr?
        var modifiers: [Modifier] = []
    }

    var atClauseEnd: Bool {
        switch current.kind {
        case .newline, .semicolon, .rightBrace, .leftBrace, .endOfFile: return true
        default: return false
        }
    }

    struct Checkpoint {
        var pos, lastIndex, commentIndex, parenDepth, nesting, diagnostics: Int
        var panicking: Bool
    }

    func checkpoint() -> Checkpoint {
        Checkpoint(pos: pos, lastIndex: lastIndex, commentIndex: commentIndex, parenDepth: parenDepth,
                   nesting: nesting, diagnostics: diagnostics.count, panicking: panicking)
    }

    func restore(_ c: Checkpoint) {
        pos = c.pos; lastIndex = c.lastIndex; commentIndex = c.commentIndex; parenDepth = c.parenDepth
        nesting = c.nesting; diagnostics.removeLast(diagnostics.count - c.diagnostics); panicking = c.panicking
    }

    func parseClauseTail(head: String) -> ClauseTail {
        if atClauseEnd { return ClauseTail() }
        guard case .identifier = current.kind else { return argumentsFirst(head: head) }
        let start = checkpoint()
        let a = argumentsFirst(head: head)
        if diagnostics.count == start.diagnostics { return a }
        let aError = diagnostics[start.diagnostics].range?.start ?? Int.max
        restore(start)
        let m = modifiersOnly(head: head)
        if diagnostics.count == start.diagnostics { return m }
        let mError = diagnostics[start.diagnostics].range?.start ?? Int.max
        if mError > aError { return m }
        restore(start)
        return argumentsFirst(head: head)
    }

    /// `[arguments] ["->" output] {modifier}`.
    func argumentsFirst(head: String) -> ClauseTail {
        var tail = ClauseTail()
        if !at(.arrow), canStartExpression {
            tail.arguments.append(expression())
            while tick(), consume(.comma) != nil {
                guard let e = requiredExpression(after: "','") else { break }
                tail.arguments.append(e)
            }
        }
        if consume(.arrow) != nil {
            tail.output = requiredExpression(after: "'->'") ?? Expr(.error, range: expectedRange)
        }
        tail.modifiers = parseModifiers(head: head)
        endOfTail(head: head, tail: tail)
        return tail
    }

    func modifiersOnly(head: String) -> ClauseTail {
        var tail = ClauseTail()
        tail.modifiers = parseModifiers(head: head)
        endOfTail(head: head, tail: tail)
        return tail
    }

    /// `name value` pairs.
    func parseModifiers(head: String) -> [Modifier] {
        var modifiers: [Modifier] = []
        while tick(), case .identifier = current.kind {
            let t = advance()
            guard canStartExpression else {
                expected("a value", "after option '\(t.text)' of '\(head)'",
                         help: "options are a name and a value, such as 'pad 1'; separate arguments with ','")
                break
            }
            modifiers.append(Modifier(name: Identifier(t.text, range: t.range), value: expression()))
        }
        return modifiers
    }

    func endOfTail(head: String, tail: ClauseTail) {
        guard !atClauseEnd, !panicking else { return }
        let t = current
        let message = "unexpected \(t.description) in '\(head)'"
        switch t.kind {
        case .arrow:
            error("E0211", message, at: t.range, label: "the output comes before the options",
                  help: "write the output right after the arguments: conv 3x3 -> 16 pad 1")
        case .comma:
            error("E0211", message, at: t.range, label: "options are not separated by ','",
                  help: "write options one after the other: pad 1 stride 2")
        case .rightParen, .rightBracket:
            error("E0206", "unexpected \(t.description)", at: t.range, label: "nothing is open here")
        case .keyword(let k) where k.startsStatement:
            error("E0211", message, at: t.range, label: "a reserved word cannot name an option",
                  help: "end the clause with a new line or ';' before '\(t.text)'")
        default:
            let afterArguments = !tail.arguments.isEmpty && tail.output == nil && tail.modifiers.isEmpty
            error("E0211", message, at: t.range, label: afterArguments ? "expected ',' or an option name" : "expected an option name",
                  help: afterArguments ? "separate arguments with ','; options are a name and a value, such as 'pad 1'"
                      : "options are a name and a value, such as 'pad 1'")
        }
    }
}
