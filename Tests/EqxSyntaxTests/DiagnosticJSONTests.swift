import XCTest
@testable import EqxSyntax

final class DiagnosticJSONTests: XCTestCase {
    func testEncodingIsValidJSONWithEveryField() throws {
        let file = SourceFile(name: "dir/a \"b\".eqx", text: "eqx 1\ndata digits builtin.digits\nnet n {\n")
        let (_, diagnostics) = parse(file)
        let text = DiagnosticJSON.encode(diagnostics, file: file)
        let array = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        XCTAssertEqual(array.count, 2)
        let first = array[0]
        XCTAssertEqual(Set(first.keys), ["id", "severity", "message", "file", "line", "column", "end_line", "end_column",
                                         "label", "notes", "help", "fixits"])
        XCTAssertEqual(first["id"] as? String, "E0203")
        XCTAssertEqual(first["severity"] as? String, "error")
        XCTAssertEqual(first["file"] as? String, "dir/a \"b\".eqx")
        XCTAssertEqual(first["line"] as? Int, 2)
        XCTAssertEqual(first["column"] as? Int, 13)
        XCTAssertEqual(first["end_line"] as? Int, 2)
        XCTAssertEqual(first["end_column"] as? Int, 20)
        XCTAssertEqual(first["label"] as? String, "expected '='")
        XCTAssertTrue(first["help"] is NSNull)
        let fix = try XCTUnwrap((first["fixits"] as? [[String: Any]])?.first)
        XCTAssertEqual(fix["line"] as? Int, 2)
        XCTAssertEqual(fix["column"] as? Int, 13)
        XCTAssertEqual(fix["end_column"] as? Int, 13)
        XCTAssertEqual(fix["replacement"] as? String, "= ")
        let second = array[1]
        XCTAssertEqual(second["id"] as? String, "E0205")
        let note = try XCTUnwrap((second["notes"] as? [[String: Any]])?.first)
        XCTAssertEqual(note["message"] as? String, "the file ends before it is closed")
        XCTAssertTrue(note["line"] is NSNull)
        XCTAssertEqual((second["fixits"] as? [[String: Any]])?.first?["replacement"] as? String, "}\n")
    }

    func testGoldenEncoding() {
        let file = SourceFile(name: "e.eqx", text: "")
        let (_, d) = parse(file)
        XCTAssertEqual(DiagnosticJSON.encode(d, file: file), """
            [
              {"id": "E0201", "severity": "error", "message": "empty script", "file": "e.eqx", "line": 1, "column": 1, "end_line": 1, "end_column": 1, "label": "no statement in the file", "notes": [], "help": "a script starts with the version line 'eqx 1'", "fixits": []}
            ]

            """)
        XCTAssertEqual(DiagnosticJSON.encode([], file: file), "[]\n")
    }

    func testStringEscaping() throws {
        let s = "quote \" slash \\ nl \n tab \t bell \u{7} ∂"
        let encoded = DiagnosticJSON.string(s)
        XCTAssertEqual(encoded, #""quote \" slash \\ nl \n tab \t bell \u0007 ∂""#)
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(encoded)]".utf8)) as? [String]
        XCTAssertEqual(decoded, [s])
    }
}
