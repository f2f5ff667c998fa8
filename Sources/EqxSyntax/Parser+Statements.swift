/// Statements: the top-level forms of grammar/eqx.ebnf and the bodies of `repeat` and `for`.
extension Parser {
    static let statementKeywords = Keyword.allCases.filter(\.startsStatement).map(\.rawValue)

    /// Parses one statement and its terminator; nil when nothing sensible could be built (the caller then
    /// re-synchronises).
    func parseStatement() -> Statement? {
        let start = current
        var trivia = Trivia(leadingComments: takeComments(before: start.range.start))
        guard let keyword = start.statementKeyword else {
            unknownStatement()
            return nil
        }
        advance()
        statementCount += 1
        let kind: StatementKind?
        switch keyword {
        case .eqx: kind = parseVersion(start)
        case .seed: kind = requiredExpression(after: "'seed'").map { .seed($0) }
        case .let: kind = parseBinding("let").map { .let($0.0, $0.1) }
        case .group: kind = parseBinding("group").map { .group($0.0, $0.1) }
        case .data: kind = parseData(&trivia)
        case .net, .block: kind = parseNetwork(keyword, &trivia)
        case .train: kind = parseTrain(&trivia)
        case .merge: kind = parseMerge(&trivia)
        case .report: kind = parseReport()
        case .plot: kind = parsePlot()
        case .save: kind = parseSave()
        case .repeat: kind = parseRepeat(&trivia)
        case .for: kind = parseFor(&trivia)
        case .true, .false: kind = nil
        }
        guard let kind else { return nil }
        let end = max(previousEnd, start.range.end)
        trivia.leadingComments += takeComments(before: end)
        finishItem(what: "statement", trivia: &trivia, end: end)
        return Statement(kind, trivia: trivia, range: SourceRange(start: start.range.start, end: end),
                         keywordRange: start.range)
    }

    func unknownStatement() {
        let t = current
        switch t.kind {
        case .identifier:
            if let s = suggestion(for: t.text, among: Parser.statementKeywords) {
                error("E0208", "unknown statement '\(t.text)'", at: t.range, label: "not a statement",
                      help: "did you mean '\(s)'?", fixIts: [FixIt(range: t.range, replacement: s)])
            } else if peek(1).kind == .equals {
                error("E0208", "expected a statement, found '\(t.text)'", at: t.range, label: "not a statement",
                      help: "names are declared with let, data, group, net, block, train or merge: let \(t.text) = …")
            } else {
                error("E0208", "expected a statement, found '\(t.text)'", at: t.range, label: "not a statement",
                      help: "layers and options belong inside the braces of a net, block, data, train or merge")
            }
        case .leftBrace:
            error("E0208", "expected a statement, found '{'", at: t.range, label: "this '{' opens nothing",
                  help: "a '{' must be on the same line as the statement it belongs to")
        case .rightParen, .rightBracket:
            error("E0206", "unexpected \(t.description)", at: t.range, label: "nothing is open here",
                  help: "remove it, or check the parentheses and brackets before it")
        default:
            error("E0208", "expected a statement, found \(t.description)", at: t.range, label: "not a statement",
                  help: "statements start with eqx, seed, let, data, group, net, block, train, merge, report, plot, save, repeat or for")
        }
    }

    func parseVersion(_ keyword: Token) -> StatementKind? {
        if statementCount > 1 {
            error("E0212", "the version line must be the first statement", at: keyword.range,
                  label: "misplaced", help: "move 'eqx 1' to the top of the file", recovered: true)
        }
        guard canStartExpression else {
            expected("the language version", "after 'eqx'", help: "write 'eqx 1'")
            return nil
        }
        let e = expression()
        if case .number(let v, true, _) = e.kind, v == 1 { return .version(e) }
        if case .error = e.kind { return .version(e) }
        error("E0202", "unsupported language version", at: e.range, label: "this eqx understands version 1",
              help: "write 'eqx 1'", fixIts: [FixIt(range: e.range, replacement: "1")], recovered: true)
        return .version(e)
    }

    /// A name being declared. A reserved word is reported and accepted, so the rest still parses.
    func parseName(_ what: String, after: String) -> Identifier? {
        let t = current
        switch t.kind {
        case .identifier:
            advance()
            return Identifier(t.text, range: t.range)
        case .keyword(let k) where !(k.startsStatement && startsLine(pos)):
            reservedWord(t, as: what)
            advance()
            return Identifier(t.text, range: t.range)
        default:
            expected(what, "after \(after)")
            return nil
        }
    }

    func reservedWord(_ t: Token, as what: String) {
        error("E0204", "'\(t.text)' is a reserved word and cannot be used as \(what)", at: t.range,
              label: "reserved word",
              help: "reserved words are \(Keyword.allCases.map(\.rawValue).joined(separator: ", ")); try '\(t.text)_'",
              fixIts: [FixIt(range: t.range, replacement: t.text + "_")], recovered: true)
    }

    /// `=` after a declared name. When it is missing but an expression follows, the error is recovered.
    func expectEquals(after: String) -> Bool {
        if consume(.equals) != nil { return true }
        let recovered = canStartExpression && !isOnLaterLine(current, than: previous ?? current)
        let at = expectedRange
        error("E0203", "expected '=' after \(after)", at: at, label: "expected '='",
              fixIts: recovered ? [FixIt(range: SourceRange(start: current.range.start, end: current.range.start),
                                         replacement: "= ")] : [],
              recovered: recovered)
        return recovered
    }

    /// An expression that must be there; an `.error` placeholder (already reported) if it is not.
    func requiredExpression(after: String) -> Expr? {
        guard canStartExpression else {
            expected("an expression", "after \(after)", id: "E0210")
            return nil
        }
        return expression()
    }

    /// `let NAME = expr` and `group NAME = expr`.
    func parseBinding(_ keyword: String) -> (Identifier, Expr)? {
        guard let name = parseName("a name", after: "'\(keyword)'"),
              expectEquals(after: "\(keyword) name '\(name.name)'"),
              let e = requiredExpression(after: "'='") else { return nil }
        return (name, e)
    }

    func parseData(_ trivia: inout Trivia) -> StatementKind? {
        guard let (name, source) = parseBinding("data") else { return nil }
        var clauses: [Clause] = []
        if at(.leftBrace) { clauses = parseClauses(owner: "data '\(name.name)'", trivia: &trivia) }
        return .data(name, source, clauses)
    }

    func parseNetwork(_ keyword: Keyword, _ trivia: inout Trivia) -> StatementKind? {
        guard let name = parseName("a name", after: "'\(keyword.rawValue)'") else { return nil }
        var parameters: [Parameter] = []
        if at(.leftParen) { parameters = parseParameters(of: name.name) }
        let owner = "\(keyword.rawValue) '\(name.name)'"
        let clauses = requiredClauses(owner: owner, help: "\(keyword.rawValue) \(name.name) { conv 3x3 -> 16; relu; … }",
                                      trivia: &trivia)
        return keyword == .net ? .net(name, parameters, clauses) : .block(name, parameters, clauses)
    }

    func parseParameters(of owner: String) -> [Parameter] {
        let open = advance()
        parenDepth += 1
        var parameters: [Parameter] = []
        while tick(), !at(.rightParen) {
            guard let name = parseName("a parameter name", after: parameters.isEmpty ? "'('" : "','") else { break }
            var value: Expr?
            if consume(.colon) != nil { value = requiredExpression(after: "'\(name.name):'") ?? Expr(.error, range: expectedRange) }
            parameters.append(Parameter(name: name, defaultValue: value))
            if consume(.comma) == nil { break }
        }
        closeDelimiter(.rightParen, opened: open, list: "parameters")
        return parameters
    }

    func parseTrain(_ trivia: inout Trivia) -> StatementKind? {
        guard let name = parseName("a name", after: "'train'"),
              expectEquals(after: "train name '\(name.name)'"),
              let model = requiredExpression(after: "'='") else { return nil }
        let data = contextualOperand("on", what: "the training data",
                                     statement: "train '\(name.name)'",
                                     form: "train \(name.name) = MODEL on DATA { options }")
        guard let data else { return nil }
        let clauses = requiredClauses(owner: "train '\(name.name)'", help: "train \(name.name) = … on … { mode nominal; … }",
                                      trivia: &trivia)
        return .train(name, model: model, data: data, clauses)
    }

    func parseMerge(_ trivia: inout Trivia) -> StatementKind? {
        guard let name = parseName("a name", after: "'merge'"),
              expectEquals(after: "merge name '\(name.name)'"),
              let a = requiredExpression(after: "'='") else { return nil }
        let b = contextualOperand("with", what: "the second network", statement: "merge '\(name.name)'",
                                  form: "merge \(name.name) = A with B { options }")
        guard let b else { return nil }
        let clauses = requiredClauses(owner: "merge '\(name.name)'", help: "merge \(name.name) = A with B { match weights; … }",
                                      trivia: &trivia)
        return .merge(name, a, with: b, clauses)
    }

    /// `on DATA`, `with B`, `to PATH`: a missing contextual word is reported (E0207) and, when an expression
    /// follows, recovered as if it were there.
    func contextualOperand(_ word: String, what: String, statement: String, form: String) -> Expr? {
        if atContextual(word) {
            let w = advance()
            return requiredExpression(after: "'\(w.text)'")
        }
        let recovered = canStartExpression && !at(.leftBrace)
        error("E0207", "expected '\(word)' and \(what) in \(statement)", at: expectedRange,
              label: "expected '\(word)'", help: form,
              fixIts: recovered ? [FixIt(range: SourceRange(start: current.range.start, end: current.range.start),
                                         replacement: word + " ")] : [],
              recovered: recovered)
        if recovered { return expression() }
        if at(.leftBrace) { return Expr(.error, range: expectedRange) }
        return nil
    }

    /// `[label:] expr, …` of a report or plot; a plot's labels may be `group.series`.
    func parseLabelledItems(_ statement: String, dottedLabels: Bool) -> [ReportItem]? {
        var items: [ReportItem] = []
        repeat {
            guard tick() else { break }
            var label: Identifier?
            if current.isWord, peek(1).kind == .colon {
                let t = advance()
                advance()
                label = Identifier(t.text, range: t.range)
            } else if dottedLabels, current.isWord, peek(1).kind == .dot, peek(2).isWord, peek(3).kind == .colon {
                let group = advance()
                advance()
                let series = advance()
                advance()
                label = Identifier(group.text + "." + series.text, range: group.range.union(series.range))
            }
            guard let e = requiredExpression(after: items.isEmpty && label == nil ? "'\(statement)'" : "'\(previous?.text ?? "")'") else {
                return items.isEmpty ? nil : items
            }
            items.append(ReportItem(label: label, value: e))
        } while consume(.comma) != nil
        return items
    }

    /// `NAME =` before a report's or plot's items: a word followed by `=` (an item's label takes `:`).
    func parseOutputName(_ statement: String) -> Identifier? {
        guard current.isWord, peek(1).kind == .equals else { return nil }
        let name = parseName("a name", after: "'\(statement)'")
        advance()
        return name
    }

    func parseReport() -> StatementKind? {
        let name = parseOutputName("report")
        return parseLabelledItems("report", dottedLabels: false).map { .report(name: name, $0) }
    }

    func parsePlot() -> StatementKind? {
        let name = parseOutputName("plot")
        guard let items = parseLabelledItems("plot", dottedLabels: true) else { return nil }
        var title: Expr?
        if atContextual("as") {
            advance()
            if case .string = current.kind {
                title = parsePrimary().expr
            } else {
                expected("a title string", "after 'as'", help: "plot a.curve as \"my title\"")
            }
        }
        var size: Expr?
        if atContextual("size") {
            advance()
            size = requiredExpression(after: "'size'")
        }
        return .plot(name: name, items, title: title, size: size)
    }

    func parseSave() -> StatementKind? {
        guard let what = requiredExpression(after: "'save'") else { return nil }
        guard let path = contextualOperand("to", what: "a file path", statement: "save",
                                           form: "save NETWORK to \"file.safetensors\"") else { return nil }
        return .save(what, path: path)
    }

    func parseRepeat(_ trivia: inout Trivia) -> StatementKind? {
        guard let count = requiredExpression(after: "'repeat'") else { return nil }
        var variable: Identifier?
        if atContextual("as") {
            advance()
            guard let v = parseName("a name", after: "'as'") else { return nil }
            variable = v
        }
        let body = requiredStatements(owner: "repeat", trivia: &trivia)
        return .repeat(count: count, variable: variable, body)
    }

    func parseFor(_ trivia: inout Trivia) -> StatementKind? {
        guard let variable = parseName("a loop variable", after: "'for'") else { return nil }
        guard let sequence = contextualOperand("in", what: "a list to loop over", statement: "for '\(variable.name)'",
                                               form: "for \(variable.name) in [0.1, 0.01] { … }") else { return nil }
        let body = requiredStatements(owner: "for '\(variable.name)'", trivia: &trivia)
        return .for(variable: variable, sequence: sequence, body)
    }

    /// Moves past a `{` written on the line after its header (an error, recovered) and says whether a `{` is next.
    func braceOnNextLine(owner: String) -> Bool {
        if at(.leftBrace) { return true }
        guard at(.newline) else { return false }
        var j = pos
        while tokens[j].kind == .newline { j += 1 }
        guard tokens[j].kind == .leftBrace else { return false }
        error("E0203", "the '{' of \(owner) must be on the same line", at: tokens[j].range,
              label: "move this '{' up a line", help: "a new line ends a statement, so '{' cannot start the next line",
              recovered: true)
        pos = j
        return true
    }

    func requiredClauses(owner: String, help: String, trivia: inout Trivia) -> [Clause] {
        guard braceOnNextLine(owner: owner) else {
            expected("'{'", "to start the body of \(owner)", help: help)
            return []
        }
        return parseClauses(owner: owner, trivia: &trivia)
    }

    func requiredStatements(owner: String, trivia: inout Trivia) -> [Statement] {
        guard braceOnNextLine(owner: owner) else {
            expected("'{'", "to start the body of \(owner)")
            return []
        }
        let open = current
        trivia.leadingComments += takeComments(before: open.range.start)
        guard enterNesting(at: open.range) else { skipBalanced(); return [] }
        defer { nesting -= 1 }
        advance()
        trivia.openingComment = takeTrailingComment(after: open.range.end)
        let body = parseStatements(closedBy: open)
        if at(.rightBrace) {
            trivia.closingComments = takeComments(before: current.range.start)
            advance()
        } else {
            unclosedBrace(open, owner: owner)
        }
        return body
    }

    func unclosedBrace(_ open: Token, owner: String) {
        let insertAt = at(.endOfFile) ? file.bytes.count : current.range.start
        let text = at(.endOfFile) ? (file.bytes.last == UInt8(ascii: "\n") || file.bytes.isEmpty ? "}\n" : "\n}") : "}\n"
        let note = at(.endOfFile) ? DiagnosticNote("the file ends before it is closed")
            : DiagnosticNote("the body seems to end before '\(current.text)' at \(location(current.range))", range: current.range)
        let saved = panicking
        panicking = false
        error("E0205", "unclosed '{' of \(owner)", at: open.range, label: "this '{' has no matching '}'",
              notes: [note], help: "add '}' after the last line of the body",
              fixIts: [FixIt(range: SourceRange(start: insertAt, end: insertAt), replacement: text)], recovered: true)
        panicking = saved
    }
}
