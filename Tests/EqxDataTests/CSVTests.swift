import XCTest
@testable import EqxData

final class CSVTests: XCTestCase {
    func parse(_ text: String, _ options: CSVOptions = CSVOptions()) throws -> Dataset {
        try CSV.parse(Array(text.utf8), file: "t.csv", options: options, name: "t")
    }

    func testLabelColumnByIndexNameAndLast() throws {
        let text = "a,label,b\r\n1,2,3\n4.5,0,-6e-1\n\n"
        let byName = try parse(text, CSVOptions(label: .name("label"), hasHeader: true))
        XCTAssertEqual(byName.inputs, [1, 3, 4.5, -0.6])
        XCTAssertEqual(byName.labels, [2, 0])
        XCTAssertEqual(byName.classes, 3)
        XCTAssertEqual(byName.sampleShape, [2])
        let byIndex = try parse(text, CSVOptions(label: .index(1), hasHeader: true, classes: 5))
        XCTAssertEqual(byIndex.inputs, byName.inputs)
        XCTAssertEqual(byIndex.classes, 5)
        let last = try parse("1,2,0\n3,4,1", CSVOptions(divisor: 2))
        XCTAssertEqual(last.inputs, [0.5, 1, 1.5, 2])
        XCTAssertEqual(last.labels, [0, 1])
    }

    func testQuotedFieldsAndOtherDelimiters() throws {
        let data = try parse("\"x, \"\"first\"\"\";\"label\"\n\"7\";1\n", CSVOptions(label: .name("label"), hasHeader: true, delimiter: UInt8(ascii: ";")))
        XCTAssertEqual(data.inputs, [7])
        XCTAssertEqual(data.labels, [1])
    }

    func testErrorsNameLineColumnAndOffset() {
        assertDataError(try parse("1,2,0\n3,x,1\n"), contains: ["t.csv", "byte 8", "line 2, column 2", "'x'"])
        assertDataError(try parse("1,2,0\n3,1\n"), contains: ["t.csv", "byte 6", "line 2 has 2 fields"])
        assertDataError(try parse("1,2,0\n3,4,-1\n"), contains: ["byte 10", "label '-1'"])
        assertDataError(try parse("1,2,0\n3,4,10\n", CSVOptions(classes: 10)), contains: ["t.csv", "byte 10", "label 10"])
        assertDataError(try parse("a,b\n1,2\n", CSVOptions(label: .name("c"), hasHeader: true)), contains: ["no column named 'c'"])
        assertDataError(try parse("1,2\n", CSVOptions(label: .name("c"))), contains: ["no header"])
        assertDataError(try parse("1,\"2\n"), contains: ["unterminated"])
        assertDataError(try parse(""), contains: ["no data rows"])
        assertDataError(try parse("1,2,3,0\n", CSVOptions(sampleShape: [2, 2])), contains: ["3 feature columns", "[2, 2]"])
    }

    func testGzipAndProbe() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("d.csv.gz")
        try write(Zlib.gzip(Array("f1,f2,y\n1,2,4\n3,4,1\n".utf8)), to: url)
        let options = CSVOptions(label: .name("y"), hasHeader: true)
        XCTAssertEqual(try CSV.load(url, options: options).labels, [4, 1])
        XCTAssertEqual(try CSV.probe(url, options: options), DataProbe(sampleShape: [2], count: 2, classes: 5))
    }
}
