/// Expressions: ranges, arithmetic, member access, calls, indexing, lists and literals.
///
/// Precedence from loosest: `a..b`, `+ -`, `* /`, unary `-`, postfix `.name (args) [index]`. Binary operators
/// are left-associative. An expression ends at the first token that cannot continue it — in particular at
/// an identifier, which is how `cnn on digits.train` and `conv 3x3 -> 16 pad 1` split.
extension Parser {
    /// An expression with the depth of its tree, so runaway chains (`1+1+…`) are cut before the tree gets
    /// deep enough to exhaust the stack of a recursive walk.
    struct Parsed {
        var expr: Expr
        var depth: Int
    }

    var canStartExpression: Bool {
        switch current.kind {
        case .integer, .number, .dimensions, .string, .identifier, .leftParen, .leftBracket, .minus,
             .keyword(.true), .keyword(.false):
            return true
        case .keyword:
            return !startsLine(pos)
        case .dot:
            return peek(1).kind == .integer && peek(1).range.start == current.range.end
        default:
            return false
        }
    }

    func expression() -> Expr { parseRange().expr }

    func node(_ kind: ExprKind, _ range: SourceRange, children: [Parsed]) -> Parsed {
        let depth = 1 + (children.map(\.depth).max() ?? 0)
        if depth > Parser.maxExprDepth {
            error("E0214", "expression nested too deeply", at: range, label: "more than \(Parser.maxExprDepth) levels",
                  help: "split it with 'let'")
            return Parsed(expr: Expr(.error, range: range), depth: 1)
        }
        return Parsed(expr: Expr(kind, range: range), depth: depth)
    }

    func parseRange() -> Parsed {
        let lower = parseAdditive()
        guard at(.dotDot) else { return lower }
        advance()
        let upper = canStartExpression ? parseAdditive() : missingExpression()
        return node(.range(lower.expr, upper.expr), lower.expr.range.union(upper.expr.range), children: [lower, upper])
    }

    func parseAdditive() -> Parsed {
        var left = parseMultiplicative()
        while tick() {
            let op: BinaryOperator
            if at(.plus) { op = .add } else if at(.minus) { op = .subtract } else { break }
            advance()
            let right = parseMultiplicative()
            left = node(.binary(op, left.expr, right.expr), left.expr.range.union(right.expr.range), children: [left, right])
        }
        return left
    }

    func parseMultiplicative() -> Parsed {
        var left = parseUnary()
        while tick() {
            let op: BinaryOperator
            if at(.star) { op = .multiply } else if at(.slash) { op = .divide } else if at(.percent) { op = .remainder } else { break }
            advance()
            let right = parseUnary()
            left = node(.binary(op, left.expr, right.expr), left.expr.range.union(right.expr.range), children: [left, right])
        }
        return left
    }

    func parseUnary() -> Parsed {
        guard at(.minus) else { return parsePostfix() }
        let minus = advance()
        guard enterNesting(at: minus.range) else {
            while tick(), consume(.minus) != nil {}
            let operand = parsePostfix()
            return Parsed(expr: Expr(.error, range: minus.range.union(operand.expr.range)), depth: 1)
        }
        defer { nesting -= 1 }
        let operand = parseUnary()
        return node(.unary(.negate, operand.expr), minus.range.union(operand.expr.range), children: [operand])
    }

    func parsePostfix() -> Parsed {
        var base = parsePrimary()
        while tick() {
            switch current.kind {
            case .dot:
                advance()
                guard current.isWord else {
                    expected("a name", "after '.'", id: "E0210")
                    return base
                }
                let t = advance()
                base = node(.member(base.expr, Identifier(t.text, range: t.range)), base.expr.range.union(t.range),
                            children: [base])
            case .leftParen:
                let open = current
                guard enterNesting(at: open.range) else { skipBalanced(); return Parsed(expr: Expr(.error, range: open.range), depth: 1) }
                defer { nesting -= 1 }
                advance()
                parenDepth += 1
                var arguments: [Argument] = []
                var parsed: [Parsed] = [base]
                while tick(), !at(.rightParen) {
                    var label: Identifier?
                    if current.isWord, peek(1).kind == .colon {
                        let t = advance()
                        advance()
                        label = Identifier(t.text, range: t.range)
                    }
                    let value = canStartExpression ? parseRange() : missingExpression()
                    parsed.append(value)
                    arguments.append(Argument(label: label, value: value.expr))
                    if consume(.comma) == nil { break }
                }
                closeDelimiter(.rightParen, opened: open, list: "arguments")
                base = node(.call(base.expr, arguments), base.expr.range.union(SourceRange(start: open.range.start, end: previousEnd)),
                            children: parsed)
            case .leftBracket:
                let open = current
                guard enterNesting(at: open.range) else { skipBalanced(); return Parsed(expr: Expr(.error, range: open.range), depth: 1) }
                defer { nesting -= 1 }
                advance()
                parenDepth += 1
                let index = canStartExpression ? parseRange() : missingExpression()
                closeDelimiter(.rightBracket, opened: open, list: nil)
                base = node(.index(base.expr, index.expr), base.expr.range.union(SourceRange(start: open.range.start, end: previousEnd)),
                            children: [base, index])
            default:
                return base
            }
        }
        return base
    }

    func parsePrimary() -> Parsed {
        let t = current
        switch t.kind {
        case .integer, .number:
            advance()
            guard case .number(let v) = t.value else { return Parsed(expr: Expr(.error, range: t.range), depth: 1) }
            return Parsed(expr: Expr(.number(value: v, isInteger: t.kind == .integer, text: t.text), range: t.range), depth: 1)
        case .dimensions:
            advance()
            guard case .dimensions(let d) = t.value else { return Parsed(expr: Expr(.error, range: t.range), depth: 1) }
            return Parsed(expr: Expr(.dimensions(d), range: t.range), depth: 1)
        case .string:
            advance()
            guard case .string(let s) = t.value else { return Parsed(expr: Expr(.error, range: t.range), depth: 1) }
            return Parsed(expr: Expr(.string(s), range: t.range), depth: 1)
        case .keyword(.true), .keyword(.false):
            advance()
            return Parsed(expr: Expr(.bool(t.kind == .keyword(.true)), range: t.range), depth: 1)
        case .identifier:
            advance()
            return Parsed(expr: Expr(.identifier(t.text), range: t.range), depth: 1)
        case .keyword where !startsLine(pos):
            reservedWord(t, as: "a name")
            advance()
            return Parsed(expr: Expr(.identifier(t.text), range: t.range), depth: 1)
        case .leftParen:
            guard enterNesting(at: t.range) else { skipBalanced(); return Parsed(expr: Expr(.error, range: t.range), depth: 1) }
            defer { nesting -= 1 }
            advance()
            parenDepth += 1
            var inner = canStartExpression ? parseRange() : missingExpression()
            if at(.comma) {
                error("E0203", "a parenthesised expression holds one value", at: current.range,
                      label: "unexpected ','", help: "write a list with brackets: [a, b]")
            }
            closeDelimiter(.rightParen, opened: t, list: nil)
            inner.expr.range = SourceRange(start: t.range.start, end: max(previousEnd, t.range.end))
            return inner
        case .leftBracket:
            guard enterNesting(at: t.range) else { skipBalanced(); return Parsed(expr: Expr(.error, range: t.range), depth: 1) }
            defer { nesting -= 1 }
            advance()
            parenDepth += 1
            var items: [Parsed] = []
            while tick(), !at(.rightBracket) {
                items.append(canStartExpression ? parseRange() : missingExpression())
                if consume(.comma) == nil { break }
            }
            closeDelimiter(.rightBracket, opened: t, list: "list items")
            return node(.list(items.map(\.expr)), SourceRange(start: t.range.start, end: max(previousEnd, t.range.end)),
                        children: items)
        case .dot where peek(1).kind == .integer && peek(1).range.start == t.range.end:
            let digits = peek(1)
            error("E0210", "expected an expression, found '.\(digits.text)'", at: t.range.union(digits.range),
                  label: "not a number", help: "a number starts with a digit: write 0.\(digits.text)",
                  fixIts: [FixIt(range: t.range.union(digits.range), replacement: "0.\(digits.text)")])
            advance(); advance()
            return Parsed(expr: Expr(.error, range: t.range.union(digits.range)), depth: 1)
        default:
            return missingExpression()
        }
    }

    /// Reports the missing expression and returns a placeholder without consuming anything.
    func missingExpression() -> Parsed {
        let range = expectedRange
        let after = previous.map { " after '\($0.text)'" } ?? ""
        error("E0210", "expected an expression\(after), found \(current.description)", at: range,
              label: "expected an expression")
        return Parsed(expr: Expr(.error, range: range), depth: 1)
    }

    // MARK: Delimiters and nesting

    func enterNesting(at range: SourceRange) -> Bool {
        nesting += 1
        if nesting <= Parser.maxNesting { return true }
        nesting -= 1
        error("E0214", "nested too deeply", at: range, label: "more than \(Parser.maxNesting) levels of nesting",
              help: "split the expression or body into smaller named parts")
        return false
    }

    /// Consumes a bracketed group from its opener to the matching closer (or the end of the file), iteratively.
    func skipBalanced() {
        let saved = parenDepth
        parenDepth = 0
        defer { parenDepth = saved }
        var depth = 0
        while tick() {
            let t = tokens[pos]
            switch t.kind {
            case .endOfFile: return
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace:
                depth -= 1
                if depth <= 0 { advance(); return }
            default: break
            }
            advance()
        }
    }

    /// If the current token's line starts inside the brackets opened by `open` and is indented no deeper than
    /// the line of `open`, the index of the last token before that line.
    func lastTokenBeforeDedent(after open: Token) -> Int? {
        var j = pos
        while j > 0, tokens[j - 1].kind != .newline { j -= 1 }
        guard j > 0, tokens[j].range.start > open.range.start else { return nil }
        var first = j - 1
        while first > 0, tokens[first].range.start > open.range.start { first -= 1 }
        while first > 0, tokens[first - 1].kind != .newline { first -= 1 }
        guard file.location(of: tokens[j].range.start).column <= file.location(of: tokens[first].range.start).column
        else { return nil }
        var k = j - 1
        while k > 0, tokens[k].kind == .newline { k -= 1 }
        return k
    }

    /// Expects the closer of `open`. If it is missing where the line (or the construct) ends, the error is
    /// placed after the last token and the cursor goes back to the line break, so the statement can end.
    func closeDelimiter(_ closer: TokenKind, opened open: Token, list: String?) {
        if at(closer) {
            parenDepth -= 1
            advance()
            return
        }
        let t = current
        let closerText = closer == .rightParen ? ")" : "]"
        var lineEnded = t.kind == .endOfFile || t.kind == .leftBrace || t.kind == .rightBrace
            || previous.map { isOnLaterLine(t, than: $0) } ?? false
        if !lineEnded, let k = lastTokenBeforeDedent(after: open) {
            // A later line inside the brackets is indented no deeper than the opening line: the closer was
            // most likely forgotten at the end of the line before it.
            lastIndex = k
            lineEnded = true
        }
        if lineEnded {
            let end = previousEnd
            error("E0206", "expected '\(closerText)' to close '\(open.text)'", at: SourceRange(start: end, end: end),
                  label: "expected '\(closerText)'", notes: [DiagnosticNote("'\(open.text)' opened here", range: open.range)],
                  fixIts: [FixIt(range: SourceRange(start: end, end: end), replacement: closerText)])
            parenDepth -= 1
            pos = lastIndex + 1
            return
        }
        let what = list.map { "',' or '\(closerText)' between \($0)" } ?? "'\(closerText)'"
        error("E0206", "expected \(what), found \(t.description)", at: t.range, label: "expected \(list == nil ? "'\(closerText)'" : "',' or '\(closerText)'")",
              notes: [DiagnosticNote("'\(open.text)' opened here", range: open.range)])
        // Skip to the matching closer on this line.
        parenDepth -= 1
        var depth = 0
        while tick() {
            let k = tokens[pos].kind
            switch k {
            case .newline, .endOfFile, .leftBrace, .rightBrace:
                return
            case .leftParen, .leftBracket:
                depth += 1
            case .rightParen, .rightBracket:
                if depth == 0 {
                    if k == closer { advance() }
                    return
                }
                depth -= 1
            default:
                break
            }
            advance()
        }
    }
}
