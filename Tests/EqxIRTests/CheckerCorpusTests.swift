import EqxIR
import EqxSyntax
import XCTest

/// Every corpus file states what the front end must report, in comments (`CorpusExpectations`): `# expect: ok`,
/// or one line per diagnostic, `# expect-error: E0301 12:9` / `# expect-warning: W0501 8:3`, or a caret line.
/// The test compares the exact multiset of (severity, id, line:col).
final class CheckerCorpusTests: XCTestCase {
    func expectations(_ file: SourceFile) -> (ok: Bool, diagnostics: [String]) {
        let e = CorpusExpectations(file)
        return (e.ok, e.diagnostics)
    }

    func testCorpusHasAtLeastFortyFiles() {
        XCTAssertGreaterThanOrEqual(Fixtures.corpus.count, 40)
    }

    func testEveryCorpusFileProducesExactlyItsExpectedDiagnostics() throws {
        XCTAssertFalse(Fixtures.corpus.isEmpty, "corpus not found at \(Fixtures.corpusDirectory.path)")
        for url in Fixtures.corpus {
            let file = try Fixtures.source(url)
            let (ok, expected) = expectations(file)
            XCTAssertTrue(ok != !expected.isEmpty, "\(url.lastPathComponent) must state its expectations (ok or a list)")
            let (program, diagnostics) = checkSource(file)
            let actual = positions(diagnostics, in: file)
            if ProcessInfo.processInfo.environment["EQX_DUMP"] != nil {
                print("== \(url.lastPathComponent)\n" + actual.joined(separator: "\n"))
                print(DiagnosticRenderer().render(diagnostics, in: file))
            }
            XCTAssertEqual(actual.sorted(), expected.sorted(),
                           "\(url.lastPathComponent)\n" + DiagnosticRenderer().render(diagnostics, in: file))
            let errors = diagnostics.contains { $0.severity == .error }
            XCTAssertEqual(program == nil, errors, "a program exactly when there are no errors: \(url.lastPathComponent)")
            for d in diagnostics {
                XCTAssertEqual(d.id.hasPrefix("W"), d.severity == .warning, "\(d.id) in \(url.lastPathComponent)")
                XCTAssertFalse(d.message.isEmpty)
            }
        }
    }

    /// The examples are what users start from: they must check without errors or warnings. Named datasets
    /// get their published shapes from the corpus probe; examples that read data files by path need the
    /// runtime's file probe, and the CLI tests check those with `eqx check`.
    func testExamplesCheckCleanly() throws {
        XCTAssertGreaterThanOrEqual(Fixtures.examples.count, 4)
        var checked = 0
        for url in Fixtures.examples {
            let file = try Fixtures.source(url)
            let text = String(decoding: file.bytes, as: UTF8.self)
            if ["idx(", "cifar10(", "npy(", "npz(", "csv("].contains(where: text.contains) { continue }
            checked += 1
            let (program, diagnostics) = checkSource(file, probe: CorpusDataProbe())
            XCTAssertEqual(positions(diagnostics, in: file), [], url.lastPathComponent + "\n"
                           + DiagnosticRenderer().render(diagnostics, in: file))
            XCTAssertNotNil(program, url.lastPathComponent)
        }
        XCTAssertGreaterThanOrEqual(checked, 4)
    }
}
