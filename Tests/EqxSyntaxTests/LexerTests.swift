import XCTest
@testable import EqxSyntax

final class LexerTests: XCTestCase {
    func lexed(_ text: String) -> LexedFile { lex(SourceFile(name: "t.eqx", text: text)) }

    func kinds(_ text: String) -> [TokenKind] { lexed(text).tokens.map(\.kind) }

    func testPunctuationAndOperators() {
        XCTAssertEqual(kinds("-> .. : , ; . ( ) [ ] { } + - * / ="),
                       [.arrow, .dotDot, .colon, .comma, .semicolon, .dot, .leftParen, .rightParen, .leftBracket,
                        .rightBracket, .leftBrace, .rightBrace, .plus, .minus, .star, .slash, .equals, .endOfFile])
        XCTAssertEqual(kinds("a->b"), [.identifier, .arrow, .identifier, .endOfFile])
        XCTAssertEqual(kinds("--1"), [.minus, .minus, .integer, .endOfFile])
    }

    func testKeywordsAndIdentifiers() {
        let tokens = lexed("train trainer _x on distance_to_E true").tokens
        XCTAssertEqual(tokens.map(\.kind), [.keyword(.train), .identifier, .identifier, .identifier, .identifier,
                                            .keyword(.true), .endOfFile])
        XCTAssertEqual(tokens.map(\.text).dropLast(), ["train", "trainer", "_x", "on", "distance_to_E", "true"])
        for k in Keyword.allCases { XCTAssertEqual(kinds(k.rawValue), [.keyword(k), .endOfFile]) }
    }

    func testNumbersKeepTheirSpellingAndValue() {
        let tokens = lexed("42 1_000 0.25 5e-4 1E+3 2.5e2").tokens.dropLast()
        XCTAssertEqual(tokens.map(\.kind), [.integer, .integer, .number, .number, .number, .number])
        XCTAssertEqual(tokens.map(\.text), ["42", "1_000", "0.25", "5e-4", "1E+3", "2.5e2"])
        XCTAssertEqual(tokens.map(\.value), [.number(42), .number(1000), .number(0.25), .number(5e-4), .number(1000), .number(250)])
    }

    func testRangesAreNotDecimals() {
        XCTAssertEqual(kinds("0..1"), [.integer, .dotDot, .integer, .endOfFile])
        XCTAssertEqual(kinds("1.x"), [.integer, .dot, .identifier, .endOfFile])
        XCTAssertEqual(kinds("1.5.x"), [.number, .dot, .identifier, .endOfFile])
    }

    func testDimensions() {
        let tokens = lexed("3x3 14x14x3 3 x 3").tokens
        XCTAssertEqual(tokens.map(\.kind), [.dimensions, .dimensions, .integer, .identifier, .integer, .endOfFile])
        XCTAssertEqual(tokens[0].value, .dimensions([3, 3]))
        XCTAssertEqual(tokens[1].value, .dimensions([14, 14, 3]))
    }

    func testStringEscapes() {
        let t = lexed(#""a\"b\\c\nd\te""#).tokens[0]
        XCTAssertEqual(t.kind, .string)
        XCTAssertEqual(t.value, .string("a\"b\\c\nd\te"))
        XCTAssertEqual(t.range, SourceRange(start: 0, end: 15))
        XCTAssertEqual(lexed(#""héllo ∂""#).tokens[0].value, .string("héllo ∂"))
    }

    func testNewlinesAndComments() {
        let result = lexed("a # one\r\n\n  # two\nb")
        XCTAssertEqual(result.tokens.map(\.kind), [.identifier, .newline, .newline, .newline, .identifier, .endOfFile])
        XCTAssertEqual(result.comments.map(\.text), ["# one", "# two"])
        XCTAssertEqual(result.comments[0].range, SourceRange(start: 2, end: 7))
        XCTAssertTrue(result.diagnostics.isEmpty)
    }

    func testTokenRangesAreByteRanges() {
        let tokens = lexed("é = 3x3").tokens
        // 'é' is a stray character (two bytes); the next tokens start after it.
        XCTAssertEqual(tokens.map(\.range), [SourceRange(start: 3, end: 4), SourceRange(start: 5, end: 8),
                                             SourceRange(start: 8, end: 8)])
    }

    func testByteOrderMarkIsSkipped() {
        let r = lex(SourceFile(name: "t", bytes: [0xEF, 0xBB, 0xBF] + Array("eqx 1".utf8)))
        XCTAssertEqual(r.tokens.map(\.kind), [.keyword(.eqx), .integer, .endOfFile])
        XCTAssertEqual(r.tokens[0].range.start, 3)
        XCTAssertTrue(r.diagnostics.isEmpty)
        // A BOM anywhere else is a stray character.
        let late = lex(SourceFile(name: "t", bytes: Array("a ".utf8) + [0xEF, 0xBB, 0xBF]))
        XCTAssertEqual(late.diagnostics.map(\.id), ["E0103"])
    }

    func testInvalidUTF8IsReportedWithItsOffsetAndLexingContinues() {
        let bytes: [UInt8] = Array("a ".utf8) + [0xFF, 0xC0] + Array(" b \"x".utf8) + [0xE2, 0x82] + Array("y\" # ".utf8) + [0x80]
        let r = lex(SourceFile(name: "t", bytes: bytes))
        XCTAssertEqual(r.diagnostics.map(\.id), ["E0101", "E0101", "E0101"])
        XCTAssertEqual(r.diagnostics.map { $0.range!.start }, [2, 9, 16])
        XCTAssertEqual(r.diagnostics[0].message, "invalid UTF-8: bytes 0xFF 0xC0 at offsets 2–3")
        XCTAssertEqual(r.diagnostics[2].message, "invalid UTF-8: byte 0x80 at offset 16")
        XCTAssertEqual(r.tokens.map(\.kind), [.identifier, .identifier, .string, .endOfFile])
        XCTAssertEqual(r.tokens[2].value, .string("x\u{FFFD}y"))
        // Overlong encodings and surrogates are invalid too.
        XCTAssertEqual(lex(SourceFile(name: "t", bytes: [0xC0, 0xAF])).diagnostics.map(\.id), ["E0101"])
        XCTAssertEqual(lex(SourceFile(name: "t", bytes: [0xED, 0xA0, 0x80])).diagnostics.map(\.id), ["E0101"])
    }

    func testLexicalErrors() {
        let cases: [(String, String, Int)] = [
            ("\"open", "E0102", 0),
            ("x = 12345678901234567890", "E0104", 4),
            ("1e400", "E0104", 0),
            (#""a\qb""#, "E0105", 2),
            ("2width", "E0106", 0),
            ("3x", "E0106", 0),
            ("1e", "E0106", 0),
            ("0...1", "E0107", 1),
            ("a @ b", "E0103", 2),
            ("3×3", "E0103", 1),
            ("'s'", "E0103", 0),
        ]
        for (text, id, offset) in cases {
            let d = lexed(text).diagnostics
            XCTAssertEqual(d.map(\.id), [id] + (text == "'s'" ? [id] : []), text)
            XCTAssertEqual(d.first?.range?.start, offset, text)
        }
    }

    func testUnterminatedStringStopsAtTheLineEnd() {
        let r = lexed("let a = \"abc\nseed 1")
        XCTAssertEqual(r.diagnostics.map(\.id), ["E0102"])
        XCTAssertEqual(r.tokens.map(\.kind), [.keyword(.let), .identifier, .equals, .string, .newline, .keyword(.seed),
                                              .integer, .endOfFile])
    }

    func testLargestExactIntegerIsAccepted() {
        XCTAssertTrue(lexed("9007199254740992").diagnostics.isEmpty)
        XCTAssertEqual(lexed("9007199254740993").diagnostics.map(\.id), ["E0104"])
        XCTAssertEqual(lexed("3x9007199254740993").diagnostics.map(\.id), ["E0104"])
    }

    func testStrayRunsAreOneDiagnosticWithHints() {
        let d = lexed("a $$$ b → c").diagnostics
        XCTAssertEqual(d.map(\.id), ["E0103", "E0103"])
        XCTAssertEqual(d[0].range, SourceRange(start: 2, end: 5))
        XCTAssertEqual(d[1].fixIts.map(\.replacement), ["->"])
    }
}

final class ContinuationTests: XCTestCase {
    func testOpenBracketsAskForMoreInput() {
        XCTAssertTrue(needsMoreInput("net n {"))
        XCTAssertTrue(needsMoreInput("net n {\n  relu\n  residual {\n  }"))
        XCTAssertTrue(needsMoreInput("let x = f(1,"))
        XCTAssertTrue(needsMoreInput("let x = [1,\n 2"))
        XCTAssertFalse(needsMoreInput("net n { relu }"))
        XCTAssertFalse(needsMoreInput("let s = \"{\"  # {"))
        XCTAssertFalse(needsMoreInput("seed 1 }"))
        XCTAssertFalse(needsMoreInput(""))
    }
}
