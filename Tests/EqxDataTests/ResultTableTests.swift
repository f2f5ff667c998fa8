import XCTest
@testable import EqxData

final class ResultTableTests: XCTestCase {
    func makeTable() throws -> ResultTable {
        try ResultTable(title: "merge, \"flip\"", columns: ["alpha", "loss", "note", "ok"], rows: [
            [0.0, 2.5, "plain", true],
            [0.5, .double(.nan), "has, comma", false],
            [1, .double(-.infinity), "line\nbreak \"q\"", nil],
        ])
    }

    func testCSVFollowsRFC4180() throws {
        XCTAssertEqual(try makeTable().csv(),
                       "alpha,loss,note,ok\r\n"
                       + "0.0,2.5,plain,true\r\n"
                       + "0.5,NaN,\"has, comma\",false\r\n"
                       + "1,-inf,\"line\nbreak \"\"q\"\"\",\r\n")
    }

    func testRowLengthIsChecked() throws {
        var table = try makeTable()
        assertDataError(try table.append([1, 2]), contains: ["2 values", "4 columns"])
    }

    func testCanonicalJSONIsSortedAndStable() throws {
        let json = CanonicalJSON.encode(try makeTable().json)
        XCTAssertEqual(json, """
        {
          "columns": ["alpha", "loss", "note", "ok"],
          "rows": [
            [0.0, 2.5, "plain", true],
            [0.5, null, "has, comma", false],
            [1, null, "line\\nbreak \\"q\\"", null]
          ],
          "title": "merge, \\"flip\\""
        }

        """)
        // Dictionary insertion order does not matter.
        let a: JSONValue = .object(["b": .int(1), "a": .object(["y": .null, "x": .array([])]), "B": .bool(false)])
        let b: JSONValue = .object(["a": .object(["x": .array([]), "y": .null]), "B": .bool(false), "b": .int(1)])
        XCTAssertEqual(CanonicalJSON.encode(a), CanonicalJSON.encode(b))
        XCTAssertEqual(CanonicalJSON.encode(a, pretty: false), #"{"B":false,"a":{"x":[],"y":null},"b":1}"#)
    }

    func testNumberFormattingIsShortestRoundTrip() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (1, "1.0"), (-0.0, "-0.0"), (1e-7, "1e-7"), (1.5e20, "1.5e20"), (123456.789, "123456.789"),
            (1.0 / 3, "0.3333333333333333"), (.leastNonzeroMagnitude, "5e-324"), (1e16, "1e16"), (Double.greatestFiniteMagnitude, "1.7976931348623157e308"),
        ]
        for (value, text) in cases {
            XCTAssertEqual(CanonicalJSON.encode(.double(value), pretty: false), text)
            XCTAssertEqual(Double(text), value, "round trip of \(text)")
        }
    }

    func testStringEscaping() {
        XCTAssertEqual(CanonicalJSON.quoted("a\u{1}\t\u{7f}é/"), "\"a\\u0001\\t\u{7f}é/\"")
    }

    /// Python's json module parses our output and agrees on every value.
    func testPythonParsesTheOutput() throws {
        let json = CanonicalJSON.encode(try makeTable().json)
        let script = """
        import sys, json
        d = json.loads(sys.argv[1])
        assert d['rows'][2][2] == 'line\\nbreak "q"', d
        assert d['rows'][0][1] == 2.5 and d['rows'][1][1] is None
        print(json.dumps(d, sort_keys=True))
        """
        guard let (status, output) = runPython(script, arguments: [json]) else { throw XCTSkip("python3 not available") }
        XCTAssertEqual(status, 0, output)
    }

    func testWriteCSVAndJSONFiles() throws {
        let dir = try makeTemporaryDirectory(self)
        let table = try makeTable()
        try table.writeCSV(to: dir.appendingPathComponent("t/table.csv"))
        try CanonicalJSON.write(.object(["tables": .array([table.json])]), to: dir.appendingPathComponent("results.json"))
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("t/table.csv"), encoding: .utf8), table.csv())
        let first = try Data(contentsOf: dir.appendingPathComponent("results.json"))
        try CanonicalJSON.write(.object(["tables": .array([try makeTable().json])]), to: dir.appendingPathComponent("results.json"))
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("results.json")), first)
    }
}
