import EqxIR
import EqxSyntax
import XCTest

/// Common newcomer mistakes (corpus/mistakes): each file holds exactly one mistake, and the front end must
/// report it as exactly one error — no follow-on errors from the names the mistake poisoned.
final class MistakeCorpusTests: XCTestCase {
    var mistakes: [URL] { Fixtures.files(in: Fixtures.corpusDirectory.appendingPathComponent("mistakes")) }

    func testTheCorpusCoversTwentyMistakes() {
        XCTAssertGreaterThanOrEqual(mistakes.count, 20)
    }

    func testEveryMistakeIsExactlyOneErrorWhereItIsMarked() throws {
        for url in mistakes {
            let file = try Fixtures.source(url)
            let expected = CorpusExpectations(file).diagnostics
            XCTAssertEqual(expected.filter { $0.hasPrefix("error ") }.count, 1, "\(url.lastPathComponent) must mark one error")
            let text = String(decoding: file.bytes, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("# mistake: "), "\(url.lastPathComponent) says what the mistake is")
            let (program, diagnostics) = checkSource(file)
            XCTAssertNil(program, url.lastPathComponent)
            XCTAssertEqual(positions(diagnostics, in: file).sorted(), expected.sorted(),
                           "\(url.lastPathComponent)\n" + DiagnosticRenderer().render(diagnostics, in: file))
        }
    }

    /// The corrected scripts check cleanly, so each error above really is the only mistake in its file.
    func testTheFixItsRepairTheMistakes() throws {
        for url in mistakes {
            let file = try Fixtures.source(url)
            let (_, diagnostics) = checkSource(file)
            let fixIts = diagnostics.filter { $0.severity == .error }.flatMap(\.fixIts)
            guard !fixIts.isEmpty else { continue }
            var bytes = file.bytes
            for f in fixIts.sorted(by: { $0.range.start > $1.range.start }) {
                bytes.replaceSubrange(f.range.start..<f.range.end, with: Array(f.replacement.utf8))
            }
            let fixed = SourceFile(name: url.lastPathComponent, bytes: bytes)
            let (_, after) = checkSource(fixed)
            XCTAssertEqual(after.filter { $0.severity == .error }.map(\.id), [],
                           "\(url.lastPathComponent) after its fix-its\n" + DiagnosticRenderer().render(after, in: fixed))
        }
    }

    func testCaretMarkers() {
        XCTAssertEqual(CorpusExpectations.caret("#   ^ E0408")?.column, 5)
        XCTAssertEqual(CorpusExpectations.caret("# ^ W0403")?.id, "W0403")
        XCTAssertNil(CorpusExpectations.caret("# a ^ E0408"))
        XCTAssertNil(CorpusExpectations.caret("#   ^ not an id"))
        let file = SourceFile(name: "t", text: "net a {\n  rleu\n# ^ E0408\n# ^ W0403\n}\n")
        XCTAssertEqual(CorpusExpectations(file).diagnostics, ["error E0408 2:3", "warning W0403 2:3"])
    }
}
