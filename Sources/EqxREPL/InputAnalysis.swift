import EqxSyntax

/// What an input is and whether it is finished, decided from the lexer's tokens and the parser's errors.
struct InputAnalysis {
    enum Form: Equatable {
        /// Only blank lines and comments.
        case blank
        /// Statements (or something the parser should report as a bad statement).
        case statements
        /// A bare expression such as `net_name`, `accuracy(small, digits.test)` or `1 + 2`.
        case expression
    }

    var form: Form
    /// Brackets `(`, `[` and `{` still open at the end, or nil when a closer does not match its opener.
    var openBrackets: Int?
    /// End of the last token that is not a line break.
    var lastTokenEnd: Int
    var firstTokenStart: Int

    init(_ file: SourceFile) {
        let tokens = lex(file).tokens.filter { $0.kind != .newline && $0.kind != .endOfFile }
        lastTokenEnd = tokens.last?.range.end ?? 0
        firstTokenStart = tokens.first?.range.start ?? 0
        form = InputAnalysis.form(of: tokens)
        var stack: [TokenKind] = []
        var balanced = true
        for t in tokens {
            switch t.kind {
            case .leftParen: stack.append(.rightParen)
            case .leftBracket: stack.append(.rightBracket)
            case .leftBrace: stack.append(.rightBrace)
            case .rightParen, .rightBracket, .rightBrace:
                if stack.last == t.kind { stack.removeLast() } else { balanced = false }
            default: break
            }
        }
        openBrackets = balanced ? stack.count : nil
    }

    private static func form(of tokens: [Token]) -> Form {
        guard let first = tokens.first else { return .blank }
        switch first.kind {
        case .keyword(let k) where k.startsStatement:
            return .statements
        case .identifier:
            // `x = 5` is a statement missing its keyword, and `trian u = …` one with a misspelt keyword (no
            // expression has two names side by side): the parser explains both better than a query would.
            if tokens.count > 1, tokens[1].kind == .equals || tokens[1].kind == .identifier { return .statements }
            return .expression
        case .keyword, .integer, .number, .dimensions, .string, .leftParen, .leftBracket, .minus:
            return .expression
        default:
            return .statements
        }
    }

    /// True when the parser's only complaints come from the input stopping early — inside an open `{`, `(` or
    /// `[`, at its very end — so another line may complete it. An error anywhere else, or one caused by a line
    /// break (a statement that ended too soon), is reported at once.
    func isIncomplete(_ diagnostics: [Diagnostic]) -> Bool {
        guard let open = openBrackets, open > 0 else { return false }
        let errors = diagnostics.filter { $0.severity == .error }
        guard !errors.isEmpty else { return false }
        let lineBreak = "found " + TokenKind.newline.spelling
        return errors.allSatisfy { d in
            // A misspelt keyword (`trian t = … {`): wait for the body, so the statement is one error, not
            // one for its head and one for each line of its body.
            if d.id == "E0208", d.range?.start == firstTokenStart { return true }
            if d.message.contains(lineBreak) { return false }
            guard let r = d.range else { return true }
            return r.start >= lastTokenEnd || d.fixIts.contains { $0.range.start >= lastTokenEnd }
        }
    }
}
