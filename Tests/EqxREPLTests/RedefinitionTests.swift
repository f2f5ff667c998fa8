@testable import EqxREPL
import Foundation
import XCTest
import EqxTestSupport

/// A name declared again shadows the old one (as in GHCi); what used the old one keeps its value;
/// `:forget` removes a name; `:save` renames what was hidden so `eqx run` reproduces the session.
final class RedefinitionTests: XCTestCase {
    func testARedefinitionShadowsTheOldName() {
        var t = Fixture.declared()
        XCTAssertNil(t.type("let width = 16").failure)
        let r = t.type("let width = 32")
        XCTAssertNil(r.failure, r.errors)
        XCTAssertEqual(r.errors, "", "no E0402")
        XCTAssertEqual(t.type("width").output, "32\n")
        XCTAssertEqual(t.type("width * 2").output, "64\n")
        XCTAssertEqual(t.type("let width = width + 1").failure, nil, "the right side means the old value")
        XCTAssertEqual(t.type("width").output, "33\n")
    }

    /// A training of the old net keeps the old net; a training of the new name gets the new one.
    func testWhatUsedTheOldValueKeepsIt() {
        var t = Fixture.declared()
        XCTAssertNil(t.type("train a = mlp on digits.train { mode nominal; steps 3 }").failure)
        XCTAssertNil(t.type("net mlp {", "  flatten", "  linear -> 10", "}").failure, "redefining a net")
        XCTAssertEqual(t.type(":type a").output, "a : network mlp(hidden: 32), [1, 8, 8] → [10]\n")
        XCTAssertNil(t.type("train b = mlp on digits.train { mode nominal; steps 3 }").failure)
        XCTAssertEqual(t.type(":type b").output, "b : network mlp, [1, 8, 8] → [10]\n")
        XCTAssertNil(t.type("accuracy(a, digits.test)").failure, "the old training still answers")

        // A training redefined: the new weights answer to the name; a merge made of the old one stays.
        XCTAssertNil(t.type("train c = mlp on digits.train { mode nominal; steps 4 }").failure)
        XCTAssertNil(t.type("merge m = b with c { match weights; alpha 0..1 step 0.5 }").failure)
        let barrier = t.type("m.barrier").output
        XCTAssertNil(t.type("train c = mlp on digits.train { mode nominal; steps 6 }").failure)
        let c = t.session.trainSpec(named: "c")
        XCTAssertEqual(c?.id, "c~2", "the second declaration's instance")
        XCTAssertEqual(t.session.executor?.trained["c~2"]?.outcome.steps, 6)
        XCTAssertEqual(t.session.executor?.trained["c"]?.outcome.steps, 4, "the first one is still there")
        XCTAssertEqual(t.type("m.barrier").output, barrier, "the merge made of the old 'c' is unchanged")
    }

    func testForgetRemovesANameAndItCanComeBack() {
        var t = Fixture.trained()
        let r = t.type(":forget small")
        XCTAssertNil(r.failure, r.errors)
        XCTAssertEqual(r.output, "forgot train small\n")
        let use = t.type("accuracy(small, digits.test)")
        XCTAssertEqual(use.failure, .invalidInput)
        XCTAssertContains(use.errors, "unknown")
        guard case .words(let names) = t.session.completions(for: "sm", before: "report ") else { return XCTFail() }
        XCTAssertFalse(names.contains("small"), "Tab no longer offers it")
        XCTAssertEqual(t.type(":forget small").failure, .usage, "already gone")
        XCTAssertContains(t.type(":forget smal").errors, "there is no 'smal' in the session")
        XCTAssertContains(t.type(":forget digit").errors, "did you mean 'digits'?")
        XCTAssertNil(t.type("train small = mlp on digits.train { mode nominal; steps 2 }").failure, "declared again")
        XCTAssertEqual(t.session.trainSpec(named: "small").flatMap { t.session.executor?.trained[$0.id] }?.outcome.steps, 2)
    }

    /// The saved script is valid and `eqx run` computes the same numbers the session showed.
    func testSaveRenamesShadowedAndForgottenDeclarations() throws {
        var t = Fixture.declared()
        XCTAssertNil(t.type("let w = 16").failure)
        XCTAssertNil(t.type("train a = mlp(hidden: w) on digits.train { mode nominal; steps 3 }").failure)
        XCTAssertNil(t.type("let w = 8").failure)
        XCTAssertNil(t.type("train a = mlp(hidden: w) on digits.train { mode nominal; steps 4 }").failure)
        XCTAssertNil(t.type("report accuracy(a, digits.test)").failure)
        XCTAssertNil(t.type(":forget flip").failure)
        let text = t.session.canonicalScript
        XCTAssertContains(text, "let w_1 = 16\n")
        XCTAssertContains(text, "train a_1 = mlp(hidden: w_1) on digits.train")
        XCTAssertContains(text, "let w = 8\n")
        XCTAssertContains(text, "train a = mlp(hidden: w) on digits.train")
        XCTAssertContains(text, "report accuracy(a, digits.test)")
        XCTAssertContains(text, "group flip_1 = mirror(horizontal)")

        let eqx = try EqxBinary.require()
        let dir = try temporaryDirectory(self)
        let file = dir.appendingPathComponent("s.eqx")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let check = try runProcess(eqx, ["check", file.path])
        XCTAssertEqual(check.status, 0, check.errors)
    }

    /// `trian t = …` gets the script's "did you mean 'train'?", also when the statement spans lines.
    func testMisspeltKeywordGetsADidYouMean() {
        var t = Fixture.declared()
        let r = t.type("trian u = mlp on digits.train { steps 1 }")
        XCTAssertEqual(r.failure, .invalidInput)
        XCTAssertContains(r.errors, "error[E0208]: unknown statement 'trian'")
        XCTAssertContains(r.errors, "did you mean 'train'?")
        XCTAssertNotContains(r.errors, "expected a new line")
        var m = Fixture.declared()
        XCTAssertTrue(m.type("trian u = mlp on digits.train {").needsMoreInput, "waits for the body")
        XCTAssertTrue(m.type("  steps 1").needsMoreInput)
        let end = m.type("}")
        XCTAssertEqual(end.failure, .invalidInput)
        XCTAssertEqual(end.errors.components(separatedBy: "error[").count - 1, 1, "one error for the whole statement:\n\(end.errors)")
        XCTAssertContains(end.errors, "did you mean 'train'?")
        XCTAssertContains(m.type("lte x = 1").errors, "did you mean 'let'?")
    }

    func testTimeReportsTheInputsWallClockTime() {
        var t = Fixture.declared()
        let start = Date()
        let r = t.type(":time train small = mlp on digits.train { mode nominal; steps 20 }")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertNil(r.failure, r.errors)
        XCTAssertContains(r.output, "trained small: 20 steps")
        let line = r.output.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(line.hasPrefix("time: "), line)
        let parts = line.dropFirst("time: ".count).split(separator: " ")
        guard parts.count == 2, let value = Double(parts[0]) else { return XCTFail(line) }
        let seconds = value * ["µs": 1e-6, "ms": 1e-3, "s": 1][String(parts[1]), default: .nan]
        XCTAssertGreaterThan(seconds, 0)
        XCTAssertLessThanOrEqual(seconds, elapsed * 1.01, "at most the time the test measured around it")
        XCTAssertNotNil(t.session.executor?.trained["small"], "the statement was entered")
        XCTAssertContains(t.type(":time 1 + 2").output, "3\ntime: ")
        XCTAssertEqual(t.type(":time net n {").failure, .usage, "one complete statement")
        XCTAssertFalse(t.session.isContinuing)
        XCTAssertEqual(ReplSession.formatSeconds(0.0123), "12.3 ms")
        XCTAssertEqual(ReplSession.formatSeconds(2.5), "2.5 s")
        XCTAssertEqual(ReplSession.formatSeconds(754), "12 min 34 s")
    }

    func testTIsStillType() {
        var t = Fixture.declared()
        XCTAssertEqual(t.type(":t flip").output, "flip : group mirror(horizontal)\n")
        XCTAssertContains(t.type(":ti 1").output, "time: ")
    }
}

/// The history keeps a multi-line statement as one entry, so Up recalls the whole block.
final class HistoryEntryTests: XCTestCase {
    func testAMultiLineStatementIsOneEntry() {
        var t = Fixture.declared()
        var entry = HistoryEntry()
        var remembered: [String] = []
        for line in ["net n {", "  flatten", "  linear -> 10", "}", "1 + 2"] {
            _ = t.session.submit(line)
            if let e = entry.add(line, continuing: t.session.isContinuing) { remembered.append(e) }
        }
        XCTAssertEqual(remembered, ["net n {\n  flatten\n  linear -> 10\n}", "1 + 2"])
        // Recalled and entered again, the block is one input.
        let again = t.session.submit(remembered[0])
        XCTAssertNil(again.failure, again.errors)
        XCTAssertFalse(t.session.isContinuing)
    }

    func testCtrlCKeepsWhatWasTyped() {
        var entry = HistoryEntry()
        XCTAssertNil(entry.add("net n {", continuing: true))
        XCTAssertEqual(entry.interrupted(), "net n {")
        XCTAssertNil(entry.interrupted(), "nothing left")
        XCTAssertEqual(entry.add("1 + 2", continuing: false), "1 + 2")
    }
}
