import XCTest
@testable import EqxSyntax

/// Complete renderings compared byte for byte.
final class DiagnosticRendererTests: XCTestCase {
    let renderer = DiagnosticRenderer()

    func testShapeMismatchInTheHouseStyle() {
        var lines = (1...10).map { "# line \($0)" }
        lines.append("  pool: maxpool 2")
        lines.append("  linear -> 10 in 128")
        let file = SourceFile(name: "examples/flip.eqx", text: lines.joined(separator: "\n") + "\n")
        let line12 = file.lineStarts[11], line11 = file.lineStarts[10]
        let d = Diagnostic.error("E0301", "shape mismatch in 'fc': expected input [N, 128], got [N, 64]",
                                 at: SourceRange(start: line12 + 2, end: line12 + 8), label: "expected [N, 128]",
                                 notes: [DiagnosticNote("the input comes from 'pool'", range: SourceRange(start: line11 + 2, end: line11 + 6))],
                                 help: "did you mean 'relu'?")
        XCTAssertEqual(renderer.render(d, in: file, color: false), """
            error[E0301]: shape mismatch in 'fc': expected input [N, 128], got [N, 64]
              --> examples/flip.eqx:12:3
               |
            12 |   linear -> 10 in 128
               |   ^^^^^^ expected [N, 128]
               = note: the input comes from 'pool' at examples/flip.eqx:11:3
               = help: did you mean 'relu'?

            """)
    }

    func testNoteThatAlreadyNamesItsPlaceIsNotRepeated() {
        let file = SourceFile(name: "a.eqx", text: "relu\nconv\n")
        let d = Diagnostic.error("E0301", "m", at: SourceRange(start: 5, end: 9),
                                 notes: [DiagnosticNote("comes from 'x' at a.eqx:1:1", range: SourceRange(start: 0, end: 4)),
                                         DiagnosticNote("a note without a place")])
        XCTAssertEqual(renderer.render(d, in: file), """
            error[E0301]: m
             --> a.eqx:2:1
              |
            2 | conv
              | ^^^^
              = note: comes from 'x' at a.eqx:1:1
              = note: a note without a place

            """)
    }

    func testParserDiagnosticWithFixItButNoHelp() {
        let file = SourceFile(name: "s.eqx", text: "eqx 1\ndata digits builtin.digits\n")
        let (_, d) = parse(file)
        XCTAssertEqual(renderer.render(d, in: file), """
            error[E0203]: expected '=' after data name 'digits'
             --> s.eqx:2:13
              |
            2 | data digits builtin.digits
              |             ^^^^^^^ expected '='
              = help: insert '= '

            1 error

            """)
    }

    func testUnclosedBraceAtTheEndOfTheFile() {
        let file = SourceFile(name: "s.eqx", text: "eqx 1\nnet cnn {\n  relu\n")
        let (_, d) = parse(file)
        XCTAssertEqual(renderer.render(d[0], in: file), """
            error[E0205]: unclosed '{' of net 'cnn'
             --> s.eqx:2:9
              |
            2 | net cnn {
              |         ^ this '{' has no matching '}'
              = note: the file ends before it is closed
              = help: add '}' after the last line of the body

            """)
    }

    func testMissingTokenAtTheEndOfALineGetsOneCaretAfterIt() {
        let file = SourceFile(name: "s.eqx", text: "eqx 1\nlet a = f(1, 2\nseed 1\n")
        let (_, d) = parse(file)
        XCTAssertEqual(renderer.render(d, in: file), """
            error[E0206]: expected ')' to close '('
             --> s.eqx:2:15
              |
            2 | let a = f(1, 2
              |               ^ expected ')'
              = note: '(' opened here at s.eqx:2:10
              = help: insert ')'

            1 error

            """)
    }

    func testEmptyScriptIsAtTheFirstLine() {
        let file = SourceFile(name: "empty.eqx", text: "")
        let (_, d) = parse(file)
        XCTAssertEqual(renderer.render(d, in: file), """
            error[E0201]: empty script
             --> empty.eqx:1:1
              |
            1 |
              | ^ no statement in the file
              = help: a script starts with the version line 'eqx 1'

            1 error

            """)
    }

    func testWarningInColour() {
        let file = SourceFile(name: "w.eqx", text: "seed 1\n")
        let (_, d) = parse(file)
        let esc = "\u{1B}["
        XCTAssertEqual(renderer.render(d[0], in: file, color: true),
            "\(esc)33;1mwarning[W0201]\(esc)0m\(esc)1m: missing version line 'eqx 1'\(esc)0m\n"
            + " \(esc)34;1m-->\(esc)0m w.eqx:1:1\n"
            + "  \(esc)34;1m|\(esc)0m\n"
            + "\(esc)34;1m1 |\(esc)0m seed 1\n"
            + "  \(esc)34;1m|\(esc)0m \(esc)33;1m^^^^ the script starts here\(esc)0m\n"
            + "  \(esc)1m= help:\(esc)0m start the script with 'eqx 1' so later versions of eqx can read it\n")
        XCTAssertFalse(renderer.render(d[0], in: file, color: false).contains("\u{1B}"))
    }

    func testErrorsAreRedInColour() {
        let file = SourceFile(name: "e.eqx", text: "eqx 2\n")
        let (_, d) = parse(file)
        XCTAssertTrue(renderer.render(d[0], in: file, color: true).hasPrefix("\u{1B}[31;1merror[E0202]\u{1B}[0m"))
    }

    func testWideGutterTabsAndMultiLineRanges() {
        let text = String(repeating: "\n", count: 120) + "\tconv 3x3 (\n  more)\n"
        let file = SourceFile(name: "t.eqx", text: text)
        let start = file.lineStarts[120] + 6
        let d = Diagnostic(id: "E0999", severity: .error, message: "m", range: SourceRange(start: start, end: start + 10),
                           fixIts: [FixIt(range: SourceRange(start: start, end: start + 3), replacement: "5x5"),
                                    FixIt(range: SourceRange(start: start, end: start + 3), replacement: "")])
        XCTAssertEqual(renderer.render(d, in: file), """
            error[E0999]: m
               --> t.eqx:121:7
                |
            121 | \tconv 3x3 (
                | \t     ^^^^^
                = help: replace with '5x5'
                = help: remove this

            """)
    }

    func testSummary() {
        let e = Diagnostic.error("E1", "x", at: nil), w = Diagnostic.warning("W1", "y", at: nil)
        XCTAssertEqual(DiagnosticRenderer.summary([e, e, w]), "2 errors, 1 warning")
        XCTAssertEqual(DiagnosticRenderer.summary([w, w]), "2 warnings")
        XCTAssertEqual(DiagnosticRenderer.summary([e]), "1 error")
        XCTAssertEqual(DiagnosticRenderer.summary([]), "no problems")
    }
}
