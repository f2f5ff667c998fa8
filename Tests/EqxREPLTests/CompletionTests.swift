@testable import EqxREPL
import XCTest

/// Tab offers commands, keywords, declared names and members.
final class CompletionTests: XCTestCase {
    func testCommands() {
        let s = ReplSession()
        XCTAssertEqual(s.completions(for: ":in", before: ""), .words([":info"]))
        XCTAssertEqual(s.completions(for: ":re", before: ""), .words([":reload", ":reset"]))
        XCTAssertEqual(s.completions(for: "sa", before: ":help "), .words(["save"]))
        XCTAssertEqual(s.completions(for: "se", before: ":set "), .words(["seed"]))
    }

    func testKeywordsNamesAndMembers() {
        var t = Fixture.declared()
        t.type("merge_me = 1")   // an error: not declared
        guard case .words(let tr) = t.session.completions(for: "tr", before: "") else { return XCTFail() }
        XCTAssertTrue(tr.contains("train") && tr.contains("translations"), "\(tr)")
        guard case .words(let names) = t.session.completions(for: "", before: "report accuracy(") else { return XCTFail() }
        for n in ["digits", "flip", "mlp", "tiny", "accuracy", "net"] { XCTAssertTrue(names.contains(n), n) }
        XCTAssertFalse(names.contains("merge_me"))
        XCTAssertEqual(t.session.completions(for: "digits.t", before: "accuracy(small, "), .words(["digits.test", "digits.train"]))
        XCTAssertEqual(t.session.completions(for: "fl", before: ":info "), .words(["flatten", "flip"]))
        XCTAssertEqual(t.session.completions(for: "builtin.d", before: "data d = "), .words(["builtin.digits"]))
    }
}
