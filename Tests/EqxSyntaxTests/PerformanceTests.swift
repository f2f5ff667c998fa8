import XCTest
@testable import EqxSyntax

/// Not a timed test: prints how long a 200-line script takes, and checks only that it is not absurd.
final class PerformanceTests: XCTestCase {
    func testParsingATwoHundredLineScript() throws {
        let example = try Fixtures.source(Fixtures.packageRoot.appendingPathComponent("examples/flip_merge.eqx"))
        var lines = example.lineStarts.indices.map { example.lineText($0 + 1) }
        while lines.count < 200 { lines += lines.dropFirst(2) }
        let text = lines.prefix(200).joined(separator: "\n") + "\n"
        let file = SourceFile(name: "big.eqx", text: text)
        let (script, diagnostics) = parse(file)
        XCTAssertFalse(script.statements.isEmpty)
        _ = diagnostics
        let runs = 50
        let start = Date()
        for _ in 0..<runs { _ = parse(SourceFile(name: "big.eqx", text: text)) }
        let perParse = Date().timeIntervalSince(start) / Double(runs)
        let startFormat = Date()
        for _ in 0..<runs { _ = format(script) }
        let perFormat = Date().timeIntervalSince(startFormat) / Double(runs)
        print(String(format: "performance: 200 lines (%d bytes): parse %.2f ms, format %.2f ms", text.utf8.count,
                     perParse * 1000, perFormat * 1000))
        XCTAssertLessThan(perParse, 1.0)
    }
}
