/// For a REPL: true when `text` ends inside an open `{`, `(` or `[`, so another line should be read before
/// parsing. Strings end at the line end and comments are ignored; a surplus closer means the input is complete
/// (and wrong), so the parser can report it.
public func needsMoreInput(_ text: String) -> Bool {
    var open = 0
    for token in lex(SourceFile(name: "<repl>", text: text)).tokens {
        switch token.kind {
        case .leftBrace, .leftParen, .leftBracket: open += 1
        case .rightBrace, .rightParen, .rightBracket:
            open -= 1
            if open < 0 { return false }
        default: break
        }
    }
    return open > 0
}
