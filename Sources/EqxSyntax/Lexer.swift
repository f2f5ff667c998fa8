/// Turns a file's bytes into tokens, comments and lexical diagnostics (E01xx).
///
/// The lexer never stops early: a bad byte or an unterminated string is reported and scanning goes on,
/// so the parser always sees the whole file. Every newline is a token; the parser decides where newlines
/// are insignificant (inside parentheses and brackets).
public struct LexedFile: Sendable {
    public var tokens: [Token]
    public var comments: [Comment]
    public var diagnostics: [Diagnostic]
}

/// The largest integer a literal may spell: every integer up to 2^53 is exact as a Double.
let largestLiteralInteger: Double = 9_007_199_254_740_992

public func lex(_ file: SourceFile) -> LexedFile {
    var lexer = Lexer(bytes: file.bytes)
    lexer.run()
    return LexedFile(tokens: lexer.tokens, comments: lexer.comments, diagnostics: lexer.diagnostics)
}

struct Lexer {
    let bytes: [UInt8]
    var i = 0
    var tokens: [Token] = []
    var comments: [Comment] = []
    var diagnostics: [Diagnostic] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func run() {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
            case UInt8(ascii: "\n"):
                add(.newline, from: i, to: i + 1)
            case UInt8(ascii: "#"):
                scanComment()
            case UInt8(ascii: "\""):
                scanString()
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                scanNumber()
            case _ where isIdentifierStart(b):
                scanWord()
            default:
                if !scanPunctuation() { scanStray() }
            }
        }
        tokens.append(Token(kind: .endOfFile, range: SourceRange(start: bytes.count, end: bytes.count), text: ""))
    }

    // MARK: Helpers

    func byte(_ k: Int) -> UInt8? { k < bytes.count ? bytes[k] : nil }

    func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_")
    }

    func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }

    func isIdentifierPart(_ b: UInt8?) -> Bool { b.map { isIdentifierStart($0) || isDigit($0) } ?? false }

    func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    mutating func add(_ kind: TokenKind, from start: Int, to end: Int, value: TokenValue = .none) {
        tokens.append(Token(kind: kind, range: SourceRange(start: start, end: end), text: text(start, end), value: value))
        i = end
    }

    mutating func error(_ id: String, _ message: String, _ start: Int, _ end: Int, label: String? = nil,
                        help: String? = nil, fixIts: [FixIt] = []) {
        guard diagnostics.count < Parser.maximumErrors else {
            if diagnostics.count == Parser.maximumErrors {
                diagnostics.append(.error("E0215", "too many errors; the rest of the file is not checked",
                                          at: SourceRange(start: start, end: end), label: "stopped here",
                                          help: "is this a text file in UTF-8?"))
            }
            return
        }
        diagnostics.append(.error(id, message, at: SourceRange(start: start, end: end), label: label, help: help,
                                  fixIts: fixIts))
    }

    /// Length of the well-formed UTF-8 sequence at `k` (Unicode Table 3-7), or nil if the byte there starts none.
    func scalarLength(at k: Int) -> Int? {
        let b0 = bytes[k]
        if b0 < 0x80 { return 1 }
        func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            guard let b = byte(k + j) else { return false }
            return b >= lo && b <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : nil
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE, 0xEF: return cont(1) && cont(2) ? 3 : nil
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : nil
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : nil
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : nil
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : nil
        default: return nil
        }
    }

    /// Reports the run of invalid bytes starting at `k` and returns the offset after it.
    mutating func reportInvalidUTF8(at k: Int) -> Int {
        var end = k + 1
        while end < bytes.count, bytes[end] >= 0x80, scalarLength(at: end) == nil { end += 1 }
        let hex = bytes[k..<min(end, k + 4)].map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
        let what = end - k == 1 ? "byte \(hex) at offset \(k)" : "bytes \(hex)\(end - k > 4 ? " …" : "") at offsets \(k)–\(end - 1)"
        error("E0101", "invalid UTF-8: \(what)", k, end, label: "not UTF-8",
              help: "save the file as UTF-8")
        return end
    }

    // MARK: Comments and strings

    mutating func scanComment() {
        let start = i
        var k = i
        while k < bytes.count, bytes[k] != UInt8(ascii: "\n") {
            if bytes[k] < 0x80 { k += 1 } else if let len = scalarLength(at: k) { k += len } else { k = reportInvalidUTF8(at: k) }
        }
        var end = k
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t")
                || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        comments.append(Comment(text: text(start, end), range: SourceRange(start: start, end: end)))
        i = k
    }

    mutating func scanString() {
        let start = i
        var k = i + 1
        var value: [UInt8] = []
        while true {
            guard let b = byte(k), b != UInt8(ascii: "\n") else {
                var end = k
                if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                error("E0102", "unterminated string", start, max(end, start + 1), label: "this string has no closing '\"'",
                      help: "strings end on the line they start; close it with '\"'")
                add(.string, from: start, to: k, value: .string(String(decoding: value, as: UTF8.self)))
                return
            }
            if b == UInt8(ascii: "\"") { k += 1; break }
            if b == UInt8(ascii: "\\") {
                switch byte(k + 1) {
                case UInt8(ascii: "\""): value.append(UInt8(ascii: "\"")); k += 2
                case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\")); k += 2
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n")); k += 2
                case UInt8(ascii: "t"): value.append(UInt8(ascii: "\t")); k += 2
                case nil, UInt8(ascii: "\n"): value.append(b); k += 1
                case let e?:
                    let len = e >= 0x80 ? (scalarLength(at: k + 1) ?? 1) : 1
                    error("E0105", "unknown escape '\\\(text(k + 1, k + 1 + len))' in a string", k, k + 1 + len,
                          help: "the escapes are \\\" \\\\ \\n \\t; write \\\\ for a backslash")
                    value.append(contentsOf: bytes[k..<(k + 1 + len)])
                    k += 1 + len
                }
                continue
            }
            if b >= 0x80 {
                if let len = scalarLength(at: k) {
                    value.append(contentsOf: bytes[k..<(k + len)]); k += len
                } else {
                    let end = reportInvalidUTF8(at: k)
                    value.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    k = end
                }
                continue
            }
            value.append(b); k += 1
        }
        add(.string, from: start, to: k, value: .string(String(decoding: value, as: UTF8.self)))
    }

    // MARK: Numbers and words

    /// INTEGER, NUMBER or DIMENSIONS. Letters glued to a number (`2width`, `3x`, `1e`) make it malformed.
    mutating func scanNumber() {
        let start = i
        var k = i
        func scanInteger(_ k: inout Int) {
            while let b = byte(k), isDigit(b) || b == UInt8(ascii: "_") { k += 1 }
        }
        func scanExponent(_ k: inout Int) -> Bool {
            guard let e = byte(k), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") else { return false }
            var j = k + 1
            if let s = byte(j), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { j += 1 }
            guard isDigit(byte(j)) else { return false }
            while isDigit(byte(j)) { j += 1 }
            k = j
            return true
        }
        scanInteger(&k)
        var kind = TokenKind.integer
        var parts: [(Int, Int)] = [(start, k)]
        if byte(k) == UInt8(ascii: "."), isDigit(byte(k + 1)) {
            k += 1
            while isDigit(byte(k)) { k += 1 }
            _ = scanExponent(&k)
            kind = .number
        } else if scanExponent(&k) {
            kind = .number
        } else if byte(k) == UInt8(ascii: "x"), isDigit(byte(k + 1)) {
            kind = .dimensions
            while byte(k) == UInt8(ascii: "x"), isDigit(byte(k + 1)) {
                let s = k + 1
                k = s
                scanInteger(&k)
                parts.append((s, k))
            }
        }
        if isIdentifierPart(byte(k)) {
            let good = k
            while isIdentifierPart(byte(k)) { k += 1 }
            let spelled = text(start, k)
            var help = "a name must start with a letter or '_'"
            if kind == .integer, byte(good) == UInt8(ascii: "x") { help = "dimensions are integers joined by 'x' with no spaces: 3x3" }
            if kind == .integer, byte(good) == UInt8(ascii: "e") || byte(good) == UInt8(ascii: "E") { help = "an exponent needs digits: 1e-3" }
            error("E0106", "malformed number '\(spelled)'", start, k, help: help)
            add(.integer, from: start, to: k, value: .number(0))
            return
        }
        func digits(_ r: (Int, Int)) -> String {
            String(decoding: bytes[r.0..<r.1].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        }
        /// The value of a digit string, or infinity past 2^53 (compared exactly, not after rounding).
        func exactInteger(_ digits: String) -> Double {
            guard digits.count <= 18, let n = UInt64(digits), n <= 1 << 53 else { return .infinity }
            return Double(n)
        }
        switch kind {
        case .dimensions:
            var sizes: [Int] = []
            for p in parts {
                let v = exactInteger(digits(p))
                if v > largestLiteralInteger {
                    error("E0104", "size \(text(p.0, p.1)) is too large", p.0, p.1, label: "at most 2^53")
                    sizes.append(0)
                } else {
                    sizes.append(Int(v))
                }
            }
            add(.dimensions, from: start, to: k, value: .dimensions(sizes))
        case .integer:
            var v = exactInteger(digits((start, k)))
            if v > largestLiteralInteger {
                error("E0104", "integer \(text(start, k)) is too large", start, k, label: "at most 2^53 = 9007199254740992",
                      help: "write a decimal number such as 1e20 if a float is meant")
                v = 0
            }
            add(.integer, from: start, to: k, value: .number(v))
        default:
            var v = Double(digits((start, k))) ?? .infinity
            if !v.isFinite {
                error("E0104", "number \(text(start, k)) is out of range", start, k, label: "larger than the largest Double")
                v = 0
            }
            add(.number, from: start, to: k, value: .number(v))
        }
    }

    mutating func scanWord() {
        var k = i + 1
        while isIdentifierPart(byte(k)) { k += 1 }
        let word = text(i, k)
        add(Keyword(rawValue: word).map { .keyword($0) } ?? .identifier, from: i, to: k)
    }

    // MARK: Punctuation and stray characters

    static let singles: [UInt8: TokenKind] = [
        UInt8(ascii: ":"): .colon, UInt8(ascii: ","): .comma, UInt8(ascii: ";"): .semicolon,
        UInt8(ascii: "("): .leftParen, UInt8(ascii: ")"): .rightParen, UInt8(ascii: "["): .leftBracket,
        UInt8(ascii: "]"): .rightBracket, UInt8(ascii: "{"): .leftBrace, UInt8(ascii: "}"): .rightBrace,
        UInt8(ascii: "+"): .plus, UInt8(ascii: "*"): .star, UInt8(ascii: "/"): .slash, UInt8(ascii: "%"): .percent,
        UInt8(ascii: "="): .equals,
    ]
    static let known: Set<UInt8> = Set(":,;()[]{}+-*/%=.#\" \t\r\n".utf8)

    mutating func scanPunctuation() -> Bool {
        let b = bytes[i]
        let single = Lexer.singles

        if b == UInt8(ascii: "-") {
            if byte(i + 1) == UInt8(ascii: ">") { add(.arrow, from: i, to: i + 2) } else { add(.minus, from: i, to: i + 1) }
            return true
        }
        if b == UInt8(ascii: ".") {
            if byte(i + 1) == UInt8(ascii: ".") {
                if byte(i + 2) == UInt8(ascii: ".") {
                    let r = SourceRange(start: i, end: i + 3)
                    error("E0107", "ranges are written with '..'", i, i + 3, label: "'...' is not an operator",
                          help: "a..b includes both ends", fixIts: [FixIt(range: r, replacement: "..")])
                    tokens.append(Token(kind: .dotDot, range: r, text: ".."))
                    i += 3
                } else {
                    add(.dotDot, from: i, to: i + 2)
                }
            } else {
                add(.dot, from: i, to: i + 1)
            }
            return true
        }
        guard let kind = single[b] else { return false }
        add(kind, from: i, to: i + 1)
        return true
    }

    /// Characters that start no token: reported once per run, with a hint for common look-alikes.
    mutating func scanStray() {
        if bytes[i] >= 0x80, scalarLength(at: i) == nil { i = reportInvalidUTF8(at: i); return }
        let start = i
        var k = i
        func isStray(_ k: Int) -> Bool {
            guard let b = byte(k) else { return false }
            if b >= 0x80 { return scalarLength(at: k) != nil }
            return !Lexer.known.contains(b) && !isIdentifierPart(b)
        }
        while isStray(k) { k += bytes[k] >= 0x80 ? scalarLength(at: k)! : 1 }
        let spelled = text(start, k)
        var help: String?
        var fixIts: [FixIt] = []
        let r = SourceRange(start: start, end: k)
        switch spelled {
        case "'": help = "strings use double quotes: \"…\""
        case "×": help = "dimensions use the letter x: 3x3"; fixIts = [FixIt(range: r, replacement: "x")]
        case "→": help = "the output arrow is written '->'"; fixIts = [FixIt(range: r, replacement: "->")]
        case "…": help = "ranges are written with '..'"; fixIts = [FixIt(range: r, replacement: "..")]
        case "−", "–": help = "write '-' for a minus sign"; fixIts = [FixIt(range: r, replacement: "-")]
        case "“", "”": help = "strings use plain double quotes \""; fixIts = [FixIt(range: r, replacement: "\"")]
        default: break
        }
        let shown = spelled.unicodeScalars.count > 12 ? String(spelled.unicodeScalars.prefix(12)) + "…" : spelled
        let printable = shown.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
        let code = String(spelled.unicodeScalars.first!.value, radix: 16, uppercase: true)
        let what = printable ? "'\(shown)'" : "U+" + String(repeating: "0", count: max(0, 4 - code.count)) + code
        error("E0103", "unexpected character\(spelled.unicodeScalars.count > 1 ? "s" : "") \(what)", start, k,
              label: "not part of any token", help: help, fixIts: fixIts)
        i = k
    }
}
