import XCTest
@testable import EqxSyntax

/// grammar/eqx.tmLanguage.json: valid JSON, the right scope, every include resolvable, every regular
/// expression compilable, and the main patterns matching what the lexer accepts.
final class EditorGrammarTests: XCTestCase {
    func grammar() throws -> [String: Any] {
        let url = Fixtures.packageRoot.appendingPathComponent("grammar/eqx.tmLanguage.json")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Every dictionary in the grammar, depth first.
    func rules(_ value: Any) -> [[String: Any]] {
        if let d = value as? [String: Any] { return [d] + d.values.flatMap(rules) }
        if let a = value as? [Any] { return a.flatMap(rules) }
        return []
    }

    func testHeaderAndIncludes() throws {
        let g = try grammar()
        XCTAssertEqual(g["scopeName"] as? String, "source.eqx")
        XCTAssertEqual(g["fileTypes"] as? [String], ["eqx"])
        let repository = try XCTUnwrap(g["repository"] as? [String: Any])
        for rule in rules(g) {
            if let include = rule["include"] as? String {
                XCTAssertTrue(include.hasPrefix("#") && repository[String(include.dropFirst())] != nil, include)
            }
        }
    }

    func testRegularExpressionsCompile() throws {
        var count = 0
        for rule in rules(try grammar()) {
            for key in ["match", "begin", "end"] {
                guard let pattern = rule[key] as? String else { continue }
                XCTAssertNoThrow(try NSRegularExpression(pattern: pattern), pattern)
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 15)
    }

    func pattern(_ name: String, in g: [String: Any]) throws -> NSRegularExpression {
        let repository = try XCTUnwrap(g["repository"] as? [String: Any])
        let rule = try XCTUnwrap(repository[name] as? [String: Any])
        let match = try XCTUnwrap(rule["match"] as? String ?? (rule["patterns"] as? [[String: Any]])?.first?["match"] as? String)
        return try NSRegularExpression(pattern: match)
    }

    func whole(_ re: NSRegularExpression, _ s: String) -> Bool {
        re.firstMatch(in: s, range: NSRange(location: 0, length: s.utf16.count))?.range == NSRange(location: 0, length: s.utf16.count)
    }

    func testPatternsAgreeWithTheLexer() throws {
        let g = try grammar()
        let dims = try pattern("dimensions", in: g)
        for s in ["3x3", "14x14x3", "1_0x2"] { XCTAssertTrue(whole(dims, s), s) }
        XCTAssertFalse(whole(dims, "3x"))
        let float = try pattern("number", in: g)
        for s in ["0.5", "5e-4", "1E+3", "2.5e2"] { XCTAssertTrue(whole(float, s), s) }
        let comment = try pattern("comment", in: g)
        XCTAssertTrue(whole(comment, "# a comment"))
        let layer = try pattern("head", in: g)
        for s in ["conv", "linear", "relu", "batchnorm"] { XCTAssertTrue(whole(layer, s), s) }
        // Every reserved word is highlighted somewhere.
        let text = String(data: try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("grammar/eqx.tmLanguage.json")),
                          encoding: .utf8) ?? ""
        for k in Keyword.allCases { XCTAssertTrue(text.contains(k.rawValue), k.rawValue) }
    }
}
