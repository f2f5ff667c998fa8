/// Reserved words: never names (grammar/eqx.ebnf, last section).
public enum Keyword: String, CaseIterable, Hashable, Sendable {
    case eqx, seed, `let`, data, group, net, block, train, merge, report, plot, save, `repeat`, `for`
    case `true`, `false`

    /// Every reserved word except the two literals begins a statement.
    public var startsStatement: Bool { self != .true && self != .false }
}

public enum TokenKind: Hashable, Sendable {
    case identifier
    case keyword(Keyword)
    case integer, number, dimensions, string
    case arrow, dotDot, colon, comma, semicolon, dot
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case plus, minus, star, slash, percent, equals
    case newline
    case endOfFile

    /// How the kind is named in "expected …" messages.
    public var spelling: String {
        switch self {
        case .identifier: return "a name"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .integer: return "an integer"
        case .number: return "a number"
        case .dimensions: return "dimensions"
        case .string: return "a string"
        case .arrow: return "'->'"
        case .dotDot: return "'..'"
        case .colon: return "':'"
        case .comma: return "','"
        case .semicolon: return "';'"
        case .dot: return "'.'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .percent: return "'%'"
        case .equals: return "'='"
        case .newline: return "a new line"
        case .endOfFile: return "the end of the file"
        }
    }
}

/// A literal's value, decoded by the lexer.
public enum TokenValue: Hashable, Sendable {
    case none
    case number(Double)
    case dimensions([Int])
    case string(String)
}

public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    public var range: SourceRange
    /// The spelling as written (for a string: including the quotes).
    public var text: String
    public var value: TokenValue

    public init(kind: TokenKind, range: SourceRange, text: String, value: TokenValue = .none) {
        self.kind = kind; self.range = range; self.text = text; self.value = value
    }

    /// An identifier or a reserved word: what may follow `.` or precede `:` as a label.
    var isWord: Bool {
        if case .identifier = kind { return true }
        if case .keyword = kind { return true }
        return false
    }

    var isSeparator: Bool { kind == .newline || kind == .semicolon }

    var statementKeyword: Keyword? {
        if case .keyword(let k) = kind, k.startsStatement { return k }
        return nil
    }

    /// How the token is named in "found …" messages.
    var description: String {
        switch kind {
        case .newline, .endOfFile: return kind.spelling
        case .string: return "a string"
        default:
            let t = text.count > 24 ? String(text.prefix(24)) + "…" : text
            return "'\(t)'"
        }
    }
}

/// A `#` comment: kept out of the token stream, attached to nodes by the parser for `eqx fmt`.
public struct Comment: Hashable, Sendable {
    /// From `#` to the end of the line, trailing white space removed.
    public var text: String
    public var range: SourceRange
}
