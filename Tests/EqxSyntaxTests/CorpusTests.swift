import XCTest
@testable import EqxSyntax

/// Every corpus file states what it must produce: `# expect: ok`, or one line per diagnostic,
/// `# expect-error: E0203 12:9` / `# expect-warning: W0201 1:1` (`-` for no position).
final class CorpusTests: XCTestCase {
    func expectations(_ file: SourceFile) -> (ok: Bool, diagnostics: [String]) {
        var ok = false
        var list: [String] = []
        for lineNumber in 1...file.lineStarts.count {
            let line = file.lineText(lineNumber).trimmingCharacters(in: .whitespaces)
            if line == "# expect: ok" { ok = true }
            for prefix in ["# expect-error: ", "# expect-warning: "] where line.hasPrefix(prefix) {
                list.append(String(line.dropFirst(prefix.count)))
            }
        }
        return (ok, list)
    }

    func testCorpusHasEnoughFiles() {
        XCTAssertGreaterThanOrEqual(Fixtures.corpus.count, 25)
    }

    func testEveryCorpusFileProducesExactlyItsExpectedDiagnostics() throws {
        for url in Fixtures.corpus {
            let file = try Fixtures.source(url)
            let (ok, expected) = expectations(file)
            XCTAssertTrue(ok != !expected.isEmpty, "\(url.lastPathComponent) must state its expectations")
            let (_, diagnostics) = parse(file)
            let actual = positions(diagnostics, in: file)
            if ProcessInfo.processInfo.environment["EQX_DUMP"] != nil {
                print("== \(url.lastPathComponent)\n" + actual.joined(separator: "\n"))
                print(DiagnosticRenderer().render(diagnostics, in: file))
            }
            XCTAssertEqual(actual.sorted(), expected.sorted(), url.lastPathComponent)
            // Warnings and errors keep their severity apart from their id.
            for d in diagnostics { XCTAssertEqual(d.id.hasPrefix("W"), d.severity == .warning, d.id) }
        }
    }

    /// parse(format(ast)) == ast (ranges aside), format is idempotent, and the formatted text is error-free,
    /// for every corpus file that parses without errors and for every example.
    func testRoundTripAndIdempotenceOnOkFilesAndExamples() throws {
        var checked = 0
        for url in Fixtures.corpus + Fixtures.examples {
            let file = try Fixtures.source(url)
            let (script, diagnostics) = parse(file)
            guard !diagnostics.contains(where: { $0.severity == .error }) else { continue }
            let text = format(script)
            let (again, diagnostics2) = parse(SourceFile(name: "formatted", text: text))
            XCTAssertEqual(diagnostics2.filter { $0.severity == .error }, [], url.lastPathComponent)
            XCTAssertEqual(again.strippingRanges(), script.strippingRanges(), url.lastPathComponent)
            XCTAssertEqual(format(again), text, "format is not idempotent on \(url.lastPathComponent)")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 18)
    }

    func testExamplesParseCleanly() throws {
        XCTAssertFalse(Fixtures.examples.isEmpty)
        for url in Fixtures.examples {
            let file = try Fixtures.source(url)
            let (script, diagnostics) = parse(file)
            XCTAssertEqual(diagnostics, [], url.lastPathComponent)
            XCTAssertFalse(script.statements.isEmpty)
        }
    }
}
