import XCTest
@testable import EqxSyntax

/// Files the tests read: the corpus (a resource of this target) and the repository's examples and grammar.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var corpusDirectory: URL {
        Bundle.module.url(forResource: "corpus", withExtension: nil)
            ?? packageRoot.appendingPathComponent("Tests/EqxSyntaxTests/corpus")
    }

    static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".eqx") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static var corpus: [URL] { files(in: corpusDirectory) }
    static var examples: [URL] { files(in: packageRoot.appendingPathComponent("examples")) }

    static func source(_ url: URL, name: String? = nil) throws -> SourceFile {
        SourceFile(name: name ?? url.lastPathComponent, bytes: Array(try Data(contentsOf: url)))
    }
}

/// `(id, "line:col")` for each diagnostic, `-` for one without a range.
func positions(_ diagnostics: [Diagnostic], in file: SourceFile) -> [String] {
    diagnostics.map { d in "\(d.id) " + (d.range.map { "\(file.location(of: $0.start))" } ?? "-") }
}

/// Parses a source with inline markers `⟨E0203⟩` placed where each diagnostic must start, and checks that the
/// parser reports exactly those (id, offset) pairs. Returns the script and diagnostics for further checks.
@discardableResult
func assertDiagnostics(_ marked: String, file: StaticString = #filePath, line: UInt = #line) -> (Script, [Diagnostic]) {
    var text = ""
    var expected: [String] = []
    var rest = Substring(marked)
    while let open = rest.firstIndex(of: "⟨") {
        text += rest[..<open]
        guard let close = rest[open...].firstIndex(of: "⟩") else { break }
        let id = rest[rest.index(after: open)..<close]
        expected.append("\(id)@\(text.utf8.count)")
        rest = rest[rest.index(after: close)...]
    }
    text += rest
    let source = SourceFile(name: "test.eqx", text: text)
    let (script, diagnostics) = parse(source)
    let actual = diagnostics.map { "\($0.id)@\($0.range.map { String($0.start) } ?? "-")" }
    XCTAssertEqual(actual.sorted(), expected.sorted(),
                   "\n" + DiagnosticRenderer().render(diagnostics, in: source), file: file, line: line)
    return (script, diagnostics)
}
