@testable import EqxREPL
import EqxSyntax
import XCTest

/// An input continues while the parser's only complaint is that it stopped inside an open bracket.
final class MultiLineInputTests: XCTestCase {
    func testNetDeclarationContinuesUntilItsBraceCloses() {
        var t = Transcript()
        XCTAssertTrue(t.type("net tiny {").needsMoreInput)
        XCTAssertTrue(t.session.isContinuing)
        XCTAssertTrue(t.type("  conv 3x3 -> 4 pad 1").needsMoreInput)
        XCTAssertTrue(t.type("  relu").needsMoreInput)
        let done = t.type("}")
        XCTAssertFalse(done.needsMoreInput)
        XCTAssertNil(done.failure, done.errors)
        XCTAssertFalse(t.session.isContinuing)
        XCTAssertContains(t.session.canonicalScript, "net tiny {\n  conv 3x3 -> 4 pad 1\n  relu\n}")
    }

    func testExpressionContinuesInsideParentheses() {
        var t = Transcript()
        XCTAssertTrue(t.type("(1 +").needsMoreInput)
        let r = t.type(" 2) * 3")
        XCTAssertEqual(r.output, "9\n")
        XCTAssertNil(r.failure)
    }

    func testTrainOptionsContinueOverLines() {
        var t = Fixture.declared()
        XCTAssertTrue(t.type("train small = mlp on digits.train {").needsMoreInput)
        XCTAssertTrue(t.type("  mode nominal").needsMoreInput)
        XCTAssertTrue(t.type("  steps 3").needsMoreInput)
        let r = t.type("}")
        XCTAssertNil(r.failure, r.errors)
        XCTAssertContains(r.output, "trained small: 3 steps")
    }

    func testStatementEndedByALineBreakIsReportedAtOnce() {
        var t = Transcript()
        let r = t.type("let x = 1 +")
        XCTAssertFalse(r.needsMoreInput)
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertContains(r.errors, "error[E0210]: expected an expression after '+', found a new line")
        XCTAssertContains(r.errors, "--> <repl>:1:12")
        XCTAssertFalse(t.session.isContinuing)
    }

    func testErrorInsideAnOpenBodyIsReportedAtOnce() {
        var t = Transcript()
        XCTAssertTrue(t.type("net a {").needsMoreInput)
        let r = t.type("  conv 3x3 -> 8 )")
        XCTAssertFalse(r.needsMoreInput, "a stray ')' cannot be completed by more lines")
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertContains(r.errors, "--> <repl>:2:")
        XCTAssertFalse(t.session.isContinuing)
    }

    func testMissingBraceBeforeANewStatementIsAnError() {
        var t = Transcript()
        t.type("net e {", "  relu")
        let r = t.type("train t = e on digits.train {")
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertContains(r.errors, "unclosed '{' of net 'e'")
        XCTAssertContains(r.errors, "the body seems to end before 'train' at <repl>:3:1")
    }

    func testCancelForgetsTheUnfinishedInput() {
        var t = Transcript()
        XCTAssertTrue(t.type("net a {").needsMoreInput)
        t.session.cancelInput()
        XCTAssertFalse(t.session.isContinuing)
        XCTAssertEqual(t.type("1 + 1").output, "2\n")
    }

    func testEndOfInputReportsTheUnfinishedStatement() {
        var t = Transcript()
        XCTAssertTrue(t.type("net a {").needsMoreInput)
        let r = t.session.endOfInput()
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertContains(r.errors, "unclosed '{' of net 'a'")
    }

    func testAnalysisOfFormsAndBrackets() {
        func analysis(_ s: String) -> InputAnalysis { InputAnalysis(SourceFile(name: "t", text: s)) }
        XCTAssertEqual(analysis("# just a comment\n").form, .blank)
        XCTAssertEqual(analysis("net a { relu }\n").form, .statements)
        XCTAssertEqual(analysis("x = 5\n").form, .statements)
        XCTAssertEqual(analysis("small\n").form, .expression)
        XCTAssertEqual(analysis("-4\n").form, .expression)
        XCTAssertEqual(analysis("accuracy(a, [b\n").openBrackets, 2)
        XCTAssertNil(analysis("f(]\n").openBrackets)
    }
}
