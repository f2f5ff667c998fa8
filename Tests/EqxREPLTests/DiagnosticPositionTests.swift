@testable import EqxREPL
import EqxSyntax
import XCTest
import EqxTestSupport

/// Diagnostics are those of `eqx check`, positioned in what the user typed: `<repl>:LINE:COL` in the current
/// input, `<repl#N>` for the N-th accepted input, the file's own name and lines for a loaded script.
final class DiagnosticPositionTests: XCTestCase {
    func testErrorInTheCurrentInputIsPositionedInIt() {
        var t = Fixture.declared()
        let r = t.type("train t2 = mlp on digits.tran { mode nominal; steps 2 }")
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertEqual(r.errors, """
            error[E0404]: data has no member 'tran'
             --> <repl>:1:26
              |
            1 | train t2 = mlp on digits.tran { mode nominal; steps 2 }
              |                          ^^^^
              = help: use .train or .test

            """)
    }

    func testAnErrorDoesNotEndTheSession() {
        var t = Fixture.declared()
        XCTAssertEqual(t.type("foo").failure, .invalidInput)
        XCTAssertEqual(t.type("report accuracy(nothing, digits.test)").failure, .invalidInput)
        // The failed inputs left nothing behind; the session goes on.
        let r = t.type(Fixture.trainSmall)
        XCTAssertNil(r.failure, r.errors)
        XCTAssertNotContains(t.session.canonicalScript, "nothing")
        XCTAssertContains(t.session.canonicalScript, "train small = mlp on digits.train")
    }

    func testErrorInsideAnEarlierInputNamesThatInput() {
        var t = Transcript()
        // Input 1: shapes are only known once it meets data, which is declared after it.
        XCTAssertNil(t.type("net a {", "  conv 3x3 -> 8", "  global avgpool", "  linear -> 10 in 9", "}").failure)
        XCTAssertNil(t.type(Fixture.digits).failure, "later data does not turn the earlier net into an error")
        let r = t.type("train t = a on digits.train { mode nominal; steps 2 }")
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertContains(r.errors, "error[E0301]: shape mismatch in 'linear': expected input [N, 9], got [N, 8]\n --> <repl#1>:4:3\n  |\n4 |   linear -> 10 in 9")
    }

    /// A net nobody has trained yet is still checked: an unknown layer is an error at once.
    func testAnUnknownLayerInAnUntrainedNetIsAnErrorAtOnce() {
        var t = Transcript()
        t.type(Fixture.digits)
        let r = t.type("net a {", "  conv 3x3 -> 8", "  relux", "}")
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertContains(r.errors, "error[E0408]: unknown layer 'relux'\n --> <repl>:3:3\n  |\n3 |   relux\n  |   ^^^^^ not a layer")
        XCTAssertContains(r.errors, "did you mean 'relu'?")
        XCTAssertNotContains(r.errors, "never used")
    }

    func testLocationsInsideMessagesAndNotesAreMapped() {
        var t = Transcript()
        XCTAssertNil(t.type("net a(w) { flatten; linear -> w }").failure)
        t.type(Fixture.digits)
        let r = t.type("train t = a on digits.train { steps 1 }")
        XCTAssertContains(r.errors, "--> <repl>:1:11")
        XCTAssertContains(r.errors, "= note: parameter declared at <repl#1>:1:7")
        XCTAssertNotContains(r.errors, SessionScript.internalName)
    }

    func testLoadedScriptDiagnosticsUseItsNameAndLines() throws {
        let dir = try temporaryDirectory(self)
        try "eqx 1\nseed 3\n\ndata digits = builtin.digits\nnet n { flatten; linear -> 10 }\ntrain t = n on digits.tset { steps 1 }\n"
            .write(to: dir.appendingPathComponent("bad.eqx"), atomically: true, encoding: .utf8)
        var t = Transcript(ReplSession(options: ReplOptions(directory: dir, threads: 1)))
        let r = t.type(":load bad.eqx")
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertContains(r.errors, "--> bad.eqx:6:23")
        XCTAssertContains(r.errors, "6 | train t = n on digits.tset { steps 1 }")
        XCTAssertEqual(t.session.canonicalScript, "eqx 1\nseed 0\n", "a rejected load changes nothing")
    }

    func testWarningsAreShownOnce() {
        var t = Transcript()
        let first = t.type("let loss = 3")
        XCTAssertNil(first.failure)
        XCTAssertContains(first.errors, "warning[W0402]: 'loss' hides the built-in of the same name")
        let second = t.type("let y = 4")
        XCTAssertEqual(second.errors, "", "the session script is checked again, but old warnings stay quiet")
    }

    func testPlacesInSessionScriptAreRewritten() {
        let a = Segment(origin: .entry(1), text: "net a { relu }\n", display: SourceFile(name: "<repl#1>", text: "net a { relu }\n"))
        let q = Segment(origin: .query, text: "report x + 1\n", display: SourceFile(name: "<repl>", text: "x + 1\n"), shift: 7)
        let composed = SessionScript(seedText: "0", segments: [a]).composed(with: [q])
        // Header is lines 1–2, the entry line 3, the query line 4 (its column 8 is the user's column 1).
        XCTAssertEqual(composed.rewritePlaces("see \(SessionScript.internalName):3:5 and \(SessionScript.internalName):4:8."),
                       "see <repl#1>:1:5 and <repl>:1:1.")
        let (_, range) = composed.displayRange(SourceRange(start: composed.starts[2] + 7, end: composed.starts[2] + 8))
        XCTAssertEqual(range, SourceRange(start: 0, end: 1))
    }
}
